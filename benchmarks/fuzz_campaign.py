"""A long fuzz campaign of the compose and nginx readers (the suite runs 300 cases of the same fuzzer).

Each case is a project of compose-samples/ with random mutations (``tests/hostile/fuzz.py``), checked by a
real ``dockernet`` process with a wall-time limit and an address-space limit, so that a hang or a memory
blow-up is caught as well as a crash. Cases that end with anything but 0, 1 or 2 (exit 2 with more than one
line of stderr counts too), that time out or run out of memory are copied into ``--keep``.

    python benchmarks/fuzz_campaign.py                          # 2,000 cases, seed 1
    python benchmarks/fuzz_campaign.py --seed 7 --count 20000 --format graph --keep /tmp/fuzz-failures
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.hostile.fuzz import cases, write

MEMORY = 1024 * 1024 * 1024  # 1 GB of address space: every case is a few KB


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per case")
    parser.add_argument("--format", choices=["check", "graph"], default="check")
    parser.add_argument("--keep", type=Path, default=Path("fuzz-failures"))
    args = parser.parse_args()
    exe = shutil.which("dockernet") or str(Path(sys.executable).parent / "dockernet")
    outcomes: Counter[str] = Counter()
    slowest = (0.0, -1)
    failed = 0
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        for i, compose, nginx in cases(args.seed, args.count):
            directory = Path(tmp) / str(i)
            write(directory, compose, nginx)
            command = [exe, "check"] if args.format == "check" else [exe, "graph", "-o", "out.svg"]
            t0 = time.monotonic()
            try:
                done = subprocess.run(
                    command,
                    cwd=directory,
                    capture_output=True,
                    timeout=args.timeout,
                    preexec_fn=_limit,
                    check=False,
                )
                code = done.returncode
                try:
                    stderr = done.stderr.decode("utf-8")
                    done.stdout.decode("utf-8")
                    outcome = f"exit {code}"
                except UnicodeDecodeError:
                    stderr, outcome = "", "output not UTF-8"  # a lone surrogate written with surrogateescape
                bad = (
                    outcome.startswith("output")
                    or code not in (0, 1, 2)
                    or (code == 2 and len(stderr.strip().splitlines()) != 1)
                )
            except subprocess.TimeoutExpired:
                bad, outcome = True, "timeout"
            took = time.monotonic() - t0
            slowest = max(slowest, (took, i))
            outcomes[outcome] += 1
            if bad:
                failed += 1
                args.keep.mkdir(parents=True, exist_ok=True)
                shutil.copytree(directory, args.keep / f"seed{args.seed}-case{i}", dirs_exist_ok=True)
                print(f"case {i}: {outcome}", file=sys.stderr)
            shutil.rmtree(directory)
    total = time.monotonic() - start
    counts = ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items()))
    print(f"{args.count} cases, seed {args.seed}, {total:.0f} s: {counts}; {failed} kept in {args.keep}")
    print(f"slowest: case {slowest[1]}, {slowest[0]:.2f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
