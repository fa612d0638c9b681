"""Shared pytest fixtures for dockernet's tests."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest

if TYPE_CHECKING:
    import docker

REPO = Path(__file__).parent.parent
SHARED = REPO.parent / "shared"


# ==========================================================================================================
# Engine and tool fixtures. scripts/test-engine.sh installs and starts all of them; docs/testing.md explains.
# When one is missing, a test that asks for it is skipped, or failed under CI=true (where .ci/run has set
# everything up, so a missing tool is a broken setup, not a reason to skip).
# ==========================================================================================================

BUSYBOX_IMAGE = "dockernet-test/busybox:latest"
NGINX_IMAGE = "dockernet-test/nginx:latest"
SETUP_HINT = "run scripts/test-engine.sh"

# A test that asks for one of these fixtures gets the marker, so `pytest -m "not engine"` deselects it.
_FIXTURE_MARKERS = {
    "docker_engine": "engine",
    "busybox_image": "engine",
    "nginx_image": "engine",
    "nginx_bin": "nginx",
    "compose_cli": "compose",
}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def unavailable(what: str, detail: str = "") -> NoReturn:
    """Skip the test for lack of `what`; under CI=true fail it instead (with `detail`)."""
    if in_ci():
        because = f" ({detail})" if detail else ""
        pytest.fail(
            f"{what}{because}; CI=true, so scripts/test-engine.sh should have provided it", pytrace=False
        )
    pytest.skip(f"{what}: {SETUP_HINT}")


def _runs(argv: list[str]) -> bool:
    """True when `argv` runs and exits 0 within 30 s."""
    try:
        done = subprocess.run(argv, capture_output=True, timeout=30, stdin=subprocess.DEVNULL, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # One hook per conftest: extend this one rather than defining a second (the later one would win).
    for item in items:
        for name in getattr(item, "fixturenames", ()):
            marker = _FIXTURE_MARKERS.get(name)
            if marker is not None:
                item.add_marker(marker)


@pytest.fixture(scope="session")
def docker_engine() -> Iterator[docker.DockerClient]:
    """A docker SDK client for the local engine (API version negotiated with the daemon)."""
    import docker
    import requests
    from docker.errors import DockerException

    try:
        client = docker.from_env()
        client.ping()
    except (DockerException, requests.RequestException, OSError) as e:
        unavailable("no Docker engine reachable", f"{e.__class__.__name__}: {e}")
    try:
        yield client
    finally:
        client.close()


def _image(client: docker.DockerClient, name: str) -> str:
    from docker.errors import ImageNotFound

    try:
        client.images.get(name)
    except ImageNotFound:
        unavailable(f"test image {name} missing")
    return name


@pytest.fixture(scope="session")
def busybox_image(docker_engine: docker.DockerClient) -> str:
    """Name of the offline busybox image (sh, httpd, nc, wget, nslookup; tini as entrypoint)."""
    return _image(docker_engine, BUSYBOX_IMAGE)


@pytest.fixture(scope="session")
def nginx_image(docker_engine: docker.DockerClient) -> str:
    """Name of the offline image with Debian's nginx; servers go in /etc/nginx/conf.d/*.conf."""
    return _image(docker_engine, NGINX_IMAGE)


@pytest.fixture(scope="session")
def nginx_bin() -> Path:
    """Debian's nginx binary (for `nginx -t -c ...` and friends; the service itself is not running)."""
    path = Path("/usr/sbin/nginx")
    if not _runs([str(path), "-v"]):
        unavailable(f"nginx binary {path} missing or broken")
    return path


@pytest.fixture(scope="session")
def compose_cli() -> list[str]:
    """argv prefix for Compose v2: run `[*compose_cli, "-f", file, "up", "-d"]`."""
    argv = ["docker", "compose"]
    if not _runs([*argv, "version"]):
        unavailable("`docker compose version` fails (no Compose v2 plugin)")
    return argv


@pytest.fixture(scope="session")
def dot_bin() -> Path:
    """Graphviz's dot."""
    found = shutil.which("dot")
    if found is None or not _runs([found, "-V"]):
        unavailable("graphviz `dot` missing or broken")
    return Path(found)


# ==========================================================================================================
# End of the engine and tool fixtures.
# ==========================================================================================================
