"""
## What it does
Flags an IP literal upstream that the proxy cannot reach: a static address (`ipv4_address`) of a container
that shares no network with the proxy, or a private address inside the subnet of a network the proxy is
not attached to, or outside every subnet of the proxy's networks when all of them are known.

## Why is this bad?
Bridge networks are isolated from each other. A packet to another network's container address goes
nowhere: `upstream timed out (110: Connection timed out) while connecting to upstream` (504) or
`No route to host` (502). Hard-coded addresses also break when the network is recreated.

## Example
```yaml
services:
  nginx:
    networks: [front]
  app:
    networks:
      back: {ipv4_address: 172.30.1.10}
```
```nginx
location / { proxy_pass http://172.30.1.10:3000; }
```

## Use instead
```nginx
location / { proxy_pass http://app:3000; }   # with nginx on a network shared with app
```
"""

from __future__ import annotations

from collections.abc import Iterator

import netaddr

from dockernet.analysis.resolve import Kind, subnets
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, route_finding, where

META = Meta("DN108", "unreachable-ip", Severity.ERROR)


def check(ctx: Context) -> Iterator[Finding]:
    """IP literals outside the proxy's networks."""
    for res in ctx.resolutions(Kind.SERVICE, Kind.IP):
        if res.no_dns == "host network" or (res.kind is Kind.SERVICE and res.reached):
            continue
        proxy = ctx.service(res.proxy)
        mine = ctx.topo.networks_of(res.proxy)
        if res.kind is Kind.SERVICE:
            if not res.elsewhere:
                continue
            node, net = res.elsewhere[0]
            name = ctx.service(node).name
            yield route_finding(
                META,
                ctx,
                res,
                f"{res.host} ({where(res)} of {proxy.name}) is the static address of {name} on network "
                f"{ctx.topo.networks[net].name}, which {proxy.name} is not on",
                f"use the name {name} and put {proxy.name} on a network shared with {name}",
            )
            continue
        ip = netaddr.IPAddress(res.host or "0.0.0.0")
        if not ip.is_ipv4_private_use() and not (ip.version == 6 and ip.is_ipv6_unique_local()):
            continue  # a public address: outside dockernet's view
        if any(n in mine for n in res.in_subnet_of):
            continue
        if res.in_subnet_of:
            other = ctx.topo.networks[res.in_subnet_of[0]].name
            why = f"is in the subnet of network {other}, which {proxy.name} is not on"
        elif mine and all(subnets(ctx.topo, n) for n in mine):
            why = f"is outside every subnet {proxy.name} is attached to"
        else:
            continue
        yield route_finding(
            META,
            ctx,
            res,
            f"{res.host} ({where(res)} of {proxy.name}) {why}",
            "use the service name of the target, on a network it shares with " + proxy.name,
        )
