"""Query helpers that several rules share (so each rule says only what it checks)."""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.analysis.graph import HOST
from dockernet.analysis.resolve import Kind, Resolution
from dockernet.dialects import nginxproxy, traefik
from dockernet.model import Proxy
from dockernet.rules.base import Context


def reached_services(ctx: Context) -> Iterator[tuple[Resolution, str]]:
    """(resolution, service node) for every service an upstream name or address reaches over a network."""
    for res in ctx.resolutions(Kind.SERVICE):
        for node in sorted({n for n, _ in res.reached if n != HOST and n != res.proxy}):
            yield res, node


def traefik_proxies(ctx: Context) -> Iterator[tuple[str, Proxy, traefik.Syntax]]:
    """(proxy node, proxy, Traefik facts) for every Traefik whose configuration was read."""
    for node, proxy in ctx.proxies("traefik"):
        syntax = ctx.syntax(proxy, traefik.Syntax) if isinstance(proxy, Proxy) else None
        if isinstance(proxy, Proxy) and syntax is not None:
            yield node, proxy, syntax


def nginxproxy_proxies(ctx: Context) -> Iterator[tuple[str, Proxy, nginxproxy.Syntax]]:
    """(proxy node, proxy, nginx-proxy facts) for every nginx-proxy whose routes were read."""
    for node, proxy in ctx.proxies("nginx-proxy"):
        syntax = ctx.syntax(proxy, nginxproxy.Syntax) if isinstance(proxy, Proxy) else None
        if isinstance(proxy, Proxy) and syntax is not None:
            yield node, proxy, syntax
