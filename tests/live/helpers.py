"""Helpers of the tests that bring projects up on the real engine (test_scan.py and
test_scan_beyond_configs.py beside this file)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import REPO


def sh(*argv: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run a command; with ``check``, a failure is an AssertionError naming it."""
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()}")
    return done


def dockernet(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m dockernet ARGS`` from the repository, API version negotiated; never a traceback."""
    full = {k: v for k, v in os.environ.items() if k != "DOCKER_API_VERSION"}
    full.update(env or {})
    done = subprocess.run(
        [sys.executable, "-m", "dockernet", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=full,
        cwd=REPO,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


@contextmanager
def project(
    compose_cli: list[str],
    directory: Path,
    name: str,
    files: dict[str, str],
    wait_unhealthy: str | None = None,
) -> Iterator[list[str]]:
    """A compose project written into ``directory`` (``@NAME@`` replaced by its name), up for the body,
    which gets the compose argv, and always removed. ``wait_unhealthy`` waits (up to 20 s) until that
    container's health check has failed."""
    directory.mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        path = directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.replace("@NAME@", name))
    argv = [*compose_cli, "-p", name, "-f", str(directory / "compose.yaml")]
    try:
        sh(*argv, "up", "-d")
        if wait_unhealthy:
            for _ in range(80):
                state = sh("docker", "inspect", "-f", "{{.State.Health.Status}}", wait_unhealthy, check=False)
                if state.stdout.strip() == "unhealthy":
                    break
                time.sleep(0.25)
        yield argv
    finally:
        sh(*argv, "down", "-v", "-t", "1", "--remove-orphans", check=False)


def wget_status(container: str, path: str) -> str:
    """What busybox wget printed asking nginx for ``path`` from inside its own container (status lines)."""
    return sh(
        "docker",
        "exec",
        container,
        "wget",
        "-S",
        "-q",
        "-O",
        "/dev/null",
        f"http://127.0.0.1{path}",
        check=False,
    ).stderr
