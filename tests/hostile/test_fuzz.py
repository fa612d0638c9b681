"""Seeded fuzz tests of the compose and nginx readers: mutated projects through the CLI (no exit 70), and
each reader alone (only InputError escapes)."""

from __future__ import annotations

import random
import time
from pathlib import Path

from dockernet.dialects.nginx.routes import extract
from dockernet.dialects.nginx.syntax import parse_text
from dockernet.errors import InputError
from dockernet.sources.compose import load_projects
from tests.cli.test_cli import run
from tests.hostile.fuzz import cases, mutate, seeds, write

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


def test_fuzzed_nginx_text_reads_or_raises_input_error() -> None:
    # The nginx reader alone, without a process per case: syntax, then routes. Only InputError may escape.
    rng = random.Random(SEED)
    pool = [s.nginx for s in seeds()]
    for i in range(1000):
        data = mutate(rng.choice(pool), rng)
        try:
            directives = parse_text(data.decode("utf-8", "surrogateescape"), "nginx.conf")
            extract(directives, ("p", "nginx"))
        except InputError as e:
            assert e.file == "nginx.conf" and "\n" not in e.message.strip(), (i, str(e))


def test_fuzzed_compose_text_reads_or_raises_input_error(tmp_path: Path) -> None:
    # The compose reader alone: load_projects on mutated compose files; only InputError may escape.
    rng = random.Random(SEED)
    pool = [s.compose for s in seeds()]
    for i in range(300):
        directory = tmp_path / str(i)
        write(directory, mutate(rng.choice(pool), rng), b"")
        try:
            load_projects([str(directory)], [], None, [], [], {})
        except InputError as e:
            assert e.file, (i, str(e))
