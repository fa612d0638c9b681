"""
## What it does
Flags an upstream name that no checked project defines, when the proxy is on an `external` network that
no checked project creates: another project can attach a container of that name to it, so dockernet
cannot tell from these files alone whether the route works.

## Why is this bad?
A shared proxy network (`networks: {web: {external: true}}`) is the usual way to put one proxy in front of
several compose projects, and each repository is often checked on its own in CI. If the project that
provides the name is not up, or names its service differently, the proxy fails as for an unknown name:
nginx refuses to start (`host not found in upstream`), other proxies answer 502. Checking both projects
together, or against the running engine, turns this into a certain answer.

## Example
```yaml
services:
  proxy:
    image: nginx
    networks: [web]
networks:
  web:
    external: true   # created by the project that runs `api`, elsewhere
```
```nginx
location /api/ { proxy_pass http://api:3000; }
```

## Use instead
Check the projects together, `dockernet check proxy/ api/`, or against the engine where they run,
`dockernet check --engine`.
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.analysis.resolve import Kind
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, route_finding, where

META = Meta("DN207", "upstream-on-external-network", Severity.WARNING)


def check(ctx: Context) -> Iterator[Finding]:
    """Unknown names that a project outside the check may provide on an external network."""
    for res in ctx.resolutions(Kind.NOT_FOUND):
        if not res.open_networks or res.elsewhere or res.no_dns:
            continue
        proxy = ctx.service(res.proxy)
        nets = ", ".join(res.open_networks)
        yield route_finding(
            META,
            ctx,
            res,
            f'"{res.host}" ({where(res)} of {proxy.name}) is not defined in the checked projects; another '
            f"project may provide it on the external network {nets}, which {proxy.name} is on",
            f"check the project that provides {res.host} together with this one (dockernet check DIR DIR), "
            "or against the engine where both run (dockernet check --engine)",
        )
