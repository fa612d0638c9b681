"""
## What it does
In a stack, flags a proxy that resolves the task addresses of a service only once, at start. That is
`tasks.<service>`, or the name of a service with `deploy.endpoint_mode: dnsrr`, written as a static name
(nginx `proxy_pass http://tasks.app:3000;` or an `upstream` server without `resolve`).

## Why is this bad?
These names answer with the addresses of the running tasks, one per replica. The addresses change
whenever a task is replaced: on an update, a restart, a node failure or a rescale. nginx keeps the
addresses it resolved at start and then fails with 502 or 504. `docker stack deploy` ignores `depends_on`,
so when nginx starts before any task of the service runs, the name has no address yet. nginx then exits
with `host not found in upstream` and Swarm restarts it until a task is up (a crash loop). A service name
in VIP mode does not have this problem: it resolves to one virtual address that stays the same for the
life of the service.

## Example
```nginx
location / { proxy_pass http://tasks.app:3000; }
```

## Use instead
```nginx
resolver 127.0.0.11 valid=10s;
location / { set $app tasks.app; proxy_pass http://$app:3000; }
```
Or use the service name (`app`) with the default `endpoint_mode: vip`.
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.model import Lookup
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, route_finding, where
from dockernet.rules.query import reached_services

META = Meta("DN902", "stack-task-addresses-resolved-once", Severity.WARNING)


def check(ctx: Context) -> Iterator[Finding]:
    """Task addresses resolved once by a stack proxy."""
    seen: set[str] = set()
    for res, node in reached_services(ctx):
        proxy = ctx.service(res.proxy)
        target = ctx.service(node)
        host = (res.host or "").lower()
        if proxy.stack is None or target.stack is None or res.upstream.lookup is not Lookup.STARTUP:
            continue
        if res.upstream.id in seen:
            continue
        if host.startswith("tasks."):
            why = f"{res.host} answers with the addresses of the running tasks of {target.name}"
        elif target.endpoint_mode == "dnsrr":
            why = f"{target.name} has endpoint_mode: dnsrr, so its name answers with its task addresses"
        else:
            continue
        seen.add(res.upstream.id)
        yield route_finding(
            META,
            ctx,
            res,
            f"{proxy.name} resolves {res.host} once at start ({where(res)}): {why}, which change whenever "
            f"a task is replaced, and none exist while no task runs (depends_on is ignored in a stack)",
            f"resolve at request time (resolver 127.0.0.11 valid=10s; set $upstream {res.host}; "
            f"proxy_pass http://$upstream:{res.port or 80};), or use the service name {target.name} "
            f"with endpoint_mode: vip",
        )
