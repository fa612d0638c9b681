"""The embedded-DNS facts dockernet's resolver rests on (docs/docker-facts.md), asked of a real engine: each
name is looked up with ``nslookup`` from inside a container, and the model's answer for the same container
(:meth:`dockernet.analysis.graph.Topo.lookup`) must agree, name by name."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dockernet import pipeline
from dockernet.analysis import graph
from dockernet.pipeline.requests import ComposeRequest
from tests.live.helpers import project, sh

pytestmark = pytest.mark.engine

COMPOSE = """\
name: @NAME@
services:
  proxy:
    image: dockernet-test/busybox:latest
    command: ["sleep", "3600"]
    networks: [front]
  app:
    image: dockernet-test/busybox:latest
    command: ["sleep", "3600"]
    networks:
      front: {aliases: [app-front]}
      back: {aliases: [app-back]}
  web:
    image: dockernet-test/busybox:latest
    command: ["sleep", "3600"]
    hostname: webhost
    networks: [front]
  db:
    image: dockernet-test/busybox:latest
    command: ["sleep", "3600"]
    container_name: @NAME@-dbctr
    hostname: dbhost
    networks:
      back: {aliases: [database]}
  legacy:
    image: dockernet-test/busybox:latest
    command: ["sleep", "3600"]
    network_mode: bridge
networks:
  front: {}
  back: {}
"""

# (asking service, name, answered?) with the name's placeholders filled by the project name.
CASES = [
    ("proxy", "app", True),
    ("proxy", "app-front", True),  # an alias on a network both are on
    ("proxy", "@NAME@-app-1", True),  # the generated container name
    ("proxy", "APP", True),  # names are case-insensitive
    ("proxy", "app.@NAME@_front", True),  # <name>.<network engine name>
    ("proxy", "webhost", True),  # a custom hostname (Engine 20.10)
    ("proxy", "app-back", False),  # an alias on a network the proxy is not on
    ("proxy", "db", False),  # a service on another network
    ("proxy", "app.front", False),  # the compose key is not the network's name
    ("app", "db", True),
    ("app", "database", True),
    ("app", "@NAME@-dbctr", True),  # container_name
    ("app", "dbhost", True),
]


def _answered(container: str, name: str) -> bool:
    # Names the embedded DNS does not know are forwarded to the daemon's DNS, pinned to an address where
    # nothing answers (scripts/test-engine.sh): bound the wait.
    done = sh("docker", "exec", container, "timeout", "4", "nslookup", name, "127.0.0.11", check=False)
    return done.returncode == 0 and "Address" in done.stdout.split("127.0.0.11", 1)[-1]


def test_embedded_dns_answers_what_the_model_says(
    compose_cli: list[str], busybox_image: str, tmp_path: Path
) -> None:
    name = f"dnfacts{os.getpid()}"  # unique: concurrent runs share the engine
    with project(compose_cli, tmp_path, name, {"compose.yaml": COMPOSE}):
        topology = pipeline.load_static(ComposeRequest(dirs=(str(tmp_path),)))
        topo = graph.build(topology)
        rows = []
        for asker, raw, expected in CASES:
            wanted = raw.replace("@NAME@", name)
            real = _answered(f"{name}-{asker}-1", wanted)
            model = bool(topo.lookup(topo.by_key[(name, asker)], wanted))
            rows.append((asker, wanted, expected, real, model))
        legacy = sh("docker", "exec", f"{name}-legacy-1", "cat", "/etc/resolv.conf").stdout
    wrong = [r for r in rows if not r[2] == r[3] == r[4]]
    assert not wrong, "\n".join(f"{a} asks {n}: fact {e}, engine {r}, model {m}" for a, n, e, r, m in wrong)
    # The default bridge has no embedded DNS: the container gets the daemon's resolvers.
    assert "127.0.0.11" not in legacy
