"""Build the :class:`~dockernet.render.scene.Scene` of one run: networks, services, the host, one edge per
upstream address of every route, and the findings on the edges and nodes they are about (joined on the
route, upstream and network ids a finding names)."""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from dockernet.analysis.graph import DEFAULT_BRIDGE, HOST, Topo, container_name, network_id
from dockernet.analysis.resolve import Kind, Resolution, Resolved, gateways
from dockernet.model import Network, NetworkMode, PortMapping, Proxy, Service
from dockernet.model.findings import Finding, Severity
from dockernet.render.scene import (
    MAX_NETWORK_LINES,
    Draft,
    Edge,
    EdgeKind,
    Group,
    Node,
    NodeKind,
    Options,
    Scene,
    Status,
    shown,
)
from dockernet.render.selection import freeze, select


def _common_directory(topo: Topo) -> str | None:
    """The directory that holds every compose project of the run (None for a live engine only)."""
    dirs = [p.directory for p in topo.topology.projects if not p.live and p.directory]
    return os.path.commonpath(dirs) if dirs else None


def build(
    topo: Topo,
    resolved: Resolved,
    findings: Sequence[Finding],
    options: Options | None = None,
) -> Scene:
    """The scene for one run (``pipeline.Analysis``: its ``topo``, ``resolved`` and ``findings``)."""
    opts = options or Options()
    d = Draft(topo, _redacted(topo, resolved), tuple(findings), opts.base or _common_directory(topo))
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
    keep = select(d, opts)
    return freeze(d, keep, opts)


def _redacted(topo: Topo, resolved: Resolved) -> Resolved:
    """The resolutions with every host an environment value gave shown as what was written (``{$UP}``):
    environments hold secrets (:attr:`dockernet.model.Proxy.redact`)."""
    hidden = {
        node: dict(p.redact)
        for p in topo.topology.proxies
        if isinstance(p, Proxy) and p.redact and (node := topo.by_key.get(p.service)) is not None
    }
    if not hidden:
        return resolved
    out = []
    for res in resolved.resolutions:
        written = hidden.get(res.proxy, {}).get(res.host or "")
        out.append(replace(res, host=written) if written else res)
    return Resolved(tuple(out))


def _net_details(d: Draft, node: str, net: Network) -> tuple[str, ...]:
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


def _add_networks(d: Draft) -> None:
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


_DIGEST = re.compile(r"@(sha256:[0-9a-f]{12})[0-9a-f]{52}\b")


def short_image(image: str) -> str:
    """An image reference as a box shows it: a pinned digest cut to its first 12 hex digits (as ``docker
    images`` shows ids), so one 100-character reference does not widen a whole column of the picture. The
    JSON keeps the full reference."""
    return _DIGEST.sub(r"@\1…", image)


def _service_title(d: Draft, svc: Service) -> str:
    if svc.on_host:
        return f"{svc.name} on the host"
    return f"{svc.project}/{svc.name}" if d.multi_project else svc.name


def _add_services(d: Draft) -> None:
    topo = d.topo
    for node, svc in sorted(topo.services.items()):
        lines: list[str] = []
        if svc.image:
            lines.append(short_image(svc.image))
        elif svc.build is not None:
            lines.append("build " + shown(svc.build.context, d.base))
        if svc.state:
            state = svc.state + (f" ({svc.exit_code})" if svc.exit_code else "")
            if svc.health:
                state += f", {svc.health}"
            lines.append(state)
        if svc.replicas > 1:
            lines.append(f"{svc.replicas} replicas")
        mode = svc.network_mode
        if svc.on_host:
            lines.append("runs on the Docker host, not in a container")
        elif mode is NetworkMode.HOST:
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
                "file": shown(svc.loc.file, d.base),
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


def _add_groups(d: Draft) -> None:
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


def _add_host(d: Draft) -> None:
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


def _add_routes(d: Draft) -> None:
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
            "file": shown(res.upstream.loc.file, d.base),
            "line": res.upstream.loc.line or None,
        }
        where = shown(res.upstream.loc.file, d.base) + (
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
            if res.kind is Kind.LOOPBACK and res.published:
                # From the host's namespace, through the ports the containers publish there.
                hops.append((res.proxy, HOST, label))
                hops.extend((HOST, n, f"{m.published} → {m.target}") for n, m in res.published)
                targets = []
            elif res.kind is Kind.LOOPBACK:
                others = [n for n in targets if n != res.proxy]
                targets = others if others or HOST in targets else [_loopback_node(d, res)]
            if not targets and res.elsewhere:
                # The name exists, but where the proxy cannot reach it: draw the line it would need.
                targets = sorted({n for n, _ in res.elsewhere if n != res.proxy})
            if not targets and not hops:
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


def _volume_node(d: Draft, vol: str, proxy: str) -> None:
    if vol in d.nodes:
        return
    kind, _, name = vol.partition(":")
    d.nodes[vol] = Node(
        id=vol,
        kind=NodeKind.VOLUME,
        title=name if kind == "volume" else shown(name, d.base),
        details=("volume" if kind == "volume" else "bind mount",),
        data={"name": name, "type": kind, "of": proxy},
    )


def _socket_node(d: Draft, res: Resolution) -> str:
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


def _loopback_node(d: Draft, res: Resolution) -> str:
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


def _placeholder(d: Draft, res: Resolution) -> str:
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


def _attach_findings(d: Draft) -> None:
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


def _judge(d: Draft, hits: Iterable[int], status: Status) -> tuple[Status, tuple[str, ...]]:
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
