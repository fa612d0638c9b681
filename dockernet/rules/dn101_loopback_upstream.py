"""
## What it does
Flags an upstream at `127.0.0.1`, `localhost`, `::1` or `0.0.0.0` when nothing in the proxy's own network
namespace listens on that port.

## Why is this bad?
Inside a container, loopback is the container itself. `proxy_pass http://127.0.0.1:3000` in the nginx
container connects to nginx's own port 3000, not to the app container: nginx logs
`connect() failed (111: Connection refused) while connecting to upstream` and answers 502.
Loopback is right only under `network_mode: host` (it is the host's loopback), under
`network_mode: service:x` when x serves the port, or when nginx itself listens there.

## Example
```yaml
services:
  nginx:
    image: nginx
  app:
    command: ["node", "server.js"]
    expose: ["3000"]
```
```nginx
location / { proxy_pass http://127.0.0.1:3000; }
```

## Use instead
```nginx
location / { proxy_pass http://app:3000; }
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.analysis.graph import HOST
from dockernet.analysis.resolve import Kind
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, addr, route_finding, where

META = Meta("DN101", "loopback-upstream", Severity.ERROR)


def check(ctx: Context) -> Iterator[Finding]:
    """Loopback targets with no listener in the proxy's namespace."""
    for res in ctx.resolutions(Kind.LOOPBACK):
        port = res.port
        if port is None or any(n == HOST for n, _ in res.reached):
            continue
        members = [n for n, _ in res.reached]
        if any(port in ctx.ports(n) for n in members):
            continue
        # A sidecar in the same namespace whose ports are unknown may be the listener: stay quiet.
        if any(n != res.proxy and not ctx.ports(n) for n in members):
            continue
        proxy = ctx.service(res.proxy)
        candidates = sorted(
            ctx.service(n).name
            for n in ctx.topo.services
            if n != res.proxy and port in ctx.ports(n) and ctx.topo.lookup(res.proxy, ctx.service(n).name)
        )
        if candidates:
            fx = ctx.fix(res, candidates[0])
            hint, edits = f"use the service name: {fx.text}", fx.edits
            node = next(n for n in ctx.topo.services if ctx.service(n).name == candidates[0])
            if any(lst.port == port and lst.loopback_only for lst in ctx.listeners(node)):
                # The line alone would not make the route answer: DN111 fires next.
                hint += f", and make {candidates[0]} listen on all interfaces, not only its loopback (DN111)"
                edits = ()
        else:
            edits = ()
            hint = (
                f"use the name of the service that listens on {port}, on a network it shares with "
                f"{proxy.name}; 127.0.0.1 is the {proxy.name} container itself"
            )
        yield route_finding(
            META,
            ctx,
            res,
            f"{proxy.name} ({where(res)}) connects to {addr(res)}, which is the {proxy.name} container's "
            f"own loopback; nothing in its network namespace listens on {port}",
            hint,
            edits,
        )
