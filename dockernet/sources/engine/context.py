"""``check --engine``: a static topology with the live engine as context (:func:`context_for`)."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

from dockernet.model import Project, Topology
from dockernet.sources.engine.build import build
from dockernet.sources.engine.snapshot import Scope, Snapshot


def context_for(static: Topology, snap: Snapshot, scope: Scope = Scope()) -> Topology:
    """A static topology with the engine as extra context (``check --engine``): the engine's networks
    (for DN113 and the real gateways), the host gateway, and the running containers of other projects
    that share a network with the checked ones (so names on shared external networks resolve).

    Engine networks that a checked project creates itself keep the project's declaration.
    """
    live = build(snap, scope)
    declared = {net.name for p in static.projects for net in p.networks.values() if not net.external}
    checked_projects = {p.name for p in static.projects}
    engine_nets = [n for n in live.topology.engine_networks if n.name not in declared]
    for p in live.topology.projects:
        if p.name in checked_projects:
            continue
        engine_nets.extend(
            replace(n, declared=False)
            for n in p.networks.values()
            if n.name not in declared and not n.external
        )
    static_nets = {n.name for p in static.projects for n in p.networks.values()}
    extra: list[Project] = []
    for p in live.topology.projects:
        if p.name in checked_projects:
            continue
        services = {k: s for k, s in p.services.items() if any(a.network in static_nets for a in s.networks)}
        if services:
            extra.append(replace(p, services=MappingProxyType(services), networks=MappingProxyType({})))
    return replace(
        static,
        projects=static.projects + tuple(extra),
        engine_networks=tuple(sorted({n.name: n for n in engine_nets}.values(), key=lambda n: n.name)),
        host_gateway=live.topology.host_gateway,
        partial=static.partial + live.topology.partial,
    )
