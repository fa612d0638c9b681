"""What every rule module gets: the context of a run and the helpers rules share.

A rule module has a docstring (its documentation, with the headings What it does / Why is this bad? /
Example / Use instead), ``META`` (ID, name, default severity) and ``check(ctx)``, a generator of findings.
The engine, not the rule, stamps the configured severity.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TypeVar

from dockernet.analysis.graph import Topo, service_id
from dockernet.analysis.listen import Listener, declared_listeners, declared_ports
from dockernet.analysis.resolve import Kind, Resolution, Resolved
from dockernet.dialects import DIALECTS
from dockernet.dialects.base import Dialect
from dockernet.model import AnyProxy, ImageFacts, Loc, Proxy, Service
from dockernet.model.findings import Edit, Finding, Fix, Severity

T = TypeVar("T")


@dataclass
class Context:
    """Everything a rule may read. Rules never change it."""

    topo: Topo
    resolved: Resolved
    _ports: dict[tuple[str, bool], dict[int, str]] = field(default_factory=dict)
    _listeners: dict[str, list[Listener]] = field(default_factory=dict)

    @cached_property
    def images(self) -> dict[tuple[str, str], ImageFacts]:
        """Dockerfile facts by service key."""
        return {img.service: img for img in self.topo.topology.images}

    @cached_property
    def _proxies(self) -> dict[str, AnyProxy]:
        """Every proxy (read or not) by its service's node id."""
        by_key = self.topo.by_key
        return {node: p for p in self.topo.topology.proxies if (node := by_key.get(p.service)) is not None}

    def service(self, node: str) -> Service:
        """The service behind a node id."""
        return self.topo.service(node)

    def ports(self, node: str, published: bool = True) -> dict[int, str]:
        """Container ports a service is known to listen on, with evidence; empty when unknown.
        ``published=False`` leaves out the container side of ``ports`` (see listen.declared_ports)."""
        key = (node, published)
        if key not in self._ports:
            svc = self.service(node)
            img = self.images.get(svc.key)
            if svc.listening:
                # Read from the container's /proc/net/tcp (live scans): what it listens on, not a guess.
                ports = {lst.port: lst.evidence for lst in self.listeners(node)}
            else:
                ports = declared_ports(svc, img.expose if img else (), published, self.listeners(node))
            proxy = self._proxies.get(node)
            if isinstance(proxy, Proxy):
                for port in proxy.listens:
                    ports.setdefault(port, f"{DIALECTS[proxy.dialect].title} listen")
            self._ports[key] = ports
        return self._ports[key]

    def listeners(self, node: str) -> list[Listener]:
        """Sockets the service opens: the ones read from its container's ``/proc/net/tcp`` when a live scan
        could read them (:attr:`Service.listening`), else the ones its command and environment declare
        (cached: several rules ask)."""
        if node not in self._listeners:
            svc = self.service(node)
            if svc.listening:
                self._listeners[node] = real_listeners(svc.listening)
            else:
                self._listeners[node] = declared_listeners(svc)
        return self._listeners[node]

    def resolutions(self, *kinds: Kind) -> Iterator[Resolution]:
        """Resolutions of the given kinds (all when none given)."""
        for res in self.resolved.resolutions:
            if not kinds or res.kind in kinds:
                yield res

    def proxies(self, dialect: str | None = None) -> Iterator[tuple[str, AnyProxy]]:
        """(proxy node, proxy) pairs in a stable order, read or not; only one reader's with ``dialect``."""
        for node, proxy in sorted(self._proxies.items(), key=lambda item: item[0]):
            if dialect is None or proxy.dialect == dialect:
                yield node, proxy

    def down_status(self, node: str) -> int:
        """The status the proxy answers when it cannot reach an upstream (:attr:`Dialect.down_status`)."""
        return self.dialect(node).down_status

    def startup_miss(self, res: Resolution) -> str:
        """What a name that does not resolve at start does: the proxy refuses to start, or the reader's
        ``startup_miss`` says otherwise (HAProxy with ``init-addr ... none`` disables the server)."""
        dialect = self.dialect(res.proxy)
        hook = getattr(dialect, "startup_miss", None)
        if hook is not None:
            return str(hook(self.read_proxy(res.proxy), res.upstream))
        return f"{dialect.title} will refuse to start: host not found"

    def dialect(self, node: str) -> Dialect:
        """The reader of the proxy at a node (its hints and wording)."""
        return DIALECTS[self._proxies[node].dialect]

    def syntax(self, proxy: Proxy, kind: type[T]) -> T | None:
        """The reader's own tree of a proxy, when it is of type ``kind`` (for rules of one proxy kind)."""
        return proxy.syntax if isinstance(proxy.syntax, kind) else None

    def read_proxies(self, dialect: str, kind: type[T]) -> Iterator[tuple[str, Proxy, T]]:
        """(proxy node, proxy, the reader's own tree) for every proxy of ``dialect`` whose configuration was
        read into a tree of type ``kind``: what a rule of one proxy kind walks."""
        for node, proxy in self.proxies(dialect):
            if isinstance(proxy, Proxy) and (syntax := self.syntax(proxy, kind)) is not None:
                yield node, proxy, syntax

    def fix(self, res: Resolution, host: str, port: int | None = None) -> Fix:
        """The upstream's line rewritten to ``host`` (and ``port``, else the one it uses), in the proxy's
        own syntax, with its edit: the fix for hints."""
        return self.dialect(res.proxy).fix(self.read_proxy(res.proxy), res.upstream, host, port or res.port)

    def per_request_fix(self, res: Resolution) -> Fix:
        """How to make the proxy look the upstream's host up per request, in its own syntax, with edits.

        Not where the name only resolves through ``/etc/hosts`` (links on the default bridge,
        ``extra_hosts``) or the proxy has no embedded DNS: a per-request resolver never reads
        ``/etc/hosts``, so that hint would turn a working route into 502s."""
        t = res.upstream
        title = self.dialect(res.proxy).title
        if res.no_dns or res.hosts_entry:
            why = (
                f"{self.service(res.proxy).name} is on the {res.no_dns}"
                if res.no_dns
                else "it is in /etc/hosts"
            )
            return Fix(
                f"not by DNS: {why}, where only /etc/hosts knows {res.host}, and per-request lookups "
                f"never read it; reload {title} after the target is recreated, or put both on a "
                "user-defined network and then resolve per request"
            )
        image = self.service(res.proxy).image
        return self.dialect(res.proxy).per_request_fix(
            self.read_proxy(res.proxy), res.route, t, res.host or "", res.port, image
        )

    def resolver_fix(self, res: Resolution) -> Fix:
        """The resolver line that gives the route Docker's embedded DNS, in the proxy's syntax, with edits."""
        return self.dialect(res.proxy).resolver_fix(self.read_proxy(res.proxy), res.route)

    def read_proxy(self, node: str) -> Proxy:
        """The read proxy at a node (every resolution belongs to one)."""
        proxy = self._proxies[node]
        assert isinstance(proxy, Proxy)
        return proxy

    def node_of(self, service: Service) -> str:
        """Node id of a service."""
        return service_id(service)


PROC_EVIDENCE = "read from /proc/net/tcp"
"""The evidence of listeners that a live scan read from the container (see :func:`real_listeners`)."""


def real_listeners(sockets: tuple[tuple[str, int], ...]) -> list[Listener]:
    """Listeners from the sockets read in a container, one per port, each naming every socket of its port
    (``listening sockets: 127.0.0.1:3000 (read from /proc/net/tcp)``); an address on all interfaces
    (``0.0.0.0``, ``::``) makes the listener's address None."""
    by_port: dict[int, list[str]] = {}
    for ip, port in sockets:
        by_port.setdefault(port, []).append(ip)
    out: list[Listener] = []
    for port, addresses in sorted(by_port.items()):
        shown = ", ".join(f"[{a}]:{port}" if ":" in a else f"{a}:{port}" for a in addresses)
        evidence = f"listening sockets: {shown} ({PROC_EVIDENCE})"
        anywhere = any(a in ("0.0.0.0", "::") for a in addresses)
        loopback = [a for a in addresses if a.startswith("127.") or a == "::1"]
        address: str | None = (
            None if anywhere else (loopback[0] if len(loopback) == len(addresses) else addresses[0])
        )
        out.append(Listener(port=port, address=address, evidence=evidence))
    return out


@dataclass(frozen=True)
class Meta:
    """A rule's identity."""

    id: str
    """Stable code, never reused: DN1xx errors, DN2xx warnings, DN3xx notes."""
    name: str
    """kebab-case name, accepted wherever an ID is."""
    severity: Severity
    """Default severity."""
    live: bool = False
    """True when only a live engine can fire it (``scan``, ``check --engine``): no static sample can."""
    dialects: frozenset[str] = frozenset()
    """The proxy kinds whose configuration the rule reads (nginx-only rules); empty: every kind, through
    the proxy-neutral model."""


def finding(
    rule: Meta,
    message: str,
    hint: str,
    loc: Loc,
    *,
    service: Service | None = None,
    target: str | None = None,
    related: tuple[Loc, ...] = (),
    route: str | None = None,
    network: str | None = None,
) -> Finding:
    """A finding of ``rule`` at ``loc``; the severity is the rule's default until the engine stamps it."""
    return Finding(
        rule=rule.id,
        name=rule.name,
        severity=rule.severity,
        message=message,
        hint=hint,
        loc=loc,
        service=service.name if service else None,
        target=target,
        project=service.project if service else None,
        related=related,
        route=route,
        network=network,
    )


def route_finding(
    rule: Meta, ctx: Context, res: Resolution, message: str, hint: str, edits: tuple[Edit, ...] = ()
) -> Finding:
    """A finding about one upstream address, located at the line that names it; ``edits``: the hint as
    changes of the configuration, when they alone make the fix."""
    proxy = ctx.service(res.proxy)
    others = {ctx.service(n).loc for n, _ in res.reached + res.elsewhere if n in ctx.topo.services}
    f = finding(
        rule,
        message,
        hint,
        res.upstream.loc,
        service=proxy,
        target=res.upstream.raw,
        related=(proxy.loc, *sorted(others - {proxy.loc})),
        route=res.route.id,
    )
    return replace(f, upstream=res.upstream.id, address=res.host, edits=edits)


def where(res: Resolution) -> str:
    """``location /api/`` or ``upstream backend`` for messages."""
    return res.upstream.defined_in or res.route.title


def addr(res: Resolution) -> str:
    """``app:3000`` for messages."""
    host = res.host or res.upstream.host or "?"
    return f"{host}:{res.port}" if res.port else host
