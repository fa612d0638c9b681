"""Values from env files and the environment are secrets (issue 15): a pull request can point ``env_file:``
at any KEY=VALUE file on the runner, and ``${VAR}`` takes the runner's environment. Every report and diagram
names such a value (``<BACKEND_HOST from creds.env:1>``, ``${DB_PORT}``), never shows it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SECRET = "supersecret-token-123"


def dockernet(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {"PATH": "/usr/bin:/bin", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "dockernet", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=full,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("secrets")
    outside = tmp_path_factory.mktemp("runner") / "creds.env"
    outside.write_text(f"BACKEND_HOST={SECRET}\n")
    (root / "templates").mkdir()
    (root / "compose.yaml").write_text(
        f"services:\n  web:\n    image: nginx:1.27\n    env_file: {outside}\n"
        "    volumes:\n      - ./templates:/etc/nginx/templates\n"
    )
    (root / "templates" / "default.conf.template").write_text(
        "server {\n  listen 80;\n  location / { proxy_pass http://${BACKEND_HOST}:3000; }\n}\n"
    )
    return root


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit"])
def test_reports_name_the_value_never_show_it(project: Path, fmt: str) -> None:
    done = dockernet("check", "--select", "ALL", "--format", fmt, cwd=project)
    assert done.returncode == 1, done.stderr
    assert SECRET not in done.stdout + done.stderr
    assert "DN102" in done.stdout and "BACKEND_HOST" in done.stdout


@pytest.mark.parametrize("fmt", ["dot", "json", "html", "mmd"])
def test_diagrams_name_the_value_never_show_it(project: Path, fmt: str, tmp_path: Path) -> None:
    done = dockernet("graph", str(project), "-o", str(tmp_path / f"g.{fmt}"), cwd=project)
    assert done.returncode == 0, done.stderr
    assert SECRET not in (tmp_path / f"g.{fmt}").read_text()


def test_an_input_error_names_the_variable_not_its_value(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(
        'services:\n  web:\n    image: nginx\n    ports:\n      - "${DB_PORT}:80"\n'
    )
    done = dockernet("check", cwd=tmp_path, env={"DB_PORT": SECRET})
    assert done.returncode == 2
    assert SECRET not in done.stderr and "${DB_PORT}" in done.stderr
