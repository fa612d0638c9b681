"""
## What it does
Flags an upstream name that belongs to a service or container which shares no network with the proxy.
This includes two compose projects checked together whose same-named networks are in fact different
networks (`a_webnet` and `b_webnet`).

## Why is this bad?
Docker's embedded DNS answers only for containers on the networks the asking container is on, and bridge
networks do not route to each other. The name does not resolve from the proxy: nginx refuses to start with
`host not found in upstream`, or answers 502 per request when the name is in a variable.

## Example
```yaml
services:
  nginx:
    networks: [front]
  app:
    networks: [back]
networks:
  front: {}
  back: {}
```
```nginx
location / { proxy_pass http://app:3000; }
```

## Use instead
```yaml
services:
  nginx:
    networks: [front, back]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.analysis.resolve import Kind, ip_literal
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, route_finding, where

META = Meta("DN103", "no-shared-network", Severity.ERROR)


def check(ctx: Context) -> Iterator[Finding]:
    """Names that exist, but on networks the proxy is not attached to."""
    for res in ctx.resolutions(Kind.NOT_FOUND, Kind.SERVICE):
        if res.reached or not res.elsewhere or res.no_dns or ip_literal(res.host or ""):
            continue  # IP literals are DN108's
        proxy = ctx.service(res.proxy)
        target_node, net_node = res.elsewhere[0]
        target = ctx.service(target_node)
        net = ctx.topo.networks.get(net_node)
        net_name = net.name if net else net_node
        mine = ", ".join(ctx.topo.networks[n].name for n in ctx.topo.networks_of(res.proxy)) or "none"
        if net is not None and net.project == proxy.project:
            hint = f'add network "{net.key}" to the networks of service {proxy.name}'
        else:
            hint = (
                f'attach {proxy.name} to network "{net_name}": in project {proxy.project} declare '
                f"networks: {{shared: {{external: true, name: {net_name}}}}} and add it to "
                f"{proxy.name}'s networks"
            )
        what = f"{target.project}/{target.name}" if target.project != proxy.project else target.name
        yield route_finding(
            META,
            ctx,
            res,
            f'"{res.host}" ({where(res)} of {proxy.name}) is {what} on network {net_name}, which '
            f"{proxy.name} is not on ({proxy.name} is on: {mine})",
            hint,
        )
