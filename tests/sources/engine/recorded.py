"""The recorded engine (tests/data/engine/, written by its record.py) and what the tests of the engine source
make of it: the snapshot, its model, and the findings of the pipeline with the scenario's nginx config.
Shared by tests/sources/engine/, tests/rules/test_dn110.py, tests/rules/test_dn113.py and
tests/pipeline/test_scan.py."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from dockernet import pipeline
from dockernet.dialects import nginx
from dockernet.model import Proxy, Service, Topology
from dockernet.model.findings import Finding
from dockernet.sources import tartree
from dockernet.sources.engine.build import Live, build
from dockernet.sources.engine.proxies import load_config
from dockernet.sources.engine.snapshot import Snapshot
from tests.conftest import REPO

DATA = REPO / "tests" / "data" / "engine"
BASIC = DATA / "basic-20.10.24.json"
CONF = (DATA / "basic" / "conf.d" / "default.conf").read_bytes()


def recorded(path: Path = BASIC) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text())
    return doc


def snap_of(doc: dict[str, Any]) -> Snapshot:
    return Snapshot.from_json(doc)


def services(live: Live) -> dict[str, Service]:
    return {s.container_name or s.name: s for p in live.topology.projects for s in p.services.values()}


def analysed(doc: dict[str, Any], conf: bytes = CONF, static: bool = False) -> list[Finding]:
    """Findings of the recorded engine with the scenario's proxy config; ``static`` drops the live
    states, as if the same services came from compose files."""
    live = build(snap_of(doc))
    proxy = services(live)["dnrec-proxy-1"]
    tree = tartree.DumpTree(
        {
            "/etc/nginx/nginx.conf": b"events {}\nhttp { include /etc/nginx/conf.d/*.conf; }\n",
            "/etc/nginx/conf.d/default.conf": conf,
        }
    )
    cfg = load_config(proxy, nginx.DIALECT, nginx.locate.locate(proxy), tree, "test")
    assert isinstance(cfg, Proxy), cfg
    projects = live.topology.projects
    if static:
        projects = tuple(
            replace(
                p,
                live=False,
                services=MappingProxyType(
                    {k: replace(s, state=None, health=None, exit_code=None) for k, s in p.services.items()}
                ),
            )
            for p in projects
        )
    topology = Topology(
        projects=projects,
        proxies=(cfg,),
        engine_networks=live.topology.engine_networks,
        host_gateway=live.topology.host_gateway,
    )
    return list(pipeline.analyse(topology).findings)
