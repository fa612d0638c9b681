"""`dockernet scan` on 400 containers on 40 networks, side by side with the raw cost of reading the same
engine with the docker CLI (`docker network inspect` of every network plus `docker inspect` of every
container), in one run on the same machine. Not a test.

    python benchmarks/scan_benchmark.py [--containers 400] [--networks 40] [--runs 5] [--no-docs] [--keep]

Creates busybox `sleep` containers (each on two of the networks, compose-style labels, one project per
network) and a few nginx proxies whose configs route to them, measures, removes everything (also after a
failure or Ctrl-C; `--keep` leaves it for another run, which then reuses it), and writes the medians and
ratios into the "scan" section of docs/performance.md.

What is timed, each run interleaved so that all see the same machine load:

* raw: `docker network inspect <all network IDs>` + `docker inspect <all container IDs>` (the IDs listed
  beforehand, not timed), two CLI processes;
* scan source stage, in-process: connect, list, inspect, model, proxy configs read out of the containers;
* scan command, in-process: the source stage plus graph, resolution, rules and the JSON report;
* scan command as a process: `python -m dockernet scan --format json` (adds interpreter start and imports).

The target (issue 3): the scan command costs at most 1.5 times the raw reads.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).parent.parent
DOC = REPO / "docs" / "performance.md"
BEGIN = "<!-- scan-benchmark:begin -->"
END = "<!-- scan-benchmark:end -->"
PREFIX = "dnbench"
BUSYBOX = "dockernet-test/busybox:latest"
NGINX = "dockernet-test/nginx:latest"
PROXIES = 4


def sh(*argv: str) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:4])}...: {done.stderr.strip()[:300]}")
    return done.stdout


def existing() -> tuple[list[str], list[str]]:
    nets = sh("docker", "network", "ls", "-q", "--filter", f"name={PREFIX}-net-").split()
    ctrs = sh("docker", "ps", "-aq", "--filter", "label=dnbench=1").split()
    return nets, ctrs


def setup(containers: int, networks: int) -> None:
    """Create the networks and containers (parallel; the engine does the work)."""
    import docker  # type: ignore[import-untyped,unused-ignore]

    # The engine that DOCKER_HOST names, as for the docker CLI and dockernet (a benchmark engine of its own,
    # docs/performance.md), else the local socket.
    client = docker.APIClient(version="auto", timeout=300, **docker.utils.kwargs_from_env())
    names = [f"{PREFIX}-net-{i:02d}" for i in range(networks)]
    for i, name in enumerate(names):
        # Explicit subnets: the engine's default pools hold only 31 networks (15 /16s and 16 /20s).
        ipam = docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet=f"10.213.{i}.0/24")])
        client.create_network(
            name,
            driver="bridge",
            ipam=ipam,
            labels={
                "com.docker.compose.project": f"{PREFIX}-p{i:02d}",
                "com.docker.compose.network": "default",
            },
        )

    def one(i: int) -> None:
        first, second = names[i % networks], names[(i + 1) % networks]
        proxy = i < PROXIES
        labels = {
            "dnbench": "1",
            "com.docker.compose.project": f"{PREFIX}-p{i % networks:02d}",
            "com.docker.compose.service": "proxy" if proxy else f"app{i // networks}",
        }
        if proxy:
            # Routes to containers on the proxy's own networks, as in a working deployment.
            mine = {i % networks, (i + 1) % networks}
            near = [j for j in range(PROXIES, containers) if {j % networks, (j + 1) % networks} & mine]
            targets = "".join(
                f"location /r{j}/ {{ set $t{j} {PREFIX}-c{j:03d}; proxy_pass http://$t{j}:8080; }} "
                for j in near[:25]
            )
            conf = f"events {{}} http {{ resolver 127.0.0.11 valid=10s; server {{ listen 80; {targets}}} }}"
            cmd = [
                "sh",
                "-c",
                f"printf '%s\\n' '{conf}' > /etc/nginx/nginx.conf && exec nginx -g 'daemon off;'",
            ]
            image = NGINX
        else:
            cmd, image = ["sleep", "1000000"], BUSYBOX
        c = client.create_container(
            image,
            cmd,
            name=f"{PREFIX}-c{i:03d}",
            labels=labels,
            host_config=client.create_host_config(network_mode=first),
            networking_config=client.create_networking_config(
                {first: client.create_endpoint_config(aliases=[f"a{i}"])}
            ),
        )
        client.connect_container_to_network(c["Id"], second, aliases=[f"b{i}"])
        client.start(c["Id"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(one, range(containers)))
    client.close()


def teardown() -> None:
    nets, ctrs = existing()
    for chunk in range(0, len(ctrs), 100):
        subprocess.run(
            ["docker", "rm", "-f", "-v", *ctrs[chunk : chunk + 100]], capture_output=True, check=False
        )
    if nets:
        subprocess.run(["docker", "network", "rm", *nets], capture_output=True, check=False)


def clock(work: Callable[[], Any]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def raw_reads() -> float:
    nets = sh("docker", "network", "ls", "-q").split()
    ctrs = sh("docker", "ps", "-aq").split()
    return clock(lambda: (sh("docker", "network", "inspect", *nets), sh("docker", "inspect", *ctrs)))


def source_stage() -> float:
    from dockernet.sources.engine.build import build
    from dockernet.sources.engine.client import connect
    from dockernet.sources.engine.proxies import read_proxies
    from dockernet.sources.engine.snapshot import snapshot

    def work() -> None:
        session = connect()
        try:
            snap = snapshot(session, configs=True)
            live = build(snap)
            read_proxies(session, live, None, snap.archives)
        finally:
            session.close()

    return clock(work)


def whole_command() -> tuple[float, int, int]:
    from dockernet.output import json as json_out
    from dockernet.pipeline.config import Config
    from dockernet.pipeline.scan import scan_engine
    from dockernet.sources.engine.snapshot import Scope

    found: list[Any] = []

    def work() -> None:
        report = scan_engine(Scope(), Config(), log_lines=0).report
        json_out.render(report)
        found.append(report)

    elapsed = clock(work)
    return elapsed, len(found[0].findings), found[0].routes


def as_process() -> float:
    def work() -> None:
        done = subprocess.run(
            [sys.executable, "-m", "dockernet", "scan", "--format", "json"],
            capture_output=True,
            text=True,
            check=False,
            cwd=REPO,
        )
        if done.returncode not in (0, 1):
            raise SystemExit(f"dockernet scan failed ({done.returncode}): {done.stderr[:300]}")

    return clock(work)


def engine_counts() -> tuple[int, int, int]:
    import json

    ctrs = sh("docker", "ps", "-aq").split()
    nets = sh("docker", "network", "ls", "-q").split()
    data = json.loads(sh("docker", "inspect", *ctrs))
    endpoints = sum(len((c.get("NetworkSettings") or {}).get("Networks") or {}) for c in data)
    return len(ctrs), len(nets), endpoints


def write_doc(section: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Performance\n"
    block = f"{BEGIN}\n{section.rstrip()}\n{END}"
    if BEGIN in text and END in text:
        text = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    DOC.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--containers", type=int, default=400)
    parser.add_argument("--networks", type=int, default=40)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-docs", action="store_true", help="print only; leave docs/performance.md alone")
    parser.add_argument("--keep", action="store_true", help="leave the containers for another run")
    args = parser.parse_args()

    sys.path.insert(0, str(REPO))
    _, ctrs = existing()
    try:
        if len(ctrs) != args.containers:
            teardown()
            start = time.perf_counter()
            setup(args.containers, args.networks)
            print(f"setup: {time.perf_counter() - start:.0f} s", file=sys.stderr)
        time.sleep(2)  # let the proxies start
        n_ctrs, n_nets, n_eps = engine_counts()
        whole_command()  # warm-up: imports, page cache
        raw: list[float] = []
        source: list[float] = []
        command: list[float] = []
        process: list[float] = []
        findings = routes = 0
        for _ in range(args.runs):
            raw.append(raw_reads())
            source.append(source_stage())
            elapsed, findings, routes = whole_command()
            command.append(elapsed)
            process.append(as_process())
    except BaseException:
        teardown()
        raise
    if not args.keep:
        teardown()

    def med(xs: list[float]) -> float:
        return statistics.median(xs)

    def runs(xs: list[float]) -> str:
        return ", ".join(f"{x * 1000:.0f}" for x in xs)

    base = med(raw)
    rows = [
        ("raw: `docker network inspect` (all) + `docker inspect` (all)", raw),
        ("scan source stage, in-process", source),
        ("scan command, in-process (source + graph + rules + JSON)", command),
        ("`python -m dockernet scan --format json` (process)", process),
    ]
    lines = [
        "## scan",
        "",
        f"`benchmarks/scan_benchmark.py`: {n_ctrs} containers ({args.containers} created: busybox `sleep`, "
        f"{PROXIES} nginx proxies, {routes} routes) on {n_nets} networks ({args.networks} created), "
        f"{n_eps} endpoints; the engine may hold other containers, which both sides read. "
        f"Engine {sh('docker', 'version', '-f', '{{.Server.Version}}').strip()}, {args.runs} runs each, "
        f"interleaved; {findings} findings. Generated {time.strftime('%Y-%m-%d')}.",
        "",
        "| what | median | ratio to raw | runs (ms) |",
        "|---|---|---|---|",
    ]
    for label, xs in rows:
        lines.append(f"| {label} | {med(xs) * 1000:.0f} ms | {med(xs) / base:.2f} | {runs(xs)} |")
    verdict = "meets" if med(command) <= 1.5 * base else "misses"
    lines += [
        "",
        f"The scan command {verdict} the target of at most 1.5 x the raw reads "
        f"({med(command) / base:.2f} x in-process). As a process it costs "
        f"{(med(process) - med(command)) * 1000:.0f} ms more: Python's start and the imports (docker, "
        "requests, typer, rich, and networkx for the graph stage, the largest), which the docker CLI's "
        "raw reads do not have.",
        "",
        "How (see docs/scan.md): two list calls carry names, state, labels, ports, mounts and every "
        "endpoint's address; one inspect per container adds aliases, `ExtraHosts` and health; networks are "
        "never inspected one by one (the list has their IPAM); on a local socket the reads bypass requests "
        "(about 1-2 ms per request) for plain keep-alive HTTP/1.1, 4 threads; the proxies' archives "
        "(100-200 ms each, served one at a time by the engine) are fetched while the inspects run.",
    ]
    section = "\n".join(lines) + "\n"
    print(section)
    if not args.no_docs:
        write_doc(section)


if __name__ == "__main__":
    main()
