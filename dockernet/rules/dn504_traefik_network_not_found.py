"""
## What it does
Flags `traefik.docker.network` (or the provider's `providers.docker.network`) set to a name that is not one
of the container's networks, typically the compose key (`front`) instead of the engine's name
(`myproject_front`).

## Why is this bad?
Traefik looks the name up among the container's networks by the engine's name only. It logs
`Could not find network named "front" ... Maybe you're missing the project's prefix in the label?` (WARN)
and falls back to any of the container's networks, at random (measured on Traefik 3.7,
docs/proxy-behaviour.md t11). On a container with one network this still works, by luck; on several, see
DN503.

## Example
```yaml
  app:
    networks: [front, back]
    labels:
      traefik.docker.network: front
```

## Use instead
```yaml
    labels:
      traefik.docker.network: myproject_front
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.analysis.graph import network_id
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, finding
from dockernet.rules.query import traefik_proxies

META = Meta("DN504", "traefik-network-not-found", Severity.WARNING, dialects=frozenset({"traefik"}))


def check(ctx: Context) -> Iterator[Finding]:
    """Network settings that name none of the container's networks."""
    for node, _proxy, facts in traefik_proxies(ctx):
        for setting in facts.networks:
            target = ctx.topo.by_key.get(setting.container)
            if target is None:
                continue
            theirs = ctx.topo.networks_of(target)
            if network_id(setting.network) in theirs:
                continue
            names = [ctx.topo.networks[n] for n in theirs if n in ctx.topo.networks]
            meant = next((n.name for n in names if n.key == setting.network), None)
            shown = ", ".join(n.name for n in names) or "none"
            what = "the label" if setting.from_label else "providers.docker.network"
            yield finding(
                META,
                f'{what} names network "{setting.network}", which {setting.container[1]} is not on (its '
                f"networks: {shown}): Traefik falls back to any of them",
                f"use the engine's name: `traefik.docker.network={meant}`"
                if meant
                else f"name one of its networks: {shown}",
                setting.loc,
                service=ctx.service(node),
            )
