"""Environment values never reach an output: what a ``{$VAR}`` placeholder gave the Caddy reader is shown as
``{$VAR}`` in every report format and every diagram (the placeholder is what the user wrote)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dockernet import cli

COMPOSE = """\
name: secrets
services:
  caddy:
    image: dockernet-test/caddy:latest
    volumes: ["./Caddyfile:/etc/caddy/Caddyfile:ro"]
    environment:
      UP: s3cr3thost:3000
      SITE: s3cr3t.example.com
      OTHER: s3cr3tvalue
  app:
    image: dockernet-test/busybox:latest
    command: ["httpd", "-f", "-p", "3000"]
"""
CADDYFILE = (
    "{$SITE} {\n\treverse_proxy /a/* {$UP}\n\treverse_proxy /b/* {$MISSING}\n\theader X-T {$OTHER}\n}\n"
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    (tmp_path / "Caddyfile").write_text(CADDYFILE)
    return tmp_path


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit"])
def test_reports_show_placeholders(project: Path, fmt: str) -> None:
    result = CliRunner().invoke(cli.app, ["check", str(project), "--format", fmt], env={"NO_COLOR": "1"})
    assert result.exit_code == 1, result.output
    assert "s3cr3t" not in result.output
    if fmt == "text":
        assert '"{$UP}"' in result.output  # DN102 names what was written
        assert "{$MISSING}" in result.output  # DN602


@pytest.mark.parametrize("name", ["g.dot", "g.mmd", "g.json", "g.html"])
def test_diagrams_show_placeholders(project: Path, name: str) -> None:
    out = project / name
    result = CliRunner().invoke(cli.app, ["graph", str(project), "-o", str(out)], env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert "s3cr3t" not in out.read_text()
