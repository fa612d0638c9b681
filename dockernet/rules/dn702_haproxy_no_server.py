"""
## What it does
Flags a `frontend` (or `listen`) with no `use_backend`, no `default_backend` and no servers of its own, and
a route to a backend that has no `server` line.

## Why is this bad?
`haproxy -c` accepts both, but HAProxy then answers every such request with **503 Service Unavailable**
("No server is available to handle this request.", logged `<NOSRV>` with `SC--`; measured with HAProxy
2.6.12). Users call it "the gateway error"; it is not a 502
(https://docs.haproxy.org/2.6/configuration.html#1.3.1).

## Example
```haproxy
frontend web
    bind :80
backend app
    server app1 app:3000
```

## Use instead
```haproxy
frontend web
    bind :80
    default_backend app
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.dialects import haproxy
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, finding

META = Meta("DN702", "haproxy-no-server", Severity.ERROR, dialects=frozenset({"haproxy"}))


def check(ctx: Context) -> Iterator[Finding]:
    """Frontends without a backend, and routes to backends without servers."""
    for node, _, syntax in ctx.read_proxies("haproxy", haproxy.Syntax):
        for n in syntax.no_server:
            front = n.route is None
            yield finding(
                META,
                f"{n.what} of {ctx.service(node).name} "
                + ("names no backend" if front else "has no server")
                + ": HAProxy answers 503 to every request it gets",
                "add `default_backend NAME`" if front else "add `server NAME HOST:PORT` to it",
                n.loc,
                service=ctx.service(node),
                route=n.route,
            )
