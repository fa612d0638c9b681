"""
## What it does
Warns about an upstream at a hard-coded gateway address of a Docker network the proxy is not on (an address
copied from `docker network inspect` of another network, or `172.17.0.1` from a proxy on a user-defined
network), when `host.docker.internal` with `host-gateway` was meant.

## Why is this bad?
Every gateway address belongs to the Docker host, so the route works only while the host service listens on
all interfaces (or on that very address); a service bound to the gateway of the proxy's own network, or to
the docker0 address, refuses it (`connect() failed (111: Connection refused)`, 502). The address also
changes when a network without a declared subnet is recreated, and it means nothing on another machine.

## Example
```nginx
location / { proxy_pass http://172.18.0.1:8000; }   # the gateway of some other network
```

## Use instead
```yaml
services:
  nginx:
    extra_hosts: ["host.docker.internal:host-gateway"]
```
```nginx
location / { proxy_pass http://host.docker.internal:8000; }
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.analysis.resolve import Kind, gateways
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, route_finding, where

META = Meta("DN205", "hard-coded-gateway-ip", Severity.WARNING)


def check(ctx: Context) -> Iterator[Finding]:
    """Gateway addresses of networks the proxy is not on."""
    for res in ctx.resolutions(Kind.HOST):
        if res.hosts_entry is not None or res.no_dns == "host network":
            continue
        own = sorted({gw for net in ctx.topo.networks_of(res.proxy) for gw in gateways(ctx.topo, net)})
        host = res.host or ""
        if not own or host in own:
            continue
        proxy = ctx.service(res.proxy)
        yield route_finding(
            META,
            ctx,
            res,
            f"{host} ({where(res)} of {proxy.name}) is the gateway of a network {proxy.name} is not on "
            f"(its gateways: {', '.join(own)}); it reaches the host only while the host service listens on "
            "every interface",
            f'add extra_hosts: ["host.docker.internal:host-gateway"] to {proxy.name} and use '
            f"{ctx.fix(res, 'host.docker.internal').text}",
        )
