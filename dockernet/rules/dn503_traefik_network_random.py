"""
## What it does
Flags a container that Traefik's Docker provider routes to while it is on several networks, at least one of
which Traefik is not on, with no network chosen (`traefik.docker.network`, `providers.docker.network`) or a
chosen one the container is not on.

## Why is this bad?
Traefik then takes the container's address on one of its networks at random, and picks again on every
Docker event of the engine (any container's start, stop or health change). When it picks a network it is
not on, requests time out: `504 Gateway Timeout` after 30 s. Measured on Traefik 3.7: 6 of 8 restarts
answered 504 (docs/proxy-behaviour.md t08); the Traefik documentation says it "will randomly pick one"
(https://doc.traefik.io/traefik/routing/providers/docker/#traefikdockernetwork).

## Example
```yaml
services:
  traefik:
    networks: [front]
  app:
    networks: [front, back]
```

## Use instead
```yaml
  app:
    networks: [front, back]
    labels:
      traefik.docker.network: myproject_front   # the engine's name of the network
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.model import Lookup
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, route_finding, where

META = Meta("DN503", "traefik-network-random", Severity.ERROR, dialects=frozenset({"traefik"}))


def check(ctx: Context) -> Iterator[Finding]:
    """Provider addresses that can be on a network the proxy is not on."""
    seen: set[str] = set()
    for res in ctx.resolutions():
        t = res.upstream
        if t.lookup is not Lookup.PROVIDER or not res.reached or not res.elsewhere or t.id in seen:
            continue
        if ctx.dialect(res.proxy).name not in META.dialects:
            continue  # nginx-proxy's provider upstreams are not Traefik's
        seen.add(t.id)
        target = ctx.service(res.reached[0][0])
        good = sorted({ctx.topo.networks[n].name for _, n in res.reached})
        bad = sorted({ctx.topo.networks[n].name for _, n in res.elsewhere})
        yield route_finding(
            META,
            ctx,
            res,
            f"{target.name} is on {', '.join(good)} (shared with {ctx.service(res.proxy).name}) and on "
            f"{', '.join(bad)} (not shared), with no network chosen ({where(res)}): Traefik picks one at "
            f"random, and requests sent to the {bad[0]} address time out (504)",
            f"add the label `traefik.docker.network={good[0]}` to {target.name}",
        )
