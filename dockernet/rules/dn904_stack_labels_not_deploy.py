"""
## What it does
In a stack, flags Traefik labels (`traefik.*`) written under the service's `labels:` instead of
`deploy.labels`.

## Why is this bad?
In a stack, the service-level `labels:` go on the task containers. `deploy.labels` go on the Swarm service.
Traefik's Swarm provider reads only the service labels, as its documentation says: "labels must be
defined per service" under `deploy`. It does not see the routers and services written on the containers, so
the site answers Traefik's `404 page not found`.

## Example
```yaml
services:
  app:
    image: shop/app
    labels:
      - traefik.http.routers.app.rule=Host(`shop.example`)
```

## Use instead
```yaml
services:
  app:
    image: shop/app
    deploy:
      labels:
        - traefik.http.routers.app.rule=Host(`shop.example`)
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, finding

META = Meta("DN904", "stack-labels-not-deploy", Severity.ERROR)


def check(ctx: Context) -> Iterator[Finding]:
    """Traefik labels on a stack service's containers."""
    for node in sorted(ctx.topo.services):
        svc = ctx.service(node)
        if svc.stack is None:
            continue
        keys = [k for k in svc.container_label_locs if k.lower().startswith("traefik.")]
        if not keys:
            continue
        first = keys[0]
        yield finding(
            META,
            f"service {svc.name} has {len(keys)} Traefik label{'s' if len(keys) > 1 else ''} under labels: "
            f"({first}...); in a stack they go on the task containers, and Traefik's Swarm provider reads "
            f"only the service's deploy.labels",
            f"move the traefik.* labels of service {svc.name} under deploy: labels:",
            svc.container_label_locs[first],
            service=svc,
        )
