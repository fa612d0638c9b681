"""
## What it does
In a stack, flags a route to a service deployed with `deploy.replicas: 0`.

## Why is this bad?
Swarm creates the service but runs no task. Measured on a single-node swarm (Docker 20.10):
`docker service ls` shows `0/0`, `tasks.<service>` has no address, and nginx exits with
`host not found in upstream` when it dials that name. The service name still resolves to the service's
virtual IP, but no task is behind it, so every connection fails. A scaled-down service behind a route
fails every request to it.

## Example
```yaml
services:
  app:
    image: shop/app
    deploy:
      replicas: 0
```

## Use instead
```yaml
    deploy:
      replicas: 1
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, route_finding, where
from dockernet.rules.query import reached_services

META = Meta("DN903", "stack-no-replicas", Severity.ERROR)


def check(ctx: Context) -> Iterator[Finding]:
    """Routes to stack services with no replica."""
    seen: set[tuple[str, str]] = set()
    for res, node in reached_services(ctx):
        target = ctx.service(node)
        if target.stack is None or target.global_mode or target.replicas != 0:
            continue
        if (res.upstream.id, node) in seen:
            continue
        seen.add((res.upstream.id, node))
        yield route_finding(
            META,
            ctx,
            res,
            f"{target.name} has deploy.replicas: 0 ({where(res)} goes to it): Swarm runs no task of "
            f"{target.stack}_{target.name}, so nothing answers",
            f"set deploy.replicas: 1 (or more) in service {target.name}, or "
            f"docker service scale {target.stack}_{target.name}=1",
        )
