"""
## What it does
Flags an upstream port that is the host side of the target's `ports:` mapping rather than the container
side.

## Why is this bad?
`ports: ["8080:3000"]` publishes container port 3000 on the host's port 8080. Between containers, the host
mapping does not apply: the app listens on 3000 in its own network namespace, and `app:8080` is refused
(`connect() failed (111: Connection refused)`, 502).

## Example
```yaml
services:
  app:
    ports: ["8080:3000"]
```
```nginx
location / { proxy_pass http://app:8080; }
```

## Use instead
```nginx
location / { proxy_pass http://app:3000; }
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.model import PortMapping
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, route_finding, where
from dockernet.rules.query import reached_services

META = Meta("DN105", "published-port-used", Severity.ERROR)


def check(ctx: Context) -> Iterator[Finding]:
    """Host-side ports used between containers."""
    for res, node in reached_services(ctx):
        port = res.port
        if port is None or port in ctx.ports(node):
            continue
        target = ctx.service(node)
        mapping = next((m for m in target.ports if m.published == port), None)
        if mapping is None:
            continue
        fx = ctx.fix(res, res.host or "", mapping.target)
        yield route_finding(
            META,
            ctx,
            res,
            f"{port} ({where(res)} of {ctx.service(res.proxy).name}) is the host side of {target.name}'s "
            f'ports mapping "{_spec(mapping)}"; between containers the container port '
            f"{mapping.target} applies",
            f"use the container port: {fx.text}",
            fx.edits,
        )


def _spec(mapping: PortMapping) -> str:
    """The mapping in compose's short syntax: ``127.0.0.1:8080:3000``."""
    host_ip = f"[{mapping.host_ip}]" if mapping.host_ip and ":" in mapping.host_ip else mapping.host_ip
    return ":".join(str(p) for p in (host_ip, mapping.published, mapping.target) if p is not None)
