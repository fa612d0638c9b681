"""
## What it does
Warns about a `server` (or `server-template`) line without a port: `server app1 app`.

## Why is this bad?
HAProxy then connects to the port the client connected to, the frontend's `bind` port
(https://docs.haproxy.org/2.6/configuration.html#5.2-addr: "If unset, the same port the client connected to
will be used"). Behind `bind :80` that is `app:80`, rarely where the app listens in Docker; when it does not
listen there every request answers 503. A port written on the line says what is meant.

## Example
```haproxy
frontend web
    bind :80
    default_backend app
backend app
    server app1 app
```

## Use instead
```haproxy
backend app
    server app1 app:3000
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.dialects import haproxy
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, finding

META = Meta("DN703", "haproxy-server-port-missing", Severity.WARNING, dialects=frozenset({"haproxy"}))


def check(ctx: Context) -> Iterator[Finding]:
    """Servers without a port."""
    for node, _, syntax in ctx.read_proxies("haproxy", haproxy.Syntax):
        seen: set[str] = set()
        for p in syntax.portless:
            if p.upstream.id in seen:
                continue
            seen.add(p.upstream.id)
            port = f"port {p.port}, the one the client connected to" if p.port else "the client's port"
            yield finding(
                META,
                f"server {p.upstream.raw} of {ctx.service(node).name} has no port: "
                f"HAProxy connects to {port}",
                f"write the port the app listens on: {p.upstream.directive} <name> {p.upstream.raw}:PORT",
                p.upstream.loc,
                service=ctx.service(node),
                target=p.upstream.raw,
                route=p.route,
            )
