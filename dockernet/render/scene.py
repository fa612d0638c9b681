"""What a diagram shows, independent of how it is drawn: the scene.

Every format (DOT, Mermaid, JSON, HTML) draws the same :class:`Scene`, so they agree on what is shown and
the filtering options (``--network``, ``--service``, ``--no-ports``, ``--hide-ok``) are decided once, here,
where they are tested. The scene is built from the graph, the resolutions and the findings of one run:

* every network (name, driver, subnets, gateways; ``internal`` marked; the default bridge said to have no
  DNS) and every service (image, live state, address and aliases per network);
* published ports as edges from the ``host`` node;
* services that share a network namespace (``network_mode: service:x``, ``container:x``, ``host``) as one
  group;
* one edge per upstream address of every proxy route, to what it reaches. A route that reaches nothing gets
  a node of its own for what it names (an unknown name, the proxy's own loopback, a socket nobody shares...),
  so the mistake is visible. Unix-socket routes pass through the volume that holds the socket.

Secrets: service environments and labels may hold secrets; nothing here reads them.

Determinism: ids come from names in the model (never from memory addresses) and every collection is sorted,
so the same input gives the same scene and byte-identical output.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum, StrEnum
from typing import Any

from dockernet.analysis.graph import DEFAULT_BRIDGE, HOST, Topo, container_name, network_id
from dockernet.analysis.resolve import Kind, Resolution, Resolved, gateways
from dockernet.errors import UsageError
from dockernet.model import AnyProxy, Network, NetworkMode, PortMapping, Proxy, Service
from dockernet.model.findings import Finding, Severity
from dockernet.model.loc import relpath

MAX_NETWORK_LINES = 6
"""A service on more networks than this lists the first ones and ``+ N more``."""


class Status(Enum):
    """How an element is drawn."""

    PLAIN = "plain"
    """Structure: networks, attachments, ports."""
    OK = "ok"
    """A route that resolves and no finding breaks."""
    WARNING = "warning"
    """A warning finding is about it."""
    ERROR = "error"
    """An error finding is about it: the route fails."""
    UNKNOWN = "unknown"
    """What it reaches is decided at run time or outside Docker."""

    @property
    def rank(self) -> int:
        """Higher is worse (used to pick the status of an element several findings are about)."""
        return {"plain": 0, "ok": 1, "unknown": 2, "warning": 3, "error": 4}[self.value]


class NodeKind(StrEnum):
    """What a node stands for."""

    SERVICE = "service"
    NETWORK = "network"
    HOST = "host"
    VOLUME = "volume"
    UNRESOLVED = "unresolved"
    """A name an upstream uses that resolves to nothing."""
    LOOPBACK = "loopback"
    """The proxy's own loopback, when nothing else is in its namespace."""
    SOCKET = "socket"
    """A unix socket that no other service can see."""
    ADDRESS = "address"
    """An IP literal or an ``extra_hosts`` entry that matches no container."""
    EXTERNAL = "external"
    """A name outside Docker (public DNS)."""
    DYNAMIC = "dynamic"
    """An address made of nginx variables whose values are unknown."""


class EdgeKind(StrEnum):
    """What an edge stands for."""

    ATTACH = "attach"
    """service -> network."""
    PUBLISH = "publish"
    """host -> service: a published port."""
    ROUTE = "route"
    """proxy -> target (or proxy -> volume -> target for unix sockets)."""


@dataclass(frozen=True)
class Options:
    """What to show."""

    networks: tuple[str, ...] = ()
    """Focus on these networks (engine name or compose key): their members and the routes in and out."""
    services: tuple[str, ...] = ()
    """Focus on these services (name, ``project/name`` or container name) and their direct neighbours."""
    ports: bool = True
    """Show published ports (host -> service)."""
    hide_ok: bool = False
    """Only what a warning or error is about, and the networks it sits on."""
    base: str | None = None
    """Directory that file names in tooltips are relative to (default: the working directory)."""


@dataclass(frozen=True)
class Node:
    """One box of the diagram."""

    id: str
    """Stable id: ``service:<project>/<name>``, ``network:<name>``, ``host``, ``volume:<name>``,
    ``unresolved:<name>``..."""
    kind: NodeKind
    title: str
    details: tuple[str, ...] = ()
    """Lines under the title."""
    status: Status = Status.PLAIN
    rules: tuple[str, ...] = ()
    """IDs of the warnings and errors about the node itself."""
    home: str | None = None
    """The network (node id) the node is drawn inside when networks are clusters; None: outside all."""
    group: str | None = None
    """The shared network namespace (group id) the node belongs to."""
    findings: tuple[int, ...] = ()
    """Indexes into :attr:`Scene.findings` of the findings about the node itself."""
    data: Mapping[str, Any] = field(default_factory=dict)
    """Structured facts for the JSON format (JSON types only, no secrets)."""

    @property
    def key(self) -> str:
        """Short, stable id usable in SVG/HTML ids and Mermaid."""
        return "n" + _digest(self.id)


@dataclass(frozen=True)
class Edge:
    """One line of the diagram."""

    id: str
    """Stable id: ``<kind>|<source>|<target>|<n>``."""
    source: str
    target: str
    kind: EdgeKind
    label: str = ""
    """Lines separated by newlines."""
    status: Status = Status.PLAIN
    rules: tuple[str, ...] = ()
    """IDs of the warnings and errors that break or question the edge."""
    implied: bool = False
    """An attachment that drawing the source inside the target network already says."""
    via: str | None = None
    """For a route: the network (node id) its packets cross, when it crosses one that is drawn."""
    findings: tuple[int, ...] = ()
    tooltip: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Short, stable id usable in SVG/HTML ids and Mermaid."""
        return "e" + _digest(self.id)


@dataclass(frozen=True)
class Group:
    """Services that share one network namespace."""

    id: str
    """``netns:<owner node id>``; ``netns:host`` for the host's namespace."""
    title: str
    members: tuple[str, ...]
    home: str | None = None


@dataclass(frozen=True)
class Scene:
    """Everything one diagram shows, sorted."""

    title: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    groups: tuple[Group, ...]
    findings: tuple[Finding, ...]
    """All findings of the run (the HTML lists them); nodes and edges point into this by index."""
    partial: tuple[str, ...] = ()
    base: str | None = None
    """Directory that file names are shown relative to (None: the working directory)."""

    def node(self, node_id: str) -> Node:
        """A node by id."""
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)

    @property
    def networks(self) -> tuple[Node, ...]:
        """The network nodes."""
        return tuple(n for n in self.nodes if n.kind is NodeKind.NETWORK)

    @property
    def services(self) -> tuple[Node, ...]:
        """The service nodes."""
        return tuple(n for n in self.nodes if n.kind is NodeKind.SERVICE)

    def where(self, index: int) -> str:
        """``file:line`` of a finding, relative to :attr:`base`; live findings name their container."""
        f = self.findings[index]
        path = f.loc.file if f.container else relpath(f.loc.file, self.base)
        if f.container and not path.startswith(f"{f.container}:"):
            path = f"{f.container}:{path}"
        return path + (f":{f.loc.line}" if f.loc.line else "")

    def targets_of(self, index: int) -> tuple[str, ...]:
        """Keys of the edges and nodes a finding is about (for highlighting)."""
        edges = tuple(e.key for e in self.edges if index in e.findings)
        nodes = tuple(n.key for n in self.nodes if index in n.findings)
        return edges + nodes


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:10]


# ----------------------------------------------------------------------------------------------- build


@dataclass
class _Draft:
    """Mutable working state while building; frozen into a Scene at the end."""

    topo: Topo
    resolved: Resolved
    findings: tuple[Finding, ...]
    base: str | None
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: dict[str, Edge] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    attached: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    """service node -> network nodes."""
    members: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    """network node -> service nodes attached to it."""
    route_edges: dict[tuple[str, str], list[tuple[str, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    """(proxy node, upstream id or route id) -> [(edge id, looked-up host)]: what findings join on."""
    proxies: dict[str, AnyProxy] = field(default_factory=dict)
    """Proxies by their service's node id."""
    multi_project: bool = False
    vias: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """route edge id -> the networks it can cross."""

    def add_edge(self, edge: Edge) -> Edge:
        n = 0
        while f"{edge.id}|{n}" in self.edges:
            n += 1
        edge = replace(edge, id=f"{edge.id}|{n}")
        self.edges[edge.id] = edge
        return edge


def build(
    topo: Topo,
    resolved: Resolved,
    findings: Sequence[Finding],
    options: Options | None = None,
) -> Scene:
    """The scene for one run (``pipeline.Analysis``: its ``topo``, ``resolved`` and ``findings``)."""
    opts = options or Options()
    d = _Draft(topo, resolved, tuple(findings), opts.base)
    d.proxies = {node: p for p in topo.topology.proxies if (node := topo.by_key.get(p.service)) is not None}
    d.multi_project = len({s.project for s in topo.services.values()}) > 1
    view: Iterable[tuple[Any, Any, Any]] = topo.graph.edges(data="kind")
    links = sorted((str(u), str(v), str(kind)) for u, v, kind in view)
    for svc_node, net_node, kind in links:
        if kind == "attach":
            d.attached[svc_node].append(net_node)
            d.members[net_node].append(svc_node)
    _add_networks(d)
    _add_services(d)
    _add_host(d)
    _add_routes(d)
    _attach_findings(d)
    keep = _select(d, opts)
    return _freeze(d, keep, opts)


def _title(topo: Topo) -> str:
    names = sorted({p.name for p in topo.topology.projects})
    if not names:
        return "dockernet"
    shown = ", ".join(names[:4]) + (f" + {len(names) - 4} more" if len(names) > 4 else "")
    return f"{'project' if len(names) == 1 else 'projects'} {shown}"


def _net_details(d: _Draft, node: str, net: Network) -> tuple[str, ...]:
    if node == DEFAULT_BRIDGE:
        subnet = ", ".join(c.subnet for c in net.ipam if c.subnet) or "172.17.0.0/16"
        return ("default bridge (docker0)", subnet, "no DNS: names do not resolve")
    lines = [net.driver + (" · external" if net.external else "")]
    for cfg in net.ipam:
        if cfg.subnet:
            lines.append(cfg.subnet + (f" gw {cfg.gateway}" if cfg.gateway else ""))
    if net.internal:
        lines.append("internal: no route out")
    return tuple(lines)


def _add_networks(d: _Draft) -> None:
    for node, net in sorted(d.topo.networks.items()):
        d.nodes[node] = Node(
            id=node,
            kind=NodeKind.NETWORK,
            title=net.name,
            details=_net_details(d, node, net),
            data={
                "name": net.name,
                "key": net.key,
                "project": net.project,
                "driver": net.driver,
                "internal": net.internal,
                "external": net.external,
                "default_bridge": node == DEFAULT_BRIDGE,
                "subnets": [c.subnet for c in net.ipam if c.subnet]
                or (["172.17.0.0/16"] if node == DEFAULT_BRIDGE else []),
                "gateways": gateways(d.topo, node),
            },
        )


def _service_title(d: _Draft, svc: Service) -> str:
    return f"{svc.project}/{svc.name}" if d.multi_project else svc.name


def _add_services(d: _Draft) -> None:
    topo = d.topo
    for node, svc in sorted(topo.services.items()):
        lines: list[str] = []
        if svc.image:
            lines.append(svc.image)
        elif svc.build is not None:
            lines.append("build " + relpath(svc.build.context, d.base))
        if svc.state:
            state = svc.state + (f" ({svc.exit_code})" if svc.exit_code else "")
            if svc.health:
                state += f", {svc.health}"
            lines.append(state)
        if svc.replicas > 1:
            lines.append(f"{svc.replicas} replicas")
        mode = svc.network_mode
        if mode is NetworkMode.HOST:
            lines.append("network_mode: host")
        elif mode is NetworkMode.NONE:
            lines.append("network_mode: none")
        elif mode in (NetworkMode.SERVICE, NetworkMode.CONTAINER):
            lines.append(f"network_mode: {mode.value}:{svc.network_mode_target}")
        net_lines: list[tuple[str, str | None, tuple[str, ...]]] = []
        networks_data: list[dict[str, Any]] = []
        for net_node in d.attached.get(node, []):
            net = topo.networks[net_node]
            key = topo.attachment_network(svc, net_node) or net.key
            att = svc.attachment(key) if net_node != DEFAULT_BRIDGE else None
            ip = (att.ip or att.ipv4_address or att.ipv6_address) if att else None
            aliases = tuple(sorted(att.aliases)) if att else ()
            net_lines.append((net.name, ip, aliases))
            networks_data.append({"network": net.name, "ip": ip, "aliases": list(aliases)})
        lines.extend(_network_lines(net_lines))
        proxy = d.proxies.get(node)
        if proxy is not None:
            if not isinstance(proxy, Proxy):
                lines.append(f"{proxy.dialect}: config not visible")
            else:
                count = len(proxy.routes)
                lines.append(f"{proxy.dialect}: {count} route{'' if count == 1 else 's'}")
        d.nodes[node] = Node(
            id=node,
            kind=NodeKind.SERVICE,
            title=_service_title(d, svc),
            details=tuple(lines),
            data={
                "project": svc.project,
                "name": svc.name,
                "container_name": container_name(svc),
                "image": svc.image,
                "state": svc.state,
                "health": svc.health,
                "network_mode": mode.value,
                "network_mode_target": svc.network_mode_target,
                "networks": networks_data,
                "ports": [
                    {
                        "published": p.published,
                        "target": p.target,
                        "protocol": p.protocol,
                        "host_ip": p.host_ip,
                    }
                    for p in svc.ports
                ],
                "proxy": proxy is not None,
                "proxy_config": (
                    None if proxy is None else proxy.origin if isinstance(proxy, Proxy) else "not visible"
                ),
                "file": relpath(svc.loc.file, d.base),
                "line": svc.loc.line or None,
            },
        )
    _add_groups(d)


def _network_lines(nets: Sequence[tuple[str, str | None, tuple[str, ...]]]) -> list[str]:
    """``net 10.0.0.5 aka api`` per network; on one network, the network is the box it is drawn in, so
    only the address and aliases."""
    if len(nets) == 1:
        _, ip, aliases = nets[0]
        text = " ".join(filter(None, [ip, "aka " + ", ".join(aliases) if aliases else None]))
        return [text] if text else []
    lines = [
        " ".join(filter(None, [name, ip, "aka " + ", ".join(aliases) if aliases else None]))
        for name, ip, aliases in nets
    ]
    if len(lines) > MAX_NETWORK_LINES:
        more = len(lines) - MAX_NETWORK_LINES + 1
        lines = [*lines[: MAX_NETWORK_LINES - 1], f"+ {more} more networks"]
    return lines


def _add_groups(d: _Draft) -> None:
    """Shared network namespaces: ``service:x``/``container:x`` members with x; ``host`` with the host."""
    topo = d.topo
    by_owner: dict[str, list[str]] = defaultdict(list)
    for node in sorted(topo.services):
        owner = topo.namespace_owner(node)
        if owner is not None and (owner == HOST or owner != node):
            by_owner[owner].append(node)
    for owner, members in sorted(by_owner.items()):
        if owner == HOST:
            group = Group("netns:host", "host network namespace", tuple([HOST, *members]))
        else:
            title = f"shared network namespace of {topo.services[owner].name}"
            group = Group(f"netns:{owner}", title, tuple([owner, *members]))
        d.groups[group.id] = group
        for m in group.members:
            if m in d.nodes:
                d.nodes[m] = replace(d.nodes[m], group=group.id)


def _add_host(d: _Draft) -> None:
    topo = d.topo
    d.nodes[HOST] = Node(
        id=HOST,
        kind=NodeKind.HOST,
        title="Docker host",
        details=(f"host-gateway {topo.topology.host_gateway}",),
        group="netns:host" if "netns:host" in d.groups else None,
        data={"host_gateway": topo.topology.host_gateway},
    )
    published: dict[str, list[PortMapping]] = defaultdict(list)
    for _u, v, data in topo.graph.edges(data=True):
        if data.get("kind") == "publish":
            published[v].append(data["port"])
    for v, ports in sorted(published.items()):
        # One edge per service, one line per port: parallel edges would stack their labels.
        ports = sorted(set(ports), key=lambda p: (p.published or 0, p.target, p.protocol, p.host_ip or ""))
        lines = []
        for port in ports:
            host_ip = f"{port.host_ip}:" if port.host_ip and port.host_ip not in ("0.0.0.0", "::") else ":"
            proto = "" if port.protocol == "tcp" else f"/{port.protocol}"
            lines.append(f"{host_ip}{port.published} → {port.target}{proto}")
        d.add_edge(
            Edge(
                id=f"publish|{HOST}|{v}",
                source=HOST,
                target=v,
                kind=EdgeKind.PUBLISH,
                label="\n".join(lines),
                tooltip=f"published ports of {topo.services[v].name}: " + ", ".join(lines),
                data={
                    "ports": [
                        {
                            "published": p.published,
                            "target": p.target,
                            "protocol": p.protocol,
                            "host_ip": p.host_ip,
                        }
                        for p in ports
                    ]
                },
            )
        )
    for svc_node in sorted(d.attached):
        for net_node in d.attached[svc_node]:
            d.add_edge(
                Edge(
                    id=f"attach|{svc_node}|{net_node}", source=svc_node, target=net_node, kind=EdgeKind.ATTACH
                )
            )


# ---------------------------------------------------------------------------------------------- routes


def _route_label(res: Resolution) -> str:
    route, t = res.route, res.upstream
    where = route.match.path or "server"
    if t.unix_path is not None:
        addr = f"unix:{t.unix_path}"
    else:
        host = res.host if res.host is not None else t.raw.split("://", 1)[-1]
        addr = f"{host}:{t.port}" if t.port and res.host is not None else host
    if t.defined_in:
        where += f" ({t.defined_in})"
    return f"{where}\n{addr}"


def _res_sort_key(res: Resolution) -> tuple[str, str, int, str, str]:
    return (res.proxy, res.upstream.loc.file, res.upstream.loc.line, res.upstream.raw, res.host or "")


def _add_routes(d: _Draft) -> None:
    topo = d.topo
    for res in sorted(d.resolved.resolutions, key=_res_sort_key):
        proxy = topo.services[res.proxy]
        label = _route_label(res)
        data = {
            "location": res.route.match.path,
            "address": res.upstream.raw,
            "host": res.host,
            "port": res.upstream.port,
            "resolution": res.kind.value,
            "runtime_dns": res.runtime_dns,
            "file": relpath(res.upstream.loc.file, d.base),
            "line": res.upstream.loc.line or None,
        }
        where = relpath(res.upstream.loc.file, d.base) + (
            f":{res.upstream.loc.line}" if res.upstream.loc.line else ""
        )
        tooltip = f"{proxy.name} {res.upstream.directive} {res.upstream.raw} ({where})"
        status = Status.OK
        hops: list[tuple[str, str, str]] = []  # (source, target, label)
        nets: dict[str, list[str]] = defaultdict(list)
        for n, net in res.reached:
            if net in d.topo.networks:
                nets[n].append(net)
        if res.kind is Kind.UNIX:
            for target, via in res.reached:
                vol, _, inner = via.partition("|")
                _volume_node(d, vol, res.proxy)
                hops.append((res.proxy, vol, label))
                hops.append((vol, target, inner))
            if not res.reached:
                hops.append((res.proxy, _socket_node(d, res), label))
        else:
            targets = sorted({n for n, _ in res.reached})
            if res.kind is Kind.LOOPBACK:
                others = [n for n in targets if n != res.proxy]
                targets = others if others or HOST in targets else [_loopback_node(d, res)]
            if not targets and res.elsewhere:
                # The name exists, but where the proxy cannot reach it: draw the line it would need.
                targets = sorted({n for n, _ in res.elsewhere if n != res.proxy})
            if not targets:
                targets = [_placeholder(d, res)]
                status = Status.UNKNOWN
            hops.extend((res.proxy, t, label) for t in targets)
        if res.kind in (Kind.DYNAMIC, Kind.EXTERNAL, Kind.IP, Kind.ETC_HOSTS):
            status = Status.UNKNOWN
        first = True
        for source, target, text in hops:
            edge = d.add_edge(
                Edge(
                    id=f"route|{source}|{target}",
                    source=source,
                    target=target,
                    kind=EdgeKind.ROUTE,
                    label=text,
                    status=status,
                    tooltip=tooltip,
                    data={**data, "hop": "proxy" if first or source == res.proxy else "volume"},
                )
            )
            first = False
            if nets.get(target):
                d.vias[edge.id] = tuple(sorted(set(nets[target])))
            for subject in (res.upstream.id, res.route.id):
                key = (res.proxy, subject)
                if (edge.id, res.host or "") not in d.route_edges[key]:
                    d.route_edges[key].append((edge.id, res.host or ""))


def _volume_node(d: _Draft, vol: str, proxy: str) -> None:
    if vol in d.nodes:
        return
    kind, _, name = vol.partition(":")
    d.nodes[vol] = Node(
        id=vol,
        kind=NodeKind.VOLUME,
        title=name if kind == "volume" else relpath(name, d.base),
        details=("volume" if kind == "volume" else "bind mount",),
        data={"name": name, "type": kind, "of": proxy},
    )


def _socket_node(d: _Draft, res: Resolution) -> str:
    path = res.upstream.unix_path or ""
    node = f"socket:{res.proxy}|{path}"
    d.nodes.setdefault(
        node,
        Node(
            id=node,
            kind=NodeKind.SOCKET,
            title=f"unix:{path}",
            details=(f"only inside {d.topo.services[res.proxy].name}",),
            status=Status.ERROR,
            data={"path": path},
        ),
    )
    return node


def _loopback_node(d: _Draft, res: Resolution) -> str:
    proxy = d.topo.services[res.proxy]
    node = f"loopback:{res.proxy}"
    d.nodes.setdefault(
        node,
        Node(
            id=node,
            kind=NodeKind.LOOPBACK,
            title="loopback",
            details=(f"{proxy.name}'s own container",),
            group=d.nodes[res.proxy].group,
            data={"of": res.proxy},
        ),
    )
    return node


def _placeholder(d: _Draft, res: Resolution) -> str:
    """The node for an address that reaches no service."""
    host = res.host or ""
    details: tuple[str, ...]
    if res.kind is Kind.HOST:
        return HOST
    if res.kind is Kind.DYNAMIC:
        node = f"dynamic:{res.upstream.raw}"
        title, details, kind, status = (
            res.upstream.raw,
            ("decided per request",),
            NodeKind.DYNAMIC,
            Status.UNKNOWN,
        )
    elif res.kind is Kind.EXTERNAL:
        node = f"external:{host}"
        title, details, kind, status = host, ("outside Docker (public DNS)",), NodeKind.EXTERNAL, Status.PLAIN
    elif res.kind in (Kind.IP, Kind.ETC_HOSTS):
        node = f"address:{host}"
        what = f"extra_hosts → {res.hosts_entry}" if res.kind is Kind.ETC_HOSTS else "no container has it"
        title, details, kind, status = host, (what,), NodeKind.ADDRESS, Status.PLAIN
    else:
        node = f"unresolved:{host}"
        lines = [f"no DNS on the {res.no_dns}" if res.no_dns else "resolves to nothing"]
        if res.suggestion:
            lines.append(f'did you mean "{res.suggestion}"?')
        title, details, kind, status = f'"{host}"', tuple(lines), NodeKind.UNRESOLVED, Status.ERROR
    old = d.nodes.get(node)
    if old is not None:
        details = tuple(dict.fromkeys(old.details + details))
    d.nodes[node] = Node(id=node, kind=kind, title=title, details=details, status=status, data={"host": host})
    return node


# -------------------------------------------------------------------------------------------- findings


def _attach_findings(d: _Draft) -> None:
    """Point every finding at the route edges (or else the node) it is about."""
    edge_hits: dict[str, list[int]] = defaultdict(list)
    node_hits: dict[str, list[int]] = defaultdict(list)
    for i, f in enumerate(d.findings):
        edges: list[str] = []
        proxy = d.topo.by_key.get((f.project or "", f.service or "")) if f.service else None
        subject = f.upstream or f.route
        if proxy is not None and subject is not None:
            candidates = d.route_edges.get((proxy, subject), [])
            # One line can give several addresses (a variable with several values): keep the edges of the
            # one the finding is about, if it names one.
            named = [e for e, host in candidates if host and host == f.address]
            edges = named or [e for e, _ in candidates]
        for e in edges:
            edge_hits[e].append(i)
        if edges:
            continue
        node = proxy
        if node is None and f.network is not None:
            node = network_id(f.network)
        if node is not None:
            node_hits[node].append(i)
    for edge_id, hits in edge_hits.items():
        edge = d.edges[edge_id]
        status, rules = _judge(d, hits, edge.status)
        d.edges[edge_id] = replace(edge, status=status, rules=rules, findings=tuple(sorted(set(hits))))
    for node_id, hits in node_hits.items():
        old = d.nodes[node_id]
        status, rules = _judge(d, hits, old.status)
        d.nodes[node_id] = replace(old, status=status, rules=rules, findings=tuple(sorted(set(hits))))


def _judge(d: _Draft, hits: Iterable[int], status: Status) -> tuple[Status, tuple[str, ...]]:
    rules: set[str] = set()
    for i in hits:
        f = d.findings[i]
        if f.severity is Severity.NOTE:
            continue
        rules.add(f.rule)
        worse = Status.ERROR if f.severity is Severity.ERROR else Status.WARNING
        if worse.rank > status.rank:
            status = worse
    return status, tuple(sorted(rules))


# ------------------------------------------------------------------------------------------- selection


def _match_services(d: _Draft, names: Iterable[str]) -> set[str]:
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


def _match_networks(d: _Draft, names: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for name in names:
        hits = {node for node, net in d.topo.networks.items() if name in (net.name, net.key)}
        if not hits:
            known = ", ".join(sorted({n.name for n in d.topo.networks.values()})[:20])
            raise UsageError(f'--network: no network "{name}" (networks: {known or "none"})')
        found |= hits
    return found


def _group_closure(d: _Draft, nodes: set[str]) -> set[str]:
    """Add the other members of every shared namespace a node is in (a sidecar without its owner would
    make no sense)."""
    out = set(nodes)
    for group in d.groups.values():
        if out & set(group.members) and group.id != "netns:host":
            out |= set(group.members)
    return out


def _neighbours(d: _Draft, nodes: set[str], kinds: tuple[EdgeKind, ...]) -> set[str]:
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


def _select(d: _Draft, opts: Options) -> set[str]:
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


def _host_needed(d: _Draft, keep: set[str]) -> bool:
    """The host node stays when a route reaches it or a service uses its namespace."""
    if any(m in keep for g in d.groups.values() if g.id == "netns:host" for m in g.members if m != HOST):
        return True
    return any(e.kind is EdgeKind.ROUTE and e.target == HOST and e.source in keep for e in d.edges.values())


def _home(
    d: _Draft, node: str, keep: set[str], counts: Mapping[str, int], routed: Mapping[str, int]
) -> str | None:
    """The kept network a service is drawn in: the one most of its routes cross, so that a route is drawn
    inside the network it uses; else its smallest network (its own project's, usually), so that a service
    on a shared network stays with the services it works with."""
    nets = [n for n in d.attached.get(node, []) if n in keep]
    if not nets:
        return None
    return min(nets, key=lambda n: (-routed.get(f"{node}|{n}", 0), counts.get(n, 0), n))


def _freeze(d: _Draft, keep: set[str], opts: Options) -> Scene:
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
