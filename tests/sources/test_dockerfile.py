"""Dockerfile facts (:mod:`dockernet.sources.dockerfile`): the image the final stage builds from."""

from __future__ import annotations

from pathlib import Path

from dockernet.sources import dockerfile


def _base(tmp_path: Path, text: str) -> str | None:
    (tmp_path / "Dockerfile").write_text(text)
    facts = dockerfile.read(("p", "s"), str(tmp_path / "Dockerfile"), str(tmp_path))
    assert facts is not None
    return facts.base


def test_the_final_stage_base(tmp_path: Path) -> None:
    assert _base(tmp_path, "FROM --platform=linux/amd64 nginxproxy/nginx-proxy:1.7-alpine\n") == (
        "nginxproxy/nginx-proxy:1.7-alpine"
    )


def test_a_stage_name_is_followed_to_its_image(tmp_path: Path) -> None:
    text = "FROM node:20 AS build\nRUN true\nFROM haproxy:2.9 AS base\nFROM base\nCOPY x /x\n"
    assert _base(tmp_path, text) == "haproxy:2.9"
