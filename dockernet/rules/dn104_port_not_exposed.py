"""
## What it does
Flags an upstream port that the target service does not listen on by anything it declares: `expose`, the
listen address in its command or environment, its Dockerfile's `EXPOSE`, the known port of its image
(php-fpm 9000, redis 6379...). Quiet when the target declares nothing of these (dockernet cannot know): a
port published with `ports:` is for clients outside, and says nothing about the others it serves.

## Why is this bad?
Containers on a user-defined network reach every port of each other, but only a port where a process
listens answers. Any other port is refused: `connect() failed (111: Connection refused)`, 502.

## Example
```yaml
services:
  app:
    command: ["gunicorn", "-b", "0.0.0.0:3000", "app:app"]
```
```nginx
location / { proxy_pass http://app:8080; }
```

## Use instead
```nginx
location / { proxy_pass http://app:3000; }
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, route_finding, where
from dockernet.rules.query import reached_services

META = Meta("DN104", "port-not-exposed", Severity.ERROR)


def check(ctx: Context) -> Iterator[Finding]:
    """Ports that the reached service does not declare."""
    for res, node in reached_services(ctx):
        port = res.port
        ports = ctx.ports(node, published=False)
        if port is None or not ports or port in ctx.ports(node):
            continue
        target = ctx.service(node)
        if any(m.published == port for m in target.ports):
            continue  # DN105
        known = sorted(ports)
        evidence = ", ".join(f"{p} ({ports[p]})" for p in known)
        # A port the address does not write is the protocol's default (Caddy and nginx: 80 for http), or
        # the one a provider proxy picks (Traefik: the lowest exposed port), which the reader names.
        why = res.upstream.port_from or f":{port} implied: the address has no port"
        shown = str(port) if res.upstream.port_written else f"{port} ({why})"
        fx = ctx.fix(res, res.host or "", known[0])
        yield route_finding(
            META,
            ctx,
            res,
            f"{target.name} does not listen on {shown} ({where(res)} of {ctx.service(res.proxy).name}); "
            f"it declares {evidence}",
            f"use the port it listens on: {fx.text}",
            fx.edits,
        )
