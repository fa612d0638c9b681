"""
## What it does
Flags an upstream whose target container exists but does not serve: it is exited, restarting, paused,
dead or never started, or it runs but its healthcheck says it is unhealthy. Only a live scan
(`dockernet scan`) knows container states; the message gives the state and the last exit code.

## Why is this bad?
The embedded DNS stops answering for a container that is not running, so nginx fails to start with
`host not found in upstream "app"` (a static name), or answers 502 per request with `app could not be
resolved` (a name in a variable) or `connect() failed (113: No route to host)` (a cached address). An
unhealthy container still gets traffic: Docker's DNS ignores health outside swarm mode, so requests reach
a container that its own healthcheck declares broken. A restarting container answers 502 between crashes.

## Example
```console
$ docker ps -a
NAMES          STATUS
shop-app-1     Exited (1) 3 minutes ago
shop-nginx-1   Up 3 minutes
```
```nginx
location / { proxy_pass http://app:3000; }
```

## Use instead
Find out why the container stopped and start it again:
```console
$ docker logs shop-app-1
$ docker compose up -d app
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.analysis.resolve import Resolution
from dockernet.model import Service
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, route_finding, where
from dockernet.rules.query import reached_services

META = Meta("DN110", "upstream-not-running", Severity.ERROR, live=True)


def _down(svc: Service) -> bool:
    return svc.state is not None and svc.state != "running"


def _unhealthy(svc: Service) -> bool:
    return svc.state == "running" and svc.health == "unhealthy"


def state_text(svc: Service) -> str:
    """``exited (exit code 3)``, ``restarting (last exit code 1)``, ``running but unhealthy``."""
    if _unhealthy(svc):
        return "running but unhealthy (its healthcheck fails)"
    state = svc.state or "unknown"
    if state == "exited" and svc.exit_code is not None:
        return f"exited (exit code {svc.exit_code})"
    if state == "restarting" and svc.exit_code is not None:
        return f"restarting (last exit code {svc.exit_code})"
    if state == "created":
        return "created but never started"
    return state


def check(ctx: Context) -> Iterator[Finding]:
    """Targets reached over a network whose containers are not running, or are unhealthy."""
    groups: dict[int, tuple[Resolution, list[str]]] = {}
    for res, node in reached_services(ctx):
        groups.setdefault(id(res), (res, []))[1].append(node)
    for res, nodes in groups.values():
        targets = [ctx.service(n) for n in nodes]
        if all(t.state is None for t in targets):
            continue  # static input: no states to judge
        up = [t for t in targets if not _down(t) and not _unhealthy(t)]
        bad = [t for t in targets if _unhealthy(t)]
        if not up:
            # The embedded DNS answers only running containers: with one of them up, the stopped ones
            # are simply not returned.
            bad += [t for t in targets if _down(t)]
        if not bad:
            continue
        proxy = ctx.service(res.proxy)
        shown = "; ".join(f"{t.container_name or t.name} is {state_text(t)}" for t in bad)
        first = bad[0]
        name = first.container_name or first.name
        if _unhealthy(first):
            hint = (
                f"see why its healthcheck fails: docker inspect --format '{{{{json .State.Health}}}}' {name}"
            )
        else:
            hint = f"see why it stopped (docker logs {name}), fix that and start it again"
        yield route_finding(
            META,
            ctx,
            res,
            f'"{res.host or res.upstream.raw}" ({where(res)} of {proxy.name}) reaches a container that does '
            f"not serve: {shown}",
            hint,
        )
