"""
## What it does
Flags a container that defines a Traefik router while the Docker provider runs with
`exposedByDefault=false` and the container has no `traefik.enable=true`.

## Why is this bad?
Traefik skips the container (`Filtering disabled container`, a DEBUG line): it makes no router and no
service for it, and every request for the rule gets `404 page not found` (measured on Traefik 3.7,
docs/proxy-behaviour.md t12). The labels look right and nothing at the default log level says why.

## Example
```yaml
services:
  traefik:
    command: ["--providers.docker.exposedbydefault=false"]
  app:
    labels:
      traefik.http.routers.app.rule: Host(`app.test`)
```

## Use instead
```yaml
  app:
    labels:
      traefik.enable: "true"
      traefik.http.routers.app.rule: Host(`app.test`)
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.dialects.traefik import Why
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, finding
from dockernet.rules.query import traefik_proxies

META = Meta("DN502", "traefik-container-not-enabled", Severity.ERROR, dialects=frozenset({"traefik"}))


def check(ctx: Context) -> Iterator[Finding]:
    """Routers on containers that exposedByDefault=false filters out."""
    for node, _proxy, facts in traefik_proxies(ctx):
        for router in facts.routers:
            if router.why is not Why.DISABLED or router.container is None:
                continue
            target = router.container[1]
            yield finding(
                META,
                f"{target} defines router {router.name} but {ctx.service(node).name} runs with "
                f"exposedByDefault=false and {target} has no traefik.enable=true: Traefik skips it and "
                "answers 404",
                f"add the label `traefik.enable=true` to {target}",
                router.loc,
                service=ctx.service(node),
            )
