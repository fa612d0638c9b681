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


def test_edits_name_the_value_never_show_it(tmp_path: Path) -> None:
    """A hint's edits quote the config: where they would show a secret, they are left out."""
    creds = tmp_path / "creds.env"
    creds.write_text("BACKEND_PORT=31337\n")
    (tmp_path / "templates").mkdir()
    (tmp_path / "compose.yaml").write_text(
        f"services:\n  web:\n    image: nginx:1.27\n    env_file: {creds}\n"
        "    volumes:\n      - ./templates:/etc/nginx/templates\n"
        "  app:\n    image: busybox\n    command: [httpd, -f, -p, '3000']\n"
    )
    (tmp_path / "templates" / "default.conf.template").write_text(
        "server {\n  listen 80;\n  location /api/ { proxy_pass http://app:${BACKEND_PORT}/; }\n}\n"
    )
    done = dockernet("check", "--select", "ALL", "--format", "json", cwd=tmp_path)
    assert "proxy_pass http://app:<BACKEND_PORT from creds.env:1>/;" in done.stdout, done.stdout
    assert '"edits": [{' not in done.stdout  # dropped: redacted, they would not apply
    assert "31337" not in done.stdout + done.stderr


def test_the_redactor_finds_a_value_inside_a_url_and_leaves_schemes_and_names() -> None:
    from types import MappingProxyType

    from dockernet.model import Project, Service, Topology, safe
    from dockernet.model.loc import Loc

    app = Service(project="p", name="app", loc=Loc("compose.yaml", 2))
    project = Project(
        name="p",
        directory="/x",
        files=(),
        services=MappingProxyType({"app": app}),
        networks=MappingProxyType({}),
        secrets=(("/secret-path", "${BACKEND_PATH}"), ("http", "${PROTO}"), ("app", "${HOST}")),
    )
    hide = safe.redactor(Topology(projects=(project,)))
    assert hide is not None
    assert hide("proxy_pass http://app:3000/secret-path;") == "proxy_pass http://app:3000${BACKEND_PATH};"
