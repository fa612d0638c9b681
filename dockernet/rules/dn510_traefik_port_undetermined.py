"""
## What it does
Warns about a container with Traefik labels and no `loadbalancer.server.port` label that declares no port
itself (no `expose:`, no `ports:`), when its image is pulled: the port Traefik uses then comes from the
image's `EXPOSE`, which dockernet cannot read from the compose files.

## Why is this bad?
Traefik takes the lowest port the image exposes. If it exposes none, Traefik skips the container
(`port is missing`) and answers 404 (measured on Traefik 3.7, docs/proxy-behaviour.md t06); if it exposes
several, the lowest may not be the one the application listens on (t05). Either way the route cannot be
checked: dockernet does not know which port it is.

## Example
```yaml
  app:
    image: ghcr.io/example/app:1.2
    labels:
      traefik.http.routers.app.rule: Host(`app.test`)
```

## Use instead
```yaml
    labels:
      traefik.http.routers.app.rule: Host(`app.test`)
      traefik.http.services.app.loadbalancer.server.port: "8080"
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.dialects.traefik import Why
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, finding
from dockernet.rules.query import traefik_proxies

META = Meta("DN510", "traefik-port-undetermined", Severity.WARNING, dialects=frozenset({"traefik"}))


def check(ctx: Context) -> Iterator[Finding]:
    """Routers whose port only the image's EXPOSE decides."""
    for node, _proxy, facts in traefik_proxies(ctx):
        unknown = {s.container for s in facts.skipped if s.why is Why.PORT_MISSING and not s.expose_known}
        for router in facts.routers:
            if router.why is not Why.PORT_MISSING or router.container not in unknown:
                continue
            target = ctx.topo.service(ctx.topo.by_key[router.container])
            yield finding(
                META,
                f"{target.name} has no port label and declares no port: Traefik takes the lowest port its "
                f"image {target.image} exposes, which dockernet cannot see (router {router.name} is not "
                "checked)",
                f"add the label `traefik.http.services.{target.name}.loadbalancer.server.port=PORT`",
                router.loc,
                service=ctx.service(node),
            )
