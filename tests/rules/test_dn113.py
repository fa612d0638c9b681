"""DN113 external-network-missing: with ``check --engine`` (a static project against the recorded engine's
networks) and live (containers on a network that no longer exists), each with its near-miss."""

from __future__ import annotations

from types import MappingProxyType

from dockernet import pipeline
from dockernet.model import Attachment, Loc, Network, Project, Service, Topology
from dockernet.model.findings import Finding
from dockernet.sources.engine.build import build
from dockernet.sources.engine.context import context_for
from tests.sources.engine.recorded import recorded, snap_of


def static_project(network_name: str) -> Project:
    nginx = Service(
        project="web",
        name="nginx",
        loc=Loc("/p/compose.yml", 3),
        networks=(Attachment("edge"),),
    )
    net = Network(key="edge", name=network_name, project="web", external=True, loc=Loc("/p/compose.yml", 9))
    return Project(
        "web", "/p", ("/p/compose.yml",), MappingProxyType({"nginx": nginx}), MappingProxyType({"edge": net})
    )


def dn113(topology: Topology) -> list[Finding]:
    return [f for f in pipeline.analyse(topology).findings if f.rule == "DN113"]


def test_dn113_fires_for_a_missing_external_network_with_check_engine() -> None:
    static = Topology(projects=(static_project("edge-net"),))
    found = dn113(context_for(static, snap_of(recorded())))
    assert [(f.loc.file, f.loc.line, f.project, f.service) for f in found] == [
        ("/p/compose.yml", 9, "web", "nginx")
    ]
    assert 'docker compose up fails with "network edge-net not found"' in found[0].message


def test_dn113_near_misses_existing_network_and_no_engine() -> None:
    existing = Topology(projects=(static_project("dnrec-shared"),))
    assert dn113(context_for(existing, snap_of(recorded()))) == []
    assert dn113(Topology(projects=(static_project("edge-net"),))) == []  # plain check: no engine to ask


def test_dn113_fires_live_for_containers_on_a_removed_network() -> None:
    doc = recorded()
    doc["networks"] = [n for n in doc["networks"] if n["Name"] != "dnrec-shared"]
    found = dn113(build(snap_of(doc)).topology)
    assert [(f.project, f.service) for f in found] == [("dnrec", "proxy")]
    assert 'network "dnrec-shared" no longer exists' in found[0].message


def test_dn113_live_near_miss_own_network_is_recreated_by_compose() -> None:
    doc = recorded()
    doc["networks"] = [n for n in doc["networks"] if n["Name"] != "dnrec_back"]
    assert dn113(build(snap_of(doc)).topology) == []
