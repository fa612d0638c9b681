"""The scene as networkx node-link JSON (``.json``), for other tools:
``networkx.node_link_graph(json.load(f), edges="edges")`` gives back a ``MultiDiGraph``.

Nodes carry ``kind`` (service, network, host, volume, unresolved, ...), ``title``, ``details``, ``status``,
``rules`` and the structured facts of the kind (a service's image, networks with addresses and aliases,
ports; a network's driver, subnets, gateways, ``internal``). Edges carry ``kind`` (attach, publish, route),
``status`` (ok, error, warning, unknown, plain), ``rules`` and, for routes, the location, address, port and
what the address resolved to. The graph attributes list the findings, each with the keys of the edges and
nodes it is about. No environment value or label is ever included.
"""

from __future__ import annotations

import json
from typing import Any

import networkx as nx

from dockernet.render.layout import Layout
from dockernet.render.scene import Scene, shown

VERSION = 1


def graph(scene: Scene, layout: Layout | None = None) -> nx.MultiDiGraph[str]:
    """The scene as a networkx graph with JSON-safe attributes."""
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    g.graph.update(
        dockernet_graph=VERSION,
        title=scene.title,
        layout=layout.value if layout else None,
        partial=list(scene.partial),
        groups=[
            {"id": grp.id, "title": grp.title, "members": list(grp.members), "home": grp.home}
            for grp in scene.groups
        ],
        findings=[
            {
                "rule": f.rule,
                "severity": f.severity.value,
                "message": f.message,
                "hint": f.hint,
                "file": f.loc.file if f.container else shown(f.loc.file, scene.base),
                "line": f.loc.line or None,
                "project": f.project,
                "service": f.service,
                "target": f.target,
                "drawn_as": list(scene.targets_of(i)),
            }
            for i, f in enumerate(scene.findings)
        ],
    )
    for n in scene.nodes:
        attrs: dict[str, Any] = dict(n.data)
        attrs.update(
            key=n.key,
            kind=n.kind.value,
            title=n.title,
            details=list(n.details),
            status=n.status.value,
            rules=list(n.rules),
            home=n.home,
            group=n.group,
        )
        g.add_node(n.id, **attrs)
    for e in scene.edges:
        attrs = dict(e.data)
        attrs.update(
            id=e.key,
            kind=e.kind.value,
            label=e.label,
            status=e.status.value,
            rules=list(e.rules),
            via=e.via,
            implied=e.implied,
        )
        g.add_edge(e.source, e.target, key=e.id, **attrs)
    return g


def render(scene: Scene, layout: Layout | None = None) -> str:
    """The node-link JSON text, keys sorted."""
    g = graph(scene, layout)
    try:
        data = nx.node_link_data(g, edges="edges")
    except TypeError:  # networkx < 3.4 names the parameter ``link``
        data = nx.node_link_data(g, link="edges")  # type: ignore[call-arg]
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
