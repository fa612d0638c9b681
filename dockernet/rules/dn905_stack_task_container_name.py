"""
## What it does
In a stack, flags an upstream that names one task's container (`shop_app.1.<task-id>` or `shop_app.1`)
instead of the service.

## Why is this bad?
Swarm names each task container `<stack>_<service>.<slot>.<task-id>`, and the embedded DNS answers that
name (measured on a single-node swarm). The task id is new each time the task is replaced: on an update, a
restart, a rescale or a node failure. The route then breaks. `shop_app.1` alone never resolves. A route to
one task also skips the other replicas.

## Example
```nginx
location / { proxy_pass http://shop_app.1.wty73l710u4adv8psncww0dat:3000; }
```

## Use instead
```nginx
location / { proxy_pass http://app:3000; }
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, route_finding, where

META = Meta("DN905", "stack-task-container-name", Severity.ERROR)

_TASK = re.compile(r"^(?P<service>[a-z0-9][a-z0-9_.-]*?)\.(?P<slot>\d+)(\.[a-z0-9]{25})?$")


def check(ctx: Context) -> Iterator[Finding]:
    """Upstreams by task container name."""
    full: dict[str, str] = {}
    for svc in ctx.topo.services.values():
        if svc.stack is not None:
            full[f"{svc.stack}_{svc.name}".lower()] = svc.name
    if not full:
        return
    seen: set[str] = set()
    for res in ctx.resolutions():
        m = _TASK.match((res.host or "").lower())
        if m is None or m.group("service") not in full or res.upstream.id in seen:
            continue
        seen.add(res.upstream.id)
        short = full[m.group("service")]
        yield route_finding(
            META,
            ctx,
            res,
            f"{res.host} ({where(res)}) is the container of one task of {m.group('service')}; its name "
            f"changes whenever the task is replaced, and the route then fails",
            f"use the service name: {short}" + (f":{res.port}" if res.port else ""),
        )
