"""
## What it does
Flags `host.docker.internal` (or `gateway.docker.internal`) in an upstream when the proxy has no
`extra_hosts: ["host.docker.internal:host-gateway"]`, and a hard-coded gateway address that is not the
gateway of any network the proxy is on.

## Why is this bad?
Docker Desktop defines `host.docker.internal`; Docker Engine on Linux does not, unless the container is
given the `host-gateway` mapping. nginx fails with `host not found in upstream "host.docker.internal"`.
A gateway address copied from another network (`172.18.0.1`) points at an interface of the host that the
proxy's network does not route to as its gateway, and it changes whenever networks are recreated.

## Example
```yaml
services:
  nginx:
    image: nginx
```
```nginx
location / { proxy_pass http://host.docker.internal:8000; }
```

## Use instead
```yaml
services:
  nginx:
    image: nginx
    extra_hosts: ["host.docker.internal:host-gateway"]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.findings import Finding, Severity
from dockernet.resolve import HOST_GATEWAY_NAMES, Kind, gateways
from dockernet.rules.base import Context, Meta, directive_text, route_finding, where, with_host

META = Meta("DN107", "host-gateway-missing", Severity.ERROR)


def check(ctx: Context) -> Iterator[Finding]:
    """host.docker.internal without host-gateway; gateway IPs of other networks."""
    for res in ctx.resolutions(Kind.NOT_FOUND, Kind.HOST):
        proxy = ctx.service(res.proxy)
        host = res.host or ""
        if res.kind is Kind.NOT_FOUND and host.lower() in HOST_GATEWAY_NAMES:
            if res.no_dns == "host network":
                continue
            yield route_finding(
                META,
                ctx,
                res,
                f'"{host}" ({where(res)} of {proxy.name}) does not resolve on Docker Engine for Linux: '
                f"{proxy.name} has no extra_hosts entry for it",
                f'add to service {proxy.name}: extra_hosts: ["{host}:host-gateway"]',
            )
        elif res.kind is Kind.HOST and res.hosts_entry is None:
            own = sorted({gw for net in ctx.topo.networks_of(res.proxy) for gw in gateways(ctx.topo, net)})
            if not own or host in own:
                continue
            yield route_finding(
                META,
                ctx,
                res,
                f"{host} ({where(res)} of {proxy.name}) is the gateway of a network {proxy.name} is not on "
                f"(its gateways: {', '.join(own)})",
                f'add extra_hosts: ["host.docker.internal:host-gateway"] to {proxy.name} and use '
                f"{directive_text(res, with_host(res, 'host.docker.internal'))}",
            )
