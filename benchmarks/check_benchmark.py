"""`dockernet check` on a generated project with 1,000 services and 1,000 proxy routes, side by side with
`docker compose config` on the same file, in one run on the same machine.

    python benchmarks/check_benchmark.py [--services 1000] [--runs 5]

Prints medians and the ratio; machines here are shared and noisy, so compare the ratio, not the seconds.
Also times `dockernet check` on a YAML bomb and a 50 MB file to show malformed input fails fast.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def generate(root: Path, services: int, networks: int = 50, seed: int = 42) -> None:
    """A project shaped like a large real one (anchors, many services on shared networks) plus 10 nginx
    proxies with 100 routes each."""
    rng = random.Random(seed)
    lines = [
        "name: bench",
        "x-common: &common",
        "  restart: unless-stopped",
        "  environment:",
        "    LOG_LEVEL: ${LOG_LEVEL:-info}",
        "services:",
    ]
    proxies = 10
    apps = services - proxies
    for i in range(apps):
        nets = sorted(rng.sample(range(networks), 2))
        lines += [
            f"  app{i}:",
            "    <<: *common",
            "    image: dockernet-test/busybox:latest",
            f'    command: ["httpd", "-f", "-p", "{3000 + i % 100}"]',
            "    networks:",
        ]
        for n in nets:
            lines += [f"      net{n}:", f"        aliases: [app{i}-n{n}]"]
        if i % 10 == 0:
            lines += ["    ports:", f'      - "127.0.0.1:{20000 + i}:{3000 + i % 100}"']
    per_proxy = apps // proxies
    for p in range(proxies):
        conf = root / f"nginx{p}"
        conf.mkdir()
        locations = []
        for r in range(per_proxy):
            i = p * per_proxy + r
            locations.append(f"    location /r{i}/ {{ proxy_pass http://app{i}:{3000 + i % 100}/; }}")
        (conf / "default.conf").write_text("server {\n    listen 80;\n" + "\n".join(locations) + "\n}\n")
        lines += [
            f"  proxy{p}:",
            "    image: dockernet-test/nginx:latest",
            f'    volumes: ["./nginx{p}:/etc/nginx/conf.d:ro"]',
            "    networks: [" + ", ".join(f"net{n}" for n in range(networks)) + "]",
        ]
    lines.append("networks:")
    for n in range(networks):
        lines += [
            f"  net{n}:",
            "    ipam:",
            f"      config: [{{subnet: 10.{100 + n // 250}.{n % 250}.0/24}}]",
        ]
    (root / "compose.yaml").write_text("\n".join(lines) + "\n")


def timed(argv: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds user+sys) of one run of ``argv``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{argv[0]} failed ({done.returncode}): {done.stderr[:500]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    dockernet = [sys.executable, "-m", "dockernet", "check", "--format", "json"]
    compose = ["docker", "compose", "config", "--format", "json"] if shutil.which("docker") else None
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root, args.services)
        size = (root / "compose.yaml").stat().st_size
        ours: list[tuple[float, float]] = []
        theirs: list[tuple[float, float]] = []
        for _ in range(args.runs):  # interleaved, so both see the same machine load
            ours.append(timed(dockernet, root))
            if compose:
                theirs.append(timed(compose, root))
        print(
            f"project: {args.services} services, {args.services - 10} routes, compose.yaml {size // 1024} KiB"
        )
        for name, runs in (("dockernet check", ours), ("docker compose config", theirs)):
            if runs:
                wall = statistics.median(w for w, _ in runs)
                cpu = statistics.median(c for _, c in runs)
                walls = [round(w, 2) for w, _ in runs]
                print(f"{name:<22} median wall {wall:.2f} s, CPU {cpu:.2f} s  (wall runs {walls})")
        if theirs:
            for i, what in ((0, "wall"), (1, "CPU")):
                ratio = statistics.median(r[i] for r in ours) / statistics.median(r[i] for r in theirs)
                print(f"ratio dockernet/compose ({what}): {ratio:.2f}")
        bomb = root / "bomb"
        bomb.mkdir()
        levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'] + [
            f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(8)
        ]
        (bomb / "compose.yaml").write_text("\n".join(levels) + "\nservices: {}\n")
        big = root / "big"
        big.mkdir()
        with (big / "compose.yaml").open("w") as fh:
            fh.write("services:\n")
            line = "  # " + "x" * 1000 + "\n"
            for _ in range(50_000):
                fh.write(line)
        for name, path in (("YAML bomb", bomb), ("50 MB file", big)):
            start = time.perf_counter()
            done = subprocess.run([*dockernet], cwd=path, capture_output=True, text=True, check=False)
            elapsed = time.perf_counter() - start
            print(f"{name}: exit {done.returncode} in {elapsed:.2f} s: {done.stderr.strip()}")


if __name__ == "__main__":
    main()
