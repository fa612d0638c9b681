"""
## What it does
Flags a container that Traefik routes to without a `loadbalancer.server.port` label, when it exposes several
ports and the one Traefik takes, the lowest by number, is not the one its command or environment says it
listens on.

## Why is this bad?
Without a port label Traefik uses the container's lowest exposed port (not the first listed: measured on
Traefik 3.7, `expose: ["20000", "10000", "9000"]` gives 9000, docs/proxy-behaviour.md t05). The Traefik
documentation only says to set the port "if a container exposes multiple ports"
(https://doc.traefik.io/traefik/providers/docker/#port-detection). When nothing listens on that port,
every request gets `502 Bad Gateway` (connection refused).

## Example
```yaml
  app:
    command: ["httpd", "-f", "-p", "8080"]
    expose: ["8080", "3000"]
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

from dockernet.model import Lookup
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, route_finding, where
from dockernet.rules.query import reached_services

META = Meta("DN508", "traefik-default-port-wrong", Severity.ERROR, dialects=frozenset({"traefik"}))


def check(ctx: Context) -> Iterator[Finding]:
    """Traefik's lowest-port choice against the ports the container says it listens on."""
    for res, node in reached_services(ctx):
        t = res.upstream
        if t.lookup is not Lookup.PROVIDER or t.port_written or t.port is None:
            continue
        if ctx.dialect(res.proxy).name not in META.dialects:
            continue  # nginx-proxy's provider upstreams are not Traefik's
        listening = sorted({lst.port for lst in ctx.listeners(node)})
        if not listening or t.port in listening:
            continue
        target = ctx.service(node)
        yield route_finding(
            META,
            ctx,
            res,
            f"{target.name} has no port label, so Traefik takes its lowest exposed port, {t.port} "
            f"({where(res)}), but {target.name} listens on {', '.join(map(str, listening))}",
            f"add the label `traefik.http.services.{target.name}.loadbalancer.server.port={listening[0]}`",
        )
