"""
## What it does
Flags a service with Traefik routing labels when no Traefik is checked with it and the service is on no
`external` network: the Traefik that reads its labels runs in another project, and cannot reach it.

## Why is this bad?
Traefik's Docker provider reads the labels of every container on the engine, and routes to the container's
address on one of its networks, whether Traefik is on that network or not (measured on Traefik 3.7,
docs/proxy-behaviour.md t07). A service on its project's own networks only is reachable from no other
project's containers, so the route times out: `504 Gateway Timeout` after 30 s.

## Example
```yaml
services:
  app:
    labels:
      traefik.http.routers.app.rule: Host(`app.test`)
      traefik.http.services.app.loadbalancer.server.port: "3000"
```

## Use instead
```yaml
services:
  app:
    networks: [default, proxy]
    labels:
      traefik.docker.network: proxy
      traefik.http.routers.app.rule: Host(`app.test`)
      traefik.http.services.app.loadbalancer.server.port: "3000"
networks:
  proxy:
    external: true
    name: proxy   # the network the Traefik container is on
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.model import NetworkMode
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, finding

META = Meta("DN507", "traefik-labels-unreachable", Severity.ERROR, dialects=frozenset({"traefik"}))


def check(ctx: Context) -> Iterator[Finding]:
    """Traefik labels that only a Traefik of another project can read, on private networks only."""
    checked = any(p.dialect == "traefik" for _, p in ctx.proxies())
    if checked or any(p.live for p in ctx.topo.topology.projects):
        return  # a Traefik is checked (read or not), or a live engine shows every container: not this case
    for node, svc in sorted(ctx.topo.services.items()):
        keys = [k for k in svc.labels if k.lower().startswith("traefik.http.routers.")]
        enable = next((v for k, v in svc.labels.items() if k.lower() == "traefik.enable"), None)
        if (
            not keys
            or (enable or "").strip().lower() == "false"
            or svc.network_mode is not NetworkMode.NETWORKS
        ):
            continue
        nets = [ctx.topo.networks[n] for n in ctx.topo.networks_of(node) if n in ctx.topo.networks]
        if not nets or any(n.external for n in nets):
            continue
        loc = min(svc.label_locs[k] for k in keys if k in svc.label_locs) if svc.label_locs else svc.loc
        yield finding(
            META,
            f"{svc.name} has Traefik routing labels, but no Traefik is checked with it and it is only on "
            f"{', '.join(n.name for n in nets)}, which no other project's Traefik can reach: its requests "
            "time out (504)",
            f"attach {svc.name} to the Traefik's network (declared `external: true`) and set the label "
            "`traefik.docker.network` to that network's name",
            loc,
            service=svc,
        )
