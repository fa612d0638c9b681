"""
## What it does
Flags a Traefik with the Docker provider on (`--providers.docker`) whose container does not mount the Docker
socket it talks to (`/var/run/docker.sock`, the provider's default `endpoint`).

## Why is this bad?
Traefik starts and its API answers, but the provider cannot list any container: it logs
`Failed to retrieve information of the docker client and server host ... dial unix /var/run/docker.sock:
connect: no such file or directory` (ERROR) and retries forever. No label makes a route, and every request
gets `404 page not found` (measured on Traefik 3.7, docs/proxy-behaviour.md t17).

## Example
```yaml
  traefik:
    image: traefik:v3.1
    command: ["--providers.docker=true"]
```

## Use instead
```yaml
  traefik:
    image: traefik:v3.1
    command: ["--providers.docker=true"]
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock:ro
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.dialects.traefik import Why
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, finding
from dockernet.rules.query import traefik_proxies

META = Meta("DN506", "traefik-docker-socket-missing", Severity.ERROR, dialects=frozenset({"traefik"}))


def check(ctx: Context) -> Iterator[Finding]:
    """Docker providers without the socket: one finding per router they leave unserved."""
    for node, _proxy, facts in traefik_proxies(ctx):
        docker = facts.static.docker
        if docker is None:
            continue
        svc = ctx.service(node)
        socket = docker.endpoint.removeprefix("unix://")
        routers = [r for r in facts.routers if r.why is Why.NO_SOCKET]
        for router in routers:
            yield finding(
                META,
                f"{svc.name} runs Traefik's Docker provider but does not mount {socket}: Traefik sees no "
                f"container, makes no route from labels and answers 404 (router {router.name})",
                f'mount the socket: `volumes: ["{socket}:{socket}:ro"]`',
                router.loc,
                service=svc,
            )
