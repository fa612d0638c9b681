"""
## What it does
Warns about an upstream at a container's own IP address, from a proxy that runs on the Docker host
(`--host-nginx`, `--host-proxy`, or found by `scan`) or in a container with `network_mode: host`, when that
address is not a static one (`ipv4_address`, `ipv6_address`): an address the engine gave the container when
it started (`scan` reads it), or an address inside the subnet of a compose network that no container holds
statically, which the engine hands out at start.

## Why is this bad?
The host has a route to every bridge network, so the route works today. But the engine gives a container its
address when the container starts: `docker compose up` after a change recreates it, and it may come back
with another address (or another container gets this one). nginx then connects to nothing
(`connect() failed (113: No route to host)`, 502) or to the wrong app. A port published on the host's
loopback stays where it is across recreations, and so does a static address.

## Example
```yaml
services:
  app:
    networks: [back]
networks:
  back:
    ipam: {config: [{subnet: 172.29.117.0/24}]}
```
```nginx
# nginx on the host
location / { proxy_pass http://172.29.117.2:3000; }
```

## Use instead
```yaml
services:
  app:
    ports: ["127.0.0.1:8080:3000"]
```
```nginx
location / { proxy_pass http://127.0.0.1:8080; }
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.analysis.resolve import Kind, Resolution
from dockernet.model import Service
from dockernet.model.findings import Edit, Finding, Severity
from dockernet.rules.base import Context, Meta, route_finding, where
from dockernet.rules.query import in_host_namespace, loopback_entry, loopback_port_hint, who

META = Meta("DN209", "container-ip-from-host", Severity.WARNING)


def check(ctx: Context) -> Iterator[Finding]:
    """Dynamic container addresses used from the host's network namespace."""
    for res in ctx.resolutions(Kind.SERVICE, Kind.IP):
        if not in_host_namespace(ctx, res) or not res.host:
            continue
        if res.kind is Kind.SERVICE:
            dynamic = [
                n for n, _ in res.reached if n in ctx.topo.services and not _static(ctx.service(n), res.host)
            ]
            if not dynamic:
                continue
            target = ctx.service(dynamic[0])
            why = f"{res.host} is the address the engine gave {target.name} when it started"
            yield _finding(ctx, res, why, [target])
        elif res.in_subnet_of:
            net = res.in_subnet_of[0]
            members = [
                ctx.service(n)
                for n in sorted(ctx.topo.services)
                if net in ctx.topo.networks_of(n) and not ctx.service(n).on_host
            ]
            name = ctx.topo.networks[net].name
            who_there = f" (containers there: {', '.join(s.name for s in members)})" if members else ""
            why = (
                f"{res.host} is in the subnet of network {name}, where the engine gives containers their "
                f"addresses when they start{who_there}"
            )
            yield _finding(ctx, res, why, members)


def _static(service: Service, address: str) -> bool:
    return any(address in (att.ipv4_address, att.ipv6_address) for att in service.networks)


def _finding(ctx: Context, res: Resolution, why: str, targets: list[Service]) -> Finding:
    proxy = who(ctx, res.proxy)
    hint = "give the container a static address (ipv4_address), or publish its port on 127.0.0.1 and use that"
    edits: tuple[Edit, ...] = ()
    for svc in targets:
        found = loopback_port_hint(ctx, res, svc)
        if found is not None:
            hint, edits = found
            break
        if res.port is not None and len(targets) == 1:
            fx = ctx.fix(res, "127.0.0.1", res.port)
            hint = (
                f"publish {svc.name}'s port on the host's loopback, "
                f'ports: ["{loopback_entry(res.port)}"] in '
                f"{svc.name}, and connect there ({fx.text}), or give {svc.name} a static ipv4_address"
            )
    return route_finding(
        META,
        ctx,
        res,
        f"{proxy} ({where(res)}) connects to {res.host}: {why}; when the container is recreated the address "
        "can change",
        hint,
        edits,
    )
