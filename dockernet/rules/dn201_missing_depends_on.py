"""
## What it does
Flags a proxy whose static upstream names a service of its own project that the proxy does not
`depends_on`.

## Why is this bad?
nginx resolves static names once, at start. `docker compose up` starts services in dependency order; with
no `depends_on`, nginx may start before the app's container exists, find no DNS answer and exit with
`[emerg] host not found in upstream "app"`. It works on one machine and fails on the next.

## Example
```yaml
services:
  nginx:
    image: nginx
  app:
    build: .
```

## Use instead
```yaml
services:
  nginx:
    image: nginx
    depends_on: [app]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.model import Lookup
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, route_finding, where
from dockernet.rules.query import reached_services

META = Meta("DN201", "missing-depends-on", Severity.WARNING)


def _depends(ctx: Context, node: str, target: str, seen: set[str]) -> bool:
    """True when ``node`` depends on ``target`` directly or through other services."""
    svc = ctx.service(node)
    for dep in svc.depends_on + tuple(link.target for link in svc.links if not link.external):
        dep_node = ctx.topo.by_key.get((svc.project, dep))
        if dep_node == target:
            return True
        if dep_node and dep_node not in seen:
            seen.add(dep_node)
            if _depends(ctx, dep_node, target, seen):
                return True
    return False


def check(ctx: Context) -> Iterator[Finding]:
    """Static upstream names with no start-up ordering."""
    seen: set[tuple[str, str]] = set()
    for res, node in reached_services(ctx):
        proxy = ctx.service(res.proxy)
        target = ctx.service(node)
        if (
            proxy.stack is not None  # docker stack deploy ignores depends_on: DN902 and DN901 instead
            or res.upstream.lookup is not Lookup.STARTUP
            or target.project != proxy.project
            or (res.proxy, node) in seen
        ):
            continue
        if proxy.network_mode_target == target.name or _depends(ctx, res.proxy, node, set()):
            continue
        seen.add((res.proxy, node))
        yield route_finding(
            META,
            ctx,
            res,
            f"{proxy.name} resolves {target.name} once at start ({where(res)}) but does not depend on it: "
            f"if {proxy.name} starts first, {ctx.dialect(res.proxy).title} exits with host not found",
            f"add to service {proxy.name}: depends_on: [{target.name}]",
        )
