"""`dockernet check --engine`: DN112 against the networks that already exist on the engine, proven by what
`docker compose up` really does with the same file."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import docker
from typer.testing import CliRunner

from dockernet import cli

COMPOSE = """\
name: {name}
services:
  app:
    image: dockernet-test/busybox:latest
    command: ["sleep", "30"]
    networks: [back]
networks:
  back:
    ipam:
      config: [{{subnet: {subnet}}}]
"""


def _check(project: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli.app, ["check", "--engine", str(project)], env={"NO_COLOR": "1"})
    return result.exit_code, result.stdout


def _up(project: Path, compose_cli: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*compose_cli, "up", "-d"], cwd=project, capture_output=True, text=True, timeout=120
    )


def _down(project: Path, compose_cli: list[str]) -> None:
    subprocess.run([*compose_cli, "down", "-v"], cwd=project, capture_output=True, timeout=120, check=False)


def test_subnet_overlapping_an_engine_network(
    docker_engine: Any, busybox_image: Any, compose_cli: list[str], tmp_path: Path
) -> None:
    pool = docker.types.IPAMPool(subnet="10.214.0.0/24")
    existing = docker_engine.networks.create(
        "dnce-existing", ipam=docker.types.IPAMConfig(pool_configs=[pool])
    )
    broken, fixed = tmp_path / "broken", tmp_path / "fixed"
    broken.mkdir()
    fixed.mkdir()
    (broken / "compose.yaml").write_text(COMPOSE.format(name="dnce-broken", subnet="10.214.0.0/25"))
    (fixed / "compose.yaml").write_text(COMPOSE.format(name="dnce-fixed", subnet="10.214.1.0/25"))
    try:
        code, out = _check(broken)
        assert code == 1 and "DN112" in out and "dnce-existing, which already exists on the engine" in out, (
            out
        )
        up = _up(broken, compose_cli)
        assert up.returncode != 0 and "Pool overlaps" in up.stderr, up.stderr
        code, out = _check(fixed)
        assert code == 0 and "DN112" not in out, out
        assert _up(fixed, compose_cli).returncode == 0
    finally:
        _down(broken, compose_cli)
        _down(fixed, compose_cli)
        existing.remove()
