"""
## What it does
Flags an upstream name that two or more different services answer to on the networks the proxy is on
(the same alias on two services, or the same service name in two projects on a shared network).

## Why is this bad?
Docker's DNS returns every container that answers to a name, in changing order, and nginx spreads requests
over all of them. "Exactly which container the name resolves to is not guaranteed" (compose spec). Part of
the traffic lands on the wrong service: 404s, 502s, or data from the wrong backend.

## Example
```yaml
services:
  api:
    networks: {shared: {aliases: [backend]}}
  admin:
    networks: {shared: {aliases: [backend]}}
```

## Use instead
Give each service its own alias, and point the proxy at the one it means.
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.analysis.graph import HOST
from dockernet.analysis.resolve import Kind, ip_literal
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, route_finding, where

META = Meta("DN204", "ambiguous-name", Severity.WARNING)


def check(ctx: Context) -> Iterator[Finding]:
    """Names answered by several services."""
    for res in ctx.resolutions(Kind.SERVICE):
        if res.host is None or ip_literal(res.host) is not None:
            continue  # an address, not a name
        nodes = sorted({n for n, _ in res.reached if n != HOST})
        if len(nodes) < 2:
            continue
        names = ", ".join(f"{s.project}/{s.name}" for s in (ctx.service(n) for n in nodes))
        yield route_finding(
            META,
            ctx,
            res,
            f'"{res.host}" ({where(res)} of {ctx.service(res.proxy).name}) is answered by {len(nodes)} '
            f"services: {names}; requests are spread over all of them",
            "give each service its own alias and use the one you mean",
        )
