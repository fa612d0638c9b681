"""
## What it does
Flags a network that a compose project declares `external` (it must already exist) when it does not exist
on the Docker engine. It needs the engine: `dockernet check --engine` compares the compose files with the
engine's networks, and `dockernet scan` flags containers that are still attached to a network that has
been removed since they were created (by `docker network rm` or `docker network prune`).

## Why is this bad?
`docker compose config` accepts the file, but `docker compose up` refuses to start the project:
`network shared not found` (Compose 2.26; newer releases say `network shared declared as external, but
could not be found`), and a stopped container attached to a removed network cannot start again for the
same reason. Nothing starts, so the site answers nothing, or 502 from the proxy in front of it.

## Example
```yaml
services:
  nginx:
    networks: [shared]
networks:
  shared:
    external: true        # but `docker network ls` has no "shared"
```

## Use instead
Create the network first (`docker network create shared`), start the project that creates it, or let
this project create it:
```yaml
networks:
  shared:
    name: shared
```
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from dockernet.model import Topology
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, finding

META = Meta("DN113", "external-network-missing", Severity.ERROR, live=True)


def engine_networks(topology: Topology) -> frozenset[str] | None:
    """Names of the networks that exist on the engine; None when no engine was consulted.

    An engine always has its ``bridge``, ``host`` and ``none`` networks, so an empty list means that the
    run had no engine (plain ``dockernet check``).
    """
    names = {n.name for n in topology.engine_networks}
    for project in topology.projects:
        if project.live:
            names |= {n.name for n in project.networks.values() if not n.external}
    if not names and not any(p.live for p in topology.projects):
        return None
    return frozenset(names)


def check(ctx: Context) -> Iterator[Finding]:
    """External networks of the checked projects that the engine does not have."""
    topology = ctx.topo.topology
    existing = engine_networks(topology)
    if existing is None:
        return
    # A network that another checked project creates will exist once that project is up.
    created = {n.name for p in topology.projects if not p.live for n in p.networks.values() if not n.external}
    for project in topology.projects:
        for net in sorted(project.networks.values(), key=lambda n: n.name):
            if not net.external or net.name in existing or net.name in created:
                continue
            users = [
                s
                for s in sorted(project.services.values(), key=lambda s: s.name)
                if any(a.network == net.key for a in s.networks)
            ]
            if project.live:
                message = (
                    f'network "{net.name}" no longer exists on the engine, but container(s) of project '
                    f"{project.name} are attached to it; they cannot start again "
                    f'("network {net.name} not found")'
                )
            else:
                message = (
                    f'network "{net.name}" (networks: {net.key}) is declared external but does not exist '
                    f'on the engine; docker compose up fails with "network {net.name} not found"'
                )
            f = finding(
                META,
                message,
                f"create it (docker network create {net.name}), start the project that creates it, or drop "
                f"external: true so that project {project.name} creates it",
                net.loc,
                service=users[0] if users else None,
                network=net.name,
            )
            yield replace(f, project=project.name or None)
