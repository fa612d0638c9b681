"""The hostile-input corpus: small projects a pull request could write, run through the CLI in-process.

Each case asserts the exit code, that an input error is one line naming the file, and a wall-time bound
generous enough for a noisy 2-core machine (the cases took 10 s to minutes, or gigabytes, before issue 15).
"""

from __future__ import annotations

import time
from pathlib import Path

from tests.cli.test_cli import Done, run

COMPOSE = """\
services:
  nginx:
    image: nginx
    volumes:
      - ./nginx.conf:/etc/nginx/conf.d/default.conf:ro
  app:
    image: busybox
"""
NGINX = "server { listen 80; location / { proxy_pass http://app:3000; } }\n"


def project(tmp_path: Path, compose: str = COMPOSE, nginx: str | None = NGINX, **files: str | bytes) -> Path:
    """A project directory: ``compose.yaml``, ``nginx.conf`` (unless None) and any other named files."""
    (tmp_path / "compose.yaml").write_text(compose)
    if nginx is not None:
        (tmp_path / "nginx.conf").write_text(nginx)
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return tmp_path


def timed(*args: str, cwd: Path, limit: float = 5.0) -> Done:
    """The CLI run in ``cwd``; fails when it takes longer than ``limit`` seconds."""
    start = time.monotonic()
    done = run(*args, cwd=cwd)
    took = time.monotonic() - start
    assert took < limit, f"took {took:.1f} s"
    return done


def assert_input_error(done: Done, file: str, *words: str) -> None:
    """Exit 2, and stderr is one line ``file[:line]: error: ...`` that holds every word."""
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(file) and ": error: " in lines[0], lines[0]
    for word in words:
        assert word in lines[0], lines[0]
