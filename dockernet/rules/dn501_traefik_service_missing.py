"""
## What it does
Flags a Traefik router whose `service` names a service that no provider defines
(`traefik.http.routers.app.service=nope` when only `app` exists).

## Why is this bad?
Traefik disables the router: its API shows it with `"status":"disabled"` and the error
`the service "nope@docker" does not exist`, logged at ERROR, and every request it would have served gets
`404 page not found` (measured on Traefik 3.7, docs/proxy-behaviour.md t13).

## Example
```yaml
labels:
  traefik.http.routers.app.rule: Host(`app.test`)
  traefik.http.routers.app.service: nope
  traefik.http.services.app.loadbalancer.server.port: "3000"
```

## Use instead
```yaml
labels:
  traefik.http.routers.app.rule: Host(`app.test`)
  traefik.http.routers.app.service: app
  traefik.http.services.app.loadbalancer.server.port: "3000"
```
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, finding
from dockernet.rules.query import traefik_proxies

META = Meta("DN501", "traefik-service-missing", Severity.ERROR, dialects=frozenset({"traefik"}))


def check(ctx: Context) -> Iterator[Finding]:
    """Routers that name a service nobody defines."""
    for node, proxy, facts in traefik_proxies(ctx):
        known = sorted({r.forward.raw for r in proxy.routes if r.upstreams})
        for router in facts.routers:
            if router.exists or router.why is not None:
                continue
            name = router.service.split("@", 1)[0]
            close = difflib.get_close_matches(router.service, known, n=1, cutoff=0.5)
            hint = (
                f"name a service that exists: `service: {close[0].split('@', 1)[0]}`"
                if close
                else (
                    f"define it (`traefik.http.services.{name}.loadbalancer.server.port=PORT`) or name one "
                    "that exists"
                )
            )
            yield finding(
                META,
                f'router {router.name} of {ctx.service(node).name} names service "{router.service}", which '
                "does not exist: Traefik disables the router and answers 404",
                hint,
                router.service_loc,
                service=ctx.service(node),
            )
