"""``dockernet trace``: one request followed hop by hop from the client to the process that answers it, on
the facts of an :class:`~dockernet.pipeline.Analysis` (compose input or the live engine).

The hops, in order: the client; the published port (or the host listener) that takes the request; the
proxy's listener; the route the proxy picks (nginx's own ``server``/``location`` selection,
:mod:`dockernet.dialects.nginx.select`; for other proxies the routes' host and path matches); how the proxy
resolves the upstream (its :class:`~dockernet.model.Lookup`, the embedded DNS on which networks,
``/etc/hosts``); the network that carries the connection; the target container, its address and port; what
listens there (declared, or read live); the container's state and health.

Verdicts are never derived here: a hop is blocked by the finding of the analysis that explains it (the
same findings ``check`` and ``scan`` print, joined by route id and upstream address), so a trace always
agrees with them. What dockernet takes without evidence (a port from ``EXPOSE``, a container not started
yet) is marked as an assumption.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from dockernet.analysis.graph import HOST, Topo
from dockernet.analysis.resolve import Kind, Resolution
from dockernet.dialects import DIALECTS
from dockernet.errors import UsageError
from dockernet.model import Lookup, Proxy, Route, Service, UnreadProxy, safe
from dockernet.model.findings import Finding, Severity
from dockernet.model.trace import Hop, HopVerdict, Trace, Verdict
from dockernet.pipeline import Analysis
from dockernet.rules.base import PROC_EVIDENCE, Context

STEPS = ("client", "published-port", "listener", "route", "resolve", "network", "target", "listen", "state")
"""The hops in the order a request takes them."""

RULE_STEP = {
    "DN101": "resolve",
    "DN102": "resolve",
    "DN103": "network",
    "DN104": "listen",
    "DN105": "target",
    "DN106": "resolve",
    "DN107": "resolve",
    "DN108": "network",
    "DN109": "network",
    "DN110": "state",
    "DN111": "listen",
    "DN112": "network",
    "DN113": "network",
    "DN114": "resolve",
    "DN115": "resolve",
    "DN116": "listener",
    "DN201": "state",
    "DN203": "resolve",
    "DN204": "resolve",
    "DN205": "network",
    "DN206": "resolve",
    "DN207": "network",
    "DN208": "resolve",
    "DN301": "resolve",
    "DN401": "listener",
    "DN501": "route",
    "DN502": "route",
    "DN503": "network",
    "DN504": "network",
    "DN505": "target",
    "DN506": "route",
    "DN507": "route",
    "DN508": "listen",
    "DN509": "target",
    "DN510": "target",
    "DN601": "listener",
    "DN602": "route",
    "DN603": "listener",
}
"""The hop each rule's finding is about (a rule not listed: the route)."""

PROXY_WIDE = frozenset({"DN116", "DN401", "DN601", "DN506"})
"""Rules whose finding names the proxy, not one route, and stops every route of it (the proxy does not
start, or has no provider)."""

RANDOM_PICK = frozenset({"DN204", "DN503"})
"""Warnings that mean the proxy may connect to one of several targets: the trace is ambiguous."""

_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0", "[::1]"})


@dataclass(frozen=True)
class Request:
    """What a URL asks for."""

    url: str
    scheme: str
    host: str
    port: int
    path: str


def parse_url(url: str) -> Request:
    """The parts of ``http://localhost:8080/api/users`` (a missing scheme is ``http``); a
    :class:`UsageError` for anything else."""
    text = url if "://" in url else "http://" + url
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as e:
        raise UsageError(f'"{url}" is not a URL: {e}') from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f'"{url}" is not an http:// or https:// URL with a host')
    default = 443 if parts.scheme == "https" else 80
    return Request(text, parts.scheme, parts.hostname.lower(), port or default, parts.path or "/")


def trace_url(analysis: Analysis, url: str) -> tuple[Trace, ...]:
    """The request for ``url`` traced from the host's published port to the process that answers it: one
    trace per service that publishes the port (usually one)."""
    req = parse_url(url)
    ctx = Context(topo=analysis.topo, resolved=analysis.resolved)
    topo = analysis.topo
    client = Hop(
        "client",
        HopVerdict.OK if req.host in _LOCAL_HOSTS else HopVerdict.ASSUMED,
        f"GET {req.path} with Host: {req.host}, to port {req.port} of this Docker host"
        + ("" if req.host in _LOCAL_HOSTS else f' (assumed: "{req.host}" resolves to this Docker host)'),
    )
    entries = list(_entries(topo, req.port))
    if not entries:
        published = sorted(
            {
                m.published
                for s in topo.services.values()
                for m in s.ports
                if m.published and m.protocol == "tcp"
            }
        )
        hop = Hop(
            "published-port",
            HopVerdict.BLOCKED,
            f"nothing publishes port {req.port} on this host"
            + (
                f" (published ports: {', '.join(map(str, published))})"
                if published
                else " (no service publishes a port)"
            ),
        )
        return (Trace(url, Verdict.UNREACHABLE, (client, hop)),)
    out: list[Trace] = []
    for node, container_port, hop in entries:
        svc = topo.service(node)
        proxy = ctx._proxies.get(node)
        start = (client, hop)
        if proxy is None:
            out.append(
                Trace(
                    url,
                    Verdict.UNDETERMINED,
                    (
                        *start,
                        Hop(
                            "listener",
                            HopVerdict.UNKNOWN,
                            f"{svc.name} is not a proxy dockernet reads: "
                            "the published port reaches it directly",
                            svc.loc.file,
                            svc.loc.line,
                        ),
                    ),
                    proxy=svc.name,
                    project=svc.project or None,
                )
            )
            continue
        out.append(_through_proxy(analysis, ctx, node, proxy, start, container_port, req.host, req.path, url))
    return tuple(out)


def trace_location(analysis: Analysis, proxy_name: str, location: str) -> tuple[Trace, ...]:
    """The route of proxy ``proxy_name`` (a service or container name) whose match reads ``location``
    (``/api/``, ``= /x``, a Traefik router, a Caddy path), or that nginx would pick for that path."""
    ctx = Context(topo=analysis.topo, resolved=analysis.resolved)
    nodes = [
        n
        for n, p in ctx._proxies.items()
        if proxy_name
        in (p.service[1], analysis.topo.service(n).container_name, f"{p.service[0]}/{p.service[1]}")
    ]
    if not nodes:
        names = sorted({p.service[1] for p in ctx._proxies.values()})
        raise UsageError(f'no proxy "{proxy_name}" (proxies: {", ".join(names) or "none"})')
    out: list[Trace] = []
    for node in nodes:
        proxy = ctx._proxies[node]
        request = f"{proxy_name} {location}"
        client = Hop("client", HopVerdict.OK, f"a request for {location} reaching {proxy_name}'s listener")
        if isinstance(proxy, UnreadProxy):
            out.append(_unread(request, proxy, (client,)))
            continue
        written = [r for r in proxy.routes if location in (r.match.path, r.title, r.title.split(" ", 1)[-1])]
        if written:
            for route in written:
                why = Hop(
                    "route",
                    HopVerdict.OK,
                    f"{route.title}, as asked",
                    route.match.loc.file or None,
                    route.match.loc.line or None,
                )
                out.append(_finish(analysis, ctx, node, proxy, route, (client, why), request))
            continue
        port = next(iter(proxy.listens), 80)
        out.append(_through_proxy(analysis, ctx, node, proxy, (client,), port, "", location, request))
    return tuple(out)


def trace_all(analysis: Analysis) -> tuple[Trace, ...]:
    """Every route of every proxy, and each proxy whose routes could not be read."""
    ctx = Context(topo=analysis.topo, resolved=analysis.resolved)
    out: list[Trace] = []
    for node, proxy in ctx.proxies():
        if isinstance(proxy, UnreadProxy):
            out.append(_unread(proxy.service[1], proxy, ()))
            continue
        for route in proxy.routes:
            client = Hop("client", HopVerdict.OK, f"a request that {route.title} serves")
            why = Hop(
                "route",
                HopVerdict.OK,
                route.title,
                route.match.loc.file or None,
                route.match.loc.line or None,
            )
            out.append(
                _finish(analysis, ctx, node, proxy, route, (client, why), f"{proxy.service[1]} {route.title}")
            )
    return tuple(out)


def hidden(analysis: Analysis, traces: Sequence[Trace]) -> tuple[Trace, ...]:
    """The traces with every value from outside the compose files (env files, the environment, what a
    reader substituted) shown by its name, as in findings: secrets never reach an output."""
    pairs = [pair for p in analysis.topo.topology.proxies if isinstance(p, Proxy) for pair in p.redact]
    table = {value: written for value, written in pairs if len(value) >= 3}
    hide = safe.redactor(analysis.topo.topology)
    out = tuple(traces)
    if hide is not None:
        out = safe.deep(out, hide)
    if table:
        out = safe.deep(out, safe.replacer(table))
    return out


# ------------------------------------------------------------------------------------------ entry


def _entries(topo: Topo, port: int) -> Iterable[tuple[str, int, Hop]]:
    """(service node, container port, hop) for each service that takes connections to ``port`` on the host:
    a published port, or a listener of a service on the host's network."""
    for node, svc in sorted(topo.services.items()):
        for m in svc.ports:
            if m.published == port and m.protocol == "tcp":
                bind = m.host_ip or "0.0.0.0"
                yield (
                    node,
                    m.target,
                    Hop(
                        "published-port",
                        HopVerdict.OK,
                        f"{bind}:{port} is published to {svc.name}'s container port {m.target} "
                        "(docker-proxy / iptables DNAT)",
                        m.loc.file or None,
                        m.loc.line or None,
                    ),
                )
                break
        else:
            if topo.namespace_owner(node) == HOST:
                yield (
                    node,
                    port,
                    Hop(
                        "published-port",
                        HopVerdict.ASSUMED,
                        f"{svc.name} uses the host's network (network_mode: host): it listens on the "
                        "host itself",
                        svc.network_mode_loc.file or None,
                        svc.network_mode_loc.line or None,
                    ),
                )


def _through_proxy(
    analysis: Analysis,
    ctx: Context,
    node: str,
    proxy: Proxy | UnreadProxy,
    start: tuple[Hop, ...],
    port: int,
    host: str,
    path: str,
    request: str,
) -> Trace:
    if isinstance(proxy, UnreadProxy):
        return _unread(request, proxy, start)
    title = DIALECTS[proxy.dialect].title
    svc = ctx.service(node)
    stopped = _proxy_wide(analysis, proxy)
    if port not in proxy.listens and not stopped:
        hop = Hop(
            "listener",
            HopVerdict.BLOCKED,
            f"{title} in {svc.name} listens on {', '.join(map(str, proxy.listens)) or 'no port'}, not on "
            f"container port {port}: the connection is reset",
        )
        return _trace(request, proxy, None, (*start, hop), Verdict.UNREACHABLE)
    listener = Hop("listener", HopVerdict.OK, f"{title} in {svc.name} listens on {port}", None, None)
    route, hop = _select(proxy, port, host, path)
    if stopped:
        f = stopped[0]
        listener = Hop(
            "listener",
            HopVerdict.BLOCKED,
            f"{title} in {svc.name} does not start: {f.message}",
            f.loc.file,
            f.loc.line,
            f.rule,
            f.hint,
        )
        rules = tuple(x.rule for x in stopped)
        return _trace(request, proxy, route, (*start, listener), Verdict.UNREACHABLE, rules)
    if route is None:
        verdict = Verdict.UNREACHABLE if hop.verdict is HopVerdict.BLOCKED else Verdict.REACHABLE
        return _trace(request, proxy, None, (*start, listener, hop), verdict)
    return _finish(analysis, ctx, node, proxy, route, (*start, listener, hop), request)


def _select(proxy: Proxy, port: int, host: str, path: str) -> tuple[Route | None, Hop]:
    """The route the proxy picks and the hop that says how."""
    title = DIALECTS[proxy.dialect].title
    from dockernet.dialects.nginx import Syntax

    if isinstance(proxy.syntax, Syntax):
        from dockernet.dialects.nginx.select import pick

        picked = pick(proxy.syntax.directives, port, host, path)
        if picked.server is None:
            return None, Hop("route", HopVerdict.BLOCKED, f"nginx: {picked.server_why}")
        why = picked.server_why + (f"; {picked.location_why}" if picked.location_why else "")
        if picked.loopback_only:
            return None, Hop(
                "route",
                HopVerdict.BLOCKED,
                "nginx: the server listens on a loopback address only: "
                "requests from outside its container never reach it",
                picked.server.loc.file,
                picked.server.loc.line,
            )
        chosen = picked.location or picked.server
        for r in proxy.routes:
            if r.match.loc == chosen.loc or (
                picked.location is None and r.match.path is None and r.match.loc == picked.server.loc
            ):
                return r, Hop(
                    "route", HopVerdict.OK, f"nginx picks {r.title}: {why}", chosen.loc.file, chosen.loc.line
                )
        inner = [
            d.name
            for d in chosen.block or ()
            if d.name in ("return", "root", "alias", "try_files", "rewrite")
        ]
        served = f" ({', '.join(dict.fromkeys(inner))})" if inner else ""
        where = f"location {' '.join(chosen.args)}" if picked.location is not None else "the server itself"
        return None, Hop(
            "route",
            HopVerdict.OK,
            f"nginx picks {where}: {why}; it passes nothing upstream, nginx answers itself{served}",
            chosen.loc.file,
            chosen.loc.line,
        )
    best: tuple[tuple[int, int], Route] | None = None
    for r in proxy.routes:
        if r.match.entry and not any(_entry_port(e) == port for e in r.match.entry):
            continue
        host_rank = _host_rank(r.match.hosts, host)
        if host_rank is None or not _path_matches(r.match.path, path):
            continue
        rank = (host_rank, len(r.match.path or ""))
        if best is None or rank > best[0]:
            best = (rank, r)
    if best is None:
        return None, Hop(
            "route",
            HopVerdict.BLOCKED,
            f"{title}: no route matches Host {host or '(any)'} and path {path} on port {port}: "
            f"{title} answers 404 itself",
        )
    r = best[1]
    return r, Hop(
        "route",
        HopVerdict.OK,
        f"{title} picks {r.title} (the most specific host, then the longest path that match; "
        f"assumed: rule priorities not read)",
        r.match.loc.file or None,
        r.match.loc.line or None,
    )


def _entry_port(entry: str) -> int | None:
    tail = entry.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else None


def _host_rank(hosts: Sequence[str], host: str) -> int | None:
    if not hosts:
        return 0
    if not host:
        return 1
    for h in hosts:
        h = h.lower()
        if h == host:
            return 3
        if "*" in h and fnmatch.fnmatchcase(host, h):
            return 2
    return None


def _path_matches(pattern: str | None, path: str) -> bool:
    if not pattern or pattern in ("/", "*", "/*"):
        return True
    if "*" in pattern:
        return fnmatch.fnmatchcase(path, pattern) or (pattern.endswith("/*") and path == pattern[:-2])
    return path.startswith(pattern)


# ------------------------------------------------------------------------------------------ hops


def _finish(
    analysis: Analysis,
    ctx: Context,
    node: str,
    proxy: Proxy,
    route: Route,
    head: tuple[Hop, ...],
    request: str,
) -> Trace:
    """The hops after the route's match, one chain per address the route connects to, with the findings
    about the route put on the hops they explain."""
    about = [f for f in analysis.findings if f.route == route.id]
    wide = [f for f in _proxy_wide(analysis, proxy) if f.route != route.id]
    if wide and not any(h.step == "listener" for h in head):
        f = wide[0]
        hop = Hop(
            "listener",
            HopVerdict.BLOCKED,
            f"{DIALECTS[proxy.dialect].title} does not start: {f.message}",
            f.loc.file,
            f.loc.line,
            f.rule,
            f.hint,
        )
        return _trace(request, proxy, route, (*head, hop), Verdict.UNREACHABLE, tuple(x.rule for x in wide))
    resolutions = [r for r in analysis.resolved.resolutions if r.route.id == route.id]
    chains: list[tuple[Hop, ...]] = []
    route_level = [f for f in about if STEPS.index(RULE_STEP.get(f.rule, "route")) <= STEPS.index("route")]
    head = _apply(head, route_level)
    for res in resolutions:
        mine = [
            f
            for f in about
            if f not in route_level
            and f.upstream in (None, res.upstream.id)
            and (f.address is None or f.address == res.host)
        ]
        chains.append(_apply(_hops(ctx, res), mine))
    if not resolutions:
        chains.append(
            (Hop("resolve", HopVerdict.UNKNOWN, "the route names no address dockernet can follow"),)
        )
    hops = head + tuple(h for chain in chains for h in chain)
    blocked = [any(h.verdict is HopVerdict.BLOCKED for h in c) for c in chains]
    if any(h.verdict is HopVerdict.BLOCKED for h in head) or all(blocked):
        verdict = Verdict.UNREACHABLE
    elif any(blocked) or any(h.verdict is HopVerdict.AMBIGUOUS for h in hops):
        verdict = Verdict.AMBIGUOUS
    elif any(h.verdict is HopVerdict.UNKNOWN for h in hops):
        verdict = Verdict.UNDETERMINED
    else:
        verdict = Verdict.REACHABLE
    return _trace(request, proxy, route, hops, verdict, tuple(dict.fromkeys(f.rule for f in about)))


def _apply(hops: tuple[Hop, ...], findings: Sequence[Finding]) -> tuple[Hop, ...]:
    """The hops with each finding on the hop it explains (a hop added where the chain has none); an error
    ends the chain there."""
    out = list(hops)
    for f in sorted(findings, key=lambda f: f.severity.rank, reverse=True):
        step = RULE_STEP.get(f.rule, "route")
        if f.severity is Severity.ERROR:
            verdict = HopVerdict.BLOCKED
        elif f.rule in RANDOM_PICK:
            verdict = HopVerdict.AMBIGUOUS
        else:
            verdict = HopVerdict.WARNING
        at = next((i for i, h in enumerate(out) if h.step == step and h.rule is None), None)
        marked = Hop(step, verdict, f.message, f.loc.file, f.loc.line, f.rule, f.hint)
        if at is None:
            at = next((i for i, h in enumerate(out) if STEPS.index(h.step) > STEPS.index(step)), len(out))
            out.insert(at, marked)
        else:
            out[at] = replace(
                marked,
                detail=f"{out[at].detail}; {f.message}" if verdict is not HopVerdict.BLOCKED else f.message,
            )
    first = next((i for i, h in enumerate(out) if h.verdict is HopVerdict.BLOCKED), None)
    return tuple(out if first is None else out[: first + 1])


def _hops(ctx: Context, res: Resolution) -> tuple[Hop, ...]:
    """The facts after the match for one address: lookup, network, target, listener, state."""
    up = res.upstream
    title = ctx.dialect(res.proxy).title
    where = (up.loc.file or None, up.loc.line or None)
    addr = f"{res.host}:{res.port}" if res.host and res.port else (res.host or up.raw)
    out: list[Hop] = []
    if res.kind is Kind.UNIX:
        out.append(
            Hop("resolve", HopVerdict.OK, f"{title} connects to the unix socket {up.unix_path}", *where)
        )
        for other, shared in res.reached:
            vol = shared.split("|", 1)[0]
            out.append(Hop("network", HopVerdict.OK, f"the socket's directory is shared through {vol}"))
            out.extend(_target(ctx, other, None, res.port, ""))
        return tuple(out)
    out.append(_resolve_hop(ctx, res, title, addr, where))
    if res.kind in (Kind.DYNAMIC, Kind.EXTERNAL, Kind.NOT_FOUND):
        return tuple(out)
    if res.kind in (Kind.HOST, Kind.ETC_HOSTS, Kind.IP) and not res.reached:
        out.append(
            Hop(
                "target",
                HopVerdict.UNKNOWN if res.kind is not Kind.HOST else HopVerdict.ASSUMED,
                f"{addr} is outside the containers dockernet sees"
                + (": a process on the Docker host (not checked)" if res.kind is Kind.HOST else ""),
            )
        )
        return tuple(out)
    services = {n for n, _ in res.reached}
    if len(services) > 1:
        names = ", ".join(sorted(ctx.service(n).name for n in services))
        out.append(
            Hop(
                "network",
                HopVerdict.AMBIGUOUS,
                f"{res.host} answers for several services ({names}): connections go to any of them",
            )
        )
    for other, net in res.reached:
        if net:
            out.append(Hop("network", HopVerdict.OK, f"over network {ctx.topo.networks[net].name}"))
        else:
            out.append(Hop("network", HopVerdict.OK, "inside the proxy's own network namespace (loopback)"))
        out.extend(_target(ctx, other, net or None, res.port, net))
    return tuple(out)


def _resolve_hop(
    ctx: Context, res: Resolution, title: str, addr: str, where: tuple[str | None, int | None]
) -> Hop:
    up = res.upstream
    when = {
        Lookup.STARTUP: "once, when it starts (getaddrinfo: /etc/hosts counts; the address is kept until "
        "a reload)",
        Lookup.PER_REQUEST: "on each request, through "
        + (f"resolver {', '.join(res.route.resolvers)}" if res.route.resolvers else "its resolver")
        + " (/etc/hosts is not read)",
        Lookup.PER_CONNECTION: "on each new connection (the system resolver: /etc/hosts counts)",
        Lookup.PROVIDER: "",
    }[up.lookup]
    nets = sorted({ctx.topo.networks[n].name for _, n in res.reached if n in ctx.topo.networks})
    if up.lookup is Lookup.PROVIDER:
        target = up.service[1] if up.service else "?"
        return Hop(
            "resolve",
            HopVerdict.OK if res.reached else HopVerdict.UNKNOWN,
            f"{title} takes {target}'s container address from the Docker API, no DNS"
            + (f" (told to use network {up.network})" if up.network else ""),
            *where,
        )
    if res.kind is Kind.LOOPBACK:
        return Hop("resolve", HopVerdict.OK, f"{addr} is the proxy's own loopback", *where)
    if res.kind is Kind.DYNAMIC:
        return Hop(
            "resolve",
            HopVerdict.UNKNOWN,
            f"{up.raw}: the address comes from variables whose values dockernet cannot list",
            *where,
        )
    if res.kind is Kind.EXTERNAL:
        return Hop(
            "resolve",
            HopVerdict.UNKNOWN,
            f"{res.host} is not a container name: public DNS, outside what dockernet sees",
            *where,
        )
    if res.kind is Kind.NOT_FOUND:
        return Hop(
            "resolve", HopVerdict.UNKNOWN, f"{title} looks {res.host} up {when}: no container answers", *where
        )
    if res.hosts_entry:
        return Hop(
            "resolve",
            HopVerdict.OK,
            f"{title} looks {res.host} up {when}: /etc/hosts (extra_hosts) maps it to {res.hosts_entry}",
            *where,
        )
    if res.kind in (Kind.IP, Kind.HOST) or (res.host and res.host[0].isdigit()):
        return Hop("resolve", HopVerdict.OK, f"{addr} is an IP address: no lookup", *where)
    via = (
        "Docker's embedded DNS (127.0.0.11)"
        if not res.no_dns
        else f"/etc/hosts ({res.no_dns}: no embedded DNS)"
    )
    return Hop(
        "resolve",
        HopVerdict.OK,
        f"{title} looks {res.host} up {when} through {via}" + (f" on {', '.join(nets)}" if nets else ""),
        *where,
    )


def _target(ctx: Context, node: str, net: str | None, port: int | None, net_node: str) -> list[Hop]:
    if node == HOST:
        return [Hop("target", HopVerdict.ASSUMED, f"the Docker host itself, port {port} (not checked)")]
    svc = ctx.service(node)
    ip = _address(ctx, svc, net_node)
    out = [
        Hop(
            "target",
            HopVerdict.OK,
            f"{svc.name} ({_container(svc)}), {ip or 'address assigned at start'}, port {port}",
            svc.loc.file or None,
            svc.loc.line or None,
        )
    ]
    ports = ctx.ports(node, published=True)
    if port is not None and port in ports:
        evidence = ports[port]
        live = PROC_EVIDENCE in evidence
        out.append(
            Hop(
                "listen",
                HopVerdict.OK if live else HopVerdict.ASSUMED,
                f"port {port}: {evidence}" + ("" if live else " (declared, listener not verified)"),
            )
        )
    elif port is not None:
        known = ", ".join(map(str, sorted(ports)))
        out.append(
            Hop(
                "listen",
                HopVerdict.UNKNOWN,
                f"port {port}: nothing says what {svc.name} listens on"
                + (f" (known: {known})" if known else ""),
            )
        )
    out.append(_state(svc))
    return out


def _state(svc: Service) -> Hop:
    if svc.state is None:
        return Hop(
            "state",
            HopVerdict.ASSUMED,
            "compose input: the container's state is known once it runs "
            "(assumed running)" + (", with a healthcheck" if svc.healthcheck else ""),
        )
    health = f", {svc.health}" if svc.health else ""
    ok = svc.state == "running" and svc.health in (None, "healthy", "starting")
    return Hop("state", HopVerdict.OK if ok else HopVerdict.BLOCKED, f"{svc.state}{health}")


def _address(ctx: Context, svc: Service, net_node: str) -> str | None:
    key = ctx.topo.attachment_network(svc, net_node) if net_node else None
    for att in svc.networks:
        if key is not None and att.network == key:
            return att.ip or att.ipv4_address
    return None


def _container(svc: Service) -> str:
    from dockernet.analysis.graph import container_name

    return container_name(svc)


def _proxy_wide(analysis: Analysis, proxy: Proxy) -> list[Finding]:
    """The errors that keep the proxy from starting, so that no route of it answers: a rejected
    configuration, and a name looked up at start that nothing answers (nginx: ``host not found in
    upstream``, https://nginx.org/en/docs/http/ngx_http_upstream_module.html#server)."""
    at_start = {
        r.upstream.id
        for r in analysis.resolved.resolutions
        if r.route.proxy == proxy.service and r.kind is Kind.NOT_FOUND and r.upstream.lookup is Lookup.STARTUP
    }
    return [
        f
        for f in analysis.findings
        if f.severity is Severity.ERROR
        and f.service == proxy.service[1]
        and (f.project or "") == proxy.service[0]
        and (f.rule in PROXY_WIDE or (f.upstream in at_start and f.rule == "DN102"))
    ]


def _unread(request: str, proxy: UnreadProxy, head: tuple[Hop, ...]) -> Trace:
    hop = Hop(
        "route",
        HopVerdict.UNKNOWN,
        f"the {proxy.dialect} configuration of {proxy.service[1]} could not be read: {proxy.reason}",
        rule="DN305",
    )
    return Trace(
        request,
        Verdict.UNDETERMINED,
        (*head, hop),
        proxy=proxy.service[1],
        project=proxy.service[0] or None,
        rules=("DN305",),
    )


def _trace(
    request: str,
    proxy: Proxy,
    route: Route | None,
    hops: tuple[Hop, ...],
    verdict: Verdict,
    rules: tuple[str, ...] = (),
) -> Trace:
    return Trace(
        request=request,
        verdict=verdict,
        hops=hops,
        proxy=proxy.service[1],
        project=proxy.service[0] or None,
        route=route.id if route else None,
        title=route.title if route else None,
        file=route.forward.loc.file if route else None,
        line=route.forward.loc.line if route else None,
        target=route.forward.raw if route else None,
        rules=tuple(r for r in rules if r),
    )
