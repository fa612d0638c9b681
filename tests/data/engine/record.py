"""Record what a real engine answers for a scenario, for the pure-function tests of the engine source.

    python tests/data/engine/record.py basic        # writes tests/data/engine/basic-<engine version>.json

Brings the scenario up (its compose.yml, plus the standalone container and network below), waits until
the container states settle, reads the engine exactly as ``dockernet scan --project dnrec`` would, keeps only
the scenario's containers and networks (the engine may be running other people's tests), writes the answers
as JSON and removes everything again. Not a test; needs the test engine (scripts/test-engine.sh).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from dockernet.sources.engine.client import connect
from dockernet.sources.engine.snapshot import Scope, Snapshot, snapshot

HERE = Path(__file__).parent
KEEP_NETWORKS = {"bridge", "host", "none"}


def sh(*argv: str, check: bool = True) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)}: {done.stderr.strip()}")
    return done.stdout


def up(scenario: Path) -> None:
    sh("docker", "network", "create", "dnrec-shared")
    sh(
        "docker",
        "run",
        "-d",
        "--name",
        "dnrec-standalone",
        "--network",
        "dnrec-shared",
        "--network-alias",
        "solo",
        "dockernet-test/busybox:latest",
        "httpd",
        "-f",
        "-p",
        "8000",
    )
    sh("docker", "compose", "-f", str(scenario / "compose.yml"), "up", "-d", "--quiet-pull")
    for _ in range(60):
        status = sh("docker", "inspect", "-f", "{{.State.Health.Status}}", "dnrec-sick-1", check=False)
        if status.strip() == "unhealthy":
            break
        time.sleep(0.5)


def down(scenario: Path) -> None:
    sh("docker", "compose", "-f", str(scenario / "compose.yml"), "down", "-v", "-t", "1", check=False)
    sh("docker", "rm", "-f", "dnrec-standalone", check=False)
    sh("docker", "network", "rm", "dnrec-shared", check=False)


def record(name: str) -> Path:
    scenario = HERE / name
    down(scenario)
    up(scenario)
    try:
        session = connect()
        snap = snapshot(session, Scope(projects=frozenset({"dnrec"})))
        version = session.get("/version").get("Version", "unknown")
        session.close()
    finally:
        down(scenario)
    wanted = set(snap.inspects)
    containers = [c for c in snap.containers if c.get("Id") in wanted]
    used = {n for c in containers for n in ((c.get("NetworkSettings") or {}).get("Networks") or {})}
    networks = [n for n in snap.networks if n.get("Name") in used | KEEP_NETWORKS]
    kept = Snapshot(snap.api_version, tuple(containers), tuple(networks), snap.inspects, snap.partial)
    out = HERE / f"{name}-{version.split('+')[0]}.json"
    doc = kept.to_json()
    doc["engine_version"] = version
    out.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return out


if __name__ == "__main__":
    print(record(sys.argv[1] if len(sys.argv) > 1 else "basic"))
