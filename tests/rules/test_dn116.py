"""DN116: a proxy's config mounted from a source that does not exist (the short syntax; the long one is the
sample), and the near-misses that stay quiet."""

from __future__ import annotations

from pathlib import Path

from dockernet import pipeline
from dockernet.model.findings import Finding
from dockernet.pipeline.requests import ComposeRequest

COMPOSE = """\
services:
  proxy:
    image: nginx:1.27
    volumes:
      - {mount}
"""


def _check(tmp_path: Path, mount: str) -> list[Finding]:
    (tmp_path / "compose.yaml").write_text(COMPOSE.format(mount=mount))
    topology = pipeline.load_static(ComposeRequest(dirs=(str(tmp_path),)))
    return [f for f in pipeline.analyse(topology).findings if f.rule == "DN116"]


def test_a_missing_file_becomes_a_directory_and_nginx_does_not_start(tmp_path: Path) -> None:
    (found,) = _check(tmp_path, "./ngnix/default.conf:/etc/nginx/conf.d/default.conf:ro")
    assert found.loc.line == 5
    assert "Docker creates an empty directory there" in found.message
    assert "nginx will not start" in found.message and "the container is not created" in found.message


def test_an_existing_file_is_quiet(tmp_path: Path) -> None:
    (tmp_path / "nginx").mkdir()
    (tmp_path / "nginx" / "default.conf").write_text("server { listen 80; }\n")
    assert _check(tmp_path, "./nginx/default.conf:/etc/nginx/conf.d/default.conf:ro") == []


def test_a_missing_directory_for_certificates_is_quiet(tmp_path: Path) -> None:
    """certbot fills ./data/certbot at run time: an empty directory breaks nothing for sure."""
    assert _check(tmp_path, "./data/certbot/conf:/etc/nginx/certs") == []


def test_a_missing_file_outside_the_config_is_quiet(tmp_path: Path) -> None:
    assert _check(tmp_path, "./logs/access.log:/var/log/app/access.log") == []
