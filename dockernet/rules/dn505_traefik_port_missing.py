"""
## What it does
Flags a container with Traefik labels that has no `loadbalancer.server.port` label and exposes no port
(no `expose:`, no `ports:`, no `EXPOSE` in its image).

## Why is this bad?
Traefik takes the port of a container from the port label, else the lowest port it exposes. With neither,
it logs `service "..." error: port is missing` (ERROR) and skips the whole container: no router, no
service, and requests get `404 page not found` (measured on Traefik 3.7, docs/proxy-behaviour.md t06).

## Example
```yaml
  app:
    image: busybox
    command: ["httpd", "-f", "-p", "3000"]
    labels:
      traefik.http.routers.app.rule: Host(`app.test`)
```

## Use instead
```yaml
    labels:
      traefik.http.routers.app.rule: Host(`app.test`)
      traefik.http.services.app.loadbalancer.server.port: "3000"
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.dialects.traefik import Why
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, finding
from dockernet.rules.query import traefik_proxies

META = Meta("DN505", "traefik-port-missing", Severity.ERROR, dialects=frozenset({"traefik"}))


def check(ctx: Context) -> Iterator[Finding]:
    """Containers Traefik skips for want of a port."""
    for node, _proxy, facts in traefik_proxies(ctx):
        known = {s.container for s in facts.skipped if s.why is Why.PORT_MISSING and s.expose_known}
        for router in facts.routers:
            if router.why is not Why.PORT_MISSING or router.container not in known:
                continue
            target = router.container[1]
            yield finding(
                META,
                f"{target} has Traefik labels (router {router.name}) but no port label and exposes no "
                'port: Traefik skips it ("port is missing") and answers 404',
                f"add the label `traefik.http.services.{target}.loadbalancer.server.port=PORT` (the port "
                f"{target} listens on)",
                router.loc,
                service=ctx.service(node),
            )
