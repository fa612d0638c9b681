"""What a scene keeps (``--network``, ``--service``, ``--no-ports``, ``--hide-ok``) and its frozen, sorted
form."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace

from dockernet.analysis.graph import HOST, Topo, container_name
from dockernet.errors import UsageError
from dockernet.render.scene import (
    Draft,
    Edge,
    EdgeKind,
    Group,
    Node,
    NodeKind,
    Options,
    Scene,
    Status,
)


def _match_services(d: Draft, names: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for name in names:
        hits = {
            node
            for node, svc in d.topo.services.items()
            if name in (svc.name, f"{svc.project}/{svc.name}", container_name(svc))
        }
        if not hits:
            known = ", ".join(sorted({s.name for s in d.topo.services.values()})[:20])
            raise UsageError(f'--service: no service "{name}" (services: {known or "none"})')
        found |= hits
    return found


def _match_networks(d: Draft, names: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for name in names:
        hits = {node for node, net in d.topo.networks.items() if name in (net.name, net.key)}
        if not hits:
            known = ", ".join(sorted({n.name for n in d.topo.networks.values()})[:20])
            raise UsageError(f'--network: no network "{name}" (networks: {known or "none"})')
        found |= hits
    return found


def _group_closure(d: Draft, nodes: set[str]) -> set[str]:
    """Add the other members of every shared namespace a node is in (a sidecar without its owner would
    make no sense)."""
    out = set(nodes)
    for group in d.groups.values():
        if out & set(group.members) and group.id != "netns:host":
            out |= set(group.members)
    return out


def _neighbours(d: Draft, nodes: set[str], kinds: tuple[EdgeKind, ...]) -> set[str]:
    """Nodes one edge away (of the given kinds), following unix-socket routes through their volume."""
    out = set(nodes)
    for e in d.edges.values():
        if e.kind in kinds and (e.source in nodes or e.target in nodes):
            out |= {e.source, e.target}
    volumes = {n for n in out if d.nodes[n].kind is NodeKind.VOLUME}
    for e in d.edges.values():
        if e.kind is EdgeKind.ROUTE and (e.source in volumes or e.target in volumes):
            out |= {e.source, e.target}
    return out


def _title(topo: Topo) -> str:
    names = sorted({p.name for p in topo.topology.projects})
    if not names:
        return "dockernet"
    shown = ", ".join(names[:4]) + (f" + {len(names) - 4} more" if len(names) > 4 else "")
    return f"{'project' if len(names) == 1 else 'projects'} {shown}"


def select(d: Draft, opts: Options) -> set[str]:
    """The node ids to draw."""
    # Networks nothing is attached to: the engine's own ``host`` and ``none`` (host networking is drawn as
    # the host's namespace) and, live, the networks of whatever else runs there. One a finding is about, or
    # one asked for, stays.
    asked_networks = _match_networks(d, opts.networks) if opts.networks else set()
    keep = {
        n
        for n, node in d.nodes.items()
        if node.kind is not NodeKind.NETWORK
        or d.members.get(n)
        or node.status in (Status.ERROR, Status.WARNING)
        or n in asked_networks
    }
    focused = bool(opts.networks or opts.services)
    if focused:
        focus: set[str] = set()
        if opts.networks:
            focus |= asked_networks | {m for n in asked_networks for m in d.members.get(n, [])}
        if opts.services:
            svcs = _group_closure(d, _match_services(d, opts.services))
            focus |= svcs | {n for s in svcs for n in d.attached.get(s, [])}
            focus = _neighbours(d, focus, (EdgeKind.ROUTE, EdgeKind.PUBLISH))
        else:
            focus = _neighbours(d, focus, (EdgeKind.ROUTE,))
        keep &= _group_closure(d, focus)
    if opts.hide_ok:
        bad = {n.id for n in d.nodes.values() if n.status in (Status.ERROR, Status.WARNING, Status.UNKNOWN)}
        for e in d.edges.values():
            if e.kind is EdgeKind.ROUTE and e.status is not Status.OK:
                bad |= {e.source, e.target}
        keep &= _group_closure(d, bad) | {n.id for n in d.nodes.values() if n.kind is NodeKind.NETWORK}
        # Only the networks that something kept sits on, or that a finding is about.
        keep = {
            n
            for n in keep
            if d.nodes[n].kind is not NodeKind.NETWORK
            or d.nodes[n].status in (Status.ERROR, Status.WARNING)
            or any(m in keep for m in d.members.get(n, []))
        }
    elif focused:
        # A kept service needs one network to be drawn in; other networks only when asked for.
        asked = set(asked_networks)
        if opts.services:
            asked |= {n for s in _match_services(d, opts.services) for n in d.attached.get(s, [])}
        keep = {n for n in keep if d.nodes[n].kind is not NodeKind.NETWORK or n in asked}
        for n in list(keep):
            own = d.attached.get(n, [])
            if own and not any(x in keep for x in own):
                keep.add(min(own, key=lambda x: (len(d.members[x]), x)))
    publishes = opts.ports and any(e.kind is EdgeKind.PUBLISH and e.target in keep for e in d.edges.values())
    if not publishes and not _host_needed(d, keep):
        keep.discard(HOST)
    return keep


def _host_needed(d: Draft, keep: set[str]) -> bool:
    """The host node stays when a route reaches it or a service uses its namespace."""
    if any(m in keep for g in d.groups.values() if g.id == "netns:host" for m in g.members if m != HOST):
        return True
    return any(e.kind is EdgeKind.ROUTE and e.target == HOST and e.source in keep for e in d.edges.values())


def _home(
    d: Draft, node: str, keep: set[str], counts: Mapping[str, int], routed: Mapping[str, int]
) -> str | None:
    """The kept network a service is drawn in: the one most of its routes cross, so that a route is drawn
    inside the network it uses; else its smallest network (its own project's, usually), so that a service
    on a shared network stays with the services it works with."""
    nets = [n for n in d.attached.get(node, []) if n in keep]
    if not nets:
        return None
    return min(nets, key=lambda n: (-routed.get(f"{node}|{n}", 0), counts.get(n, 0), n))


def freeze(d: Draft, keep: set[str], opts: Options) -> Scene:
    counts: dict[str, int] = defaultdict(int)
    for svc, nets in d.attached.items():
        if svc in keep:
            for net in nets:
                counts[net] += 1
    edges: list[Edge] = []
    routed: dict[str, int] = defaultdict(int)
    """``service|network`` -> number of drawn routes from or to the service that cross the network."""
    for e in sorted(d.edges.values(), key=lambda e: e.id):
        if e.source not in keep or e.target not in keep:
            continue
        if e.kind is EdgeKind.PUBLISH and not opts.ports:
            continue
        if opts.hide_ok and e.kind is EdgeKind.ROUTE and e.status is Status.OK:
            continue
        vias = [n for n in d.vias.get(e.id, ()) if n in keep]
        if vias:
            e = replace(e, via=min(vias, key=lambda n: (counts.get(n, 0), n)))
            routed[f"{e.source}|{e.via}"] += 1
            routed[f"{e.target}|{e.via}"] += 1
        edges.append(e)
    homes: dict[str, str | None] = {}
    for node in sorted(keep):
        if d.nodes[node].kind is NodeKind.SERVICE:
            homes[node] = _home(d, node, keep, counts, routed)
    # A shared namespace is drawn where its owner is.
    groups: list[Group] = []
    for group in sorted(d.groups.values(), key=lambda g: g.id):
        members = tuple(m for m in group.members if m in keep)
        if len(members) < 2 and not (group.id == "netns:host" and members):
            continue
        owner_home = None if group.id == "netns:host" else homes.get(group.members[0])
        for m in members:
            homes[m] = owner_home
        groups.append(replace(group, members=members, home=owner_home))
    grouped = {m for g in groups for m in g.members}
    nodes: list[Node] = []
    for node in sorted(keep):
        drawn = d.nodes[node]
        home = homes.get(node)
        if drawn.kind in (NodeKind.LOOPBACK, NodeKind.VOLUME):
            # Drawn next to the proxy that connects through it.
            owner = drawn.data.get("of")
            home = homes.get(str(owner)) if owner else None
        nodes.append(replace(drawn, home=home, group=drawn.group if node in grouped else None))
    if opts.hide_ok:
        # Only the networks where something is drawn: one that only says "the proxy is on it too" is
        # noise when the point is what is wrong.
        used = {n.home for n in nodes} | {e.via for e in edges} | {g.home for g in groups}
        dropped = {
            n.id
            for n in nodes
            if n.kind is NodeKind.NETWORK
            and n.id not in used
            and n.status not in (Status.ERROR, Status.WARNING)
        }
        nodes = [n for n in nodes if n.id not in dropped]
        edges = [e for e in edges if e.target not in dropped]
    edges = [
        replace(e, implied=homes.get(e.source) == e.target) if e.kind is EdgeKind.ATTACH else e for e in edges
    ]
    return Scene(
        title=_title(d.topo),
        nodes=tuple(nodes),
        edges=tuple(edges),
        groups=tuple(groups),
        findings=d.findings,
        partial=d.topo.topology.partial,
        base=opts.base,
    )
