"""The seeded fuzz test of the compose and nginx readers: a few hundred mutated projects, no exit 70."""

from __future__ import annotations

import time
from pathlib import Path

from tests.cli.test_cli import run
from tests.hostile.fuzz import cases, write

SEED = 15
COUNT = 300


def test_fuzzed_projects_end_with_0_1_or_2(tmp_path: Path) -> None:
    start = time.monotonic()
    failures = []
    for i, compose, nginx in cases(SEED, COUNT):
        directory = tmp_path / str(i)
        write(directory, compose, nginx)
        try:
            done = run("check", cwd=directory)
        except Exception as e:
            failures.append(f"case {i}: {type(e).__name__}: {e}")
            continue
        if done.returncode not in (0, 1, 2):
            failures.append(f"case {i}: exit {done.returncode}: {done.stderr.strip()[:200]}")
        elif done.returncode == 2 and len(done.stderr.strip().splitlines()) != 1:
            failures.append(f"case {i}: exit 2 with {done.stderr!r}")
    assert not failures, "\n".join(failures[:20])
    assert time.monotonic() - start < 40
