"""Hints in nginx's own syntax: the corrected ``proxy_pass`` or ``server`` line, and how to make nginx
resolve a name per request."""

from __future__ import annotations

from dockernet.model import EMBEDDED_DNS, Upstream


def address(upstream: Upstream, host: str, port: int | None) -> str:
    """The address of ``upstream`` rewritten to ``host`` (and ``port``): scheme and URI are kept, a port
    is written when it differs from the default or was written."""
    u = upstream
    if u.unix_path is not None:
        return u.raw
    out = f"{host}:{port}" if port and (port != u.port or u.port_written or u.variables) else host
    if u.scheme:
        out = f"{u.scheme}://{out}"
    if u.path:
        out += u.path
    return out


def fix(upstream: Upstream, host: str, port: int | None) -> str:
    """``proxy_pass http://app:3000;`` or ``server app:3000;``."""
    return f"{upstream.directive} {address(upstream, host, port)};"


def per_request_fix(upstream: Upstream, host: str, port: int | None) -> str:
    """A variable makes nginx resolve the name through ``resolver`` on each request
    (https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass)."""
    scheme = upstream.scheme + "://" if upstream.scheme else ""
    return (
        f"resolver {EMBEDDED_DNS} valid=10s; set $upstream {host}:{port}; "
        f"{upstream.directive} {scheme}$upstream;"
    )
