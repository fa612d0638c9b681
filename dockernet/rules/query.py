"""Query helpers that several rules share (so each rule says only what it checks)."""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.analysis.graph import HOST
from dockernet.analysis.resolve import Kind, Resolution, accepts
from dockernet.dialects import nginxproxy, traefik
from dockernet.model import PortMapping, Proxy, Service
from dockernet.model.findings import Edit
from dockernet.rules.base import Context


def reached_services(ctx: Context) -> Iterator[tuple[Resolution, str]]:
    """(resolution, service node) for every service an upstream name or address reaches over a network."""
    for res in ctx.resolutions(Kind.SERVICE):
        for node in sorted({n for n, _ in res.reached if n != HOST and n != res.proxy}):
            yield res, node


def traefik_proxies(ctx: Context) -> Iterator[tuple[str, Proxy, traefik.Syntax]]:
    """(proxy node, proxy, Traefik facts) for every Traefik whose configuration was read."""
    return ctx.read_proxies("traefik", traefik.Syntax)


def in_host_namespace(ctx: Context, res: Resolution) -> bool:
    """True when the proxy connects from the host's network namespace: it runs on the host, or in a
    container with ``network_mode: host``."""
    return ctx.topo.namespace_owner(res.proxy) == HOST


def host_port_served(ctx: Context, res: Resolution) -> bool:
    """For a loopback address asked in the host's namespace: True when something answers on its port there,
    a container's published port (:attr:`Resolution.published`), the proxy itself, or another process of the
    namespace that listens on it (a ``network_mode: host`` service by its declarations; on a live host, what
    ``/proc/net/tcp`` lists)."""
    port = res.port
    if port is None or res.published:
        return True
    owner = ctx.topo.namespace_owner(res.proxy)
    members = ctx.topo.namespace_members(owner) if owner else [res.proxy]
    return any(port in ctx.ports(n) for n in {res.proxy, *members})


def who(ctx: Context, node: str) -> str:
    """The proxy for messages: ``nginx on the host`` for a proxy installed on the host, else its name."""
    svc = ctx.service(node)
    if svc.on_host:
        return f"{ctx.dialect(node).title} on the host"
    return svc.name


def loopback_port_hint(ctx: Context, res: Resolution, svc: Service) -> tuple[str, tuple[Edit, ...]] | None:
    """For an address asked from the host: the hint (and edits) that use the port ``svc`` publishes where
    the host's loopback reaches it, for the port the upstream names; None when it publishes none there."""
    published = [
        m for m in svc.ports if m.target == res.port and m.published is not None and accepts(m, "127.0.0.1")
    ]
    if not published:
        return None
    fx = ctx.fix(res, "127.0.0.1", published[0].published)
    return (
        f'use the port {svc.name} publishes on the host ("{ports_entry(published[0])}"): {fx.text}',
        fx.edits,
    )


def loopback_entry(port: int) -> str:
    """The ``ports`` entry that publishes ``port`` on the host's loopback: ``127.0.0.1:3000:3000``."""
    return ports_entry(PortMapping(target=port, published=port, host_ip="127.0.0.1"))


def ports_entry(mapping: PortMapping) -> str:
    """A ``ports`` entry in compose's short syntax: ``127.0.0.1:8080:3000``."""
    host_ip = f"[{mapping.host_ip}]" if mapping.host_ip and ":" in mapping.host_ip else mapping.host_ip
    return ":".join(str(p) for p in (host_ip, mapping.published, mapping.target) if p is not None)


def nginxproxy_proxies(ctx: Context) -> Iterator[tuple[str, Proxy, nginxproxy.Syntax]]:
    """(proxy node, proxy, nginx-proxy facts) for every nginx-proxy whose routes were read."""
    return ctx.read_proxies("nginx-proxy", nginxproxy.Syntax)
