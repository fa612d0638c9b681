"""
## What it does
Flags `host.docker.internal` (or `gateway.docker.internal`) in an upstream when the proxy has no
`extra_hosts: ["host.docker.internal:host-gateway"]`. (A hard-coded gateway address is DN205.)

## Why is this bad?
Docker Desktop defines `host.docker.internal`; Docker Engine on Linux does not, unless the container is
given the `host-gateway` mapping. nginx fails with `host not found in upstream "host.docker.internal"`.

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

from dockernet.analysis.resolve import HOST_GATEWAY_NAMES, Kind
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, route_finding, where

META = Meta("DN107", "host-gateway-missing", Severity.ERROR)


def check(ctx: Context) -> Iterator[Finding]:
    """host.docker.internal without host-gateway."""
    for res in ctx.resolutions(Kind.NOT_FOUND):
        proxy = ctx.service(res.proxy)
        host = res.host or ""
        if host.lower() in HOST_GATEWAY_NAMES:
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
