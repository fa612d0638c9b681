"""
## What it does
Flags a route whose upstream name nginx resolved once, when it started (a static name in `proxy_pass` or an
upstream `server` without `resolve`, no `resolver` with a variable), while the target container started
after the proxy: it was restarted or recreated since, so its IP address may have changed and nginx may still
be connecting to the old one. Only a live scan (`dockernet scan`) knows the start times.

## Why is this bad?
nginx looks static names up while loading its configuration and keeps the addresses until it is reloaded.
A container that is recreated (`docker compose up` after a change) or restarted after another one took its
address gets a new IP; nginx keeps sending requests to the old one and answers 502
(`connect() failed (113: No route to host)` or `(111: Connection refused)` from whoever has that address now)
although `docker exec proxy wget app:3000` works.

## Example
```nginx
location / { proxy_pass http://app:3000; }
```
```console
$ docker inspect -f '{{.State.StartedAt}}' shop-nginx-1 shop-app-1
2024-05-01T10:00:00Z
2024-05-01T11:30:00Z
```

## Use instead
Reload nginx after recreating its upstreams (`docker compose exec nginx nginx -s reload`), or resolve per
request through Docker's DNS:
```nginx
resolver 127.0.0.11 valid=10s;
location / { set $app app:3000; proxy_pass http://$app; }
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

from dockernet.model import Lookup
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, route_finding, where
from dockernet.rules.query import reached_services

META = Meta("DN206", "stale-upstream-address", Severity.WARNING, live=True)

_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$")


def started(value: str | None) -> datetime | None:
    """The engine's ``State.StartedAt`` (RFC 3339 with up to nanoseconds, trailing zeros trimmed) as a
    datetime; None when missing, unparsable or the zero time of a container that never started."""
    m = _TIME.match(value or "")
    if m is None or m.group(1).startswith("0001-"):
        return None
    zone = "+00:00" if m.group(3) == "Z" else m.group(3)
    micro = (m.group(2) or "0")[:6].ljust(6, "0")
    try:
        return datetime.fromisoformat(f"{m.group(1)}.{micro}{zone}").astimezone(UTC)
    except ValueError:
        return None


def check(ctx: Context) -> Iterator[Finding]:
    """Static names of targets that started after their proxy."""
    seen: set[tuple[str, int, str]] = set()
    for res, node in reached_services(ctx):
        t = res.upstream
        if res.upstream.lookup is not Lookup.STARTUP:
            continue
        proxy, target = ctx.service(res.proxy), ctx.service(node)
        if proxy.state != "running" or target.state != "running":
            continue
        p_start, t_start = started(proxy.started_at), started(target.started_at)
        if p_start is None or t_start is None or t_start <= p_start:
            continue
        key = (t.loc.file, t.loc.line, node)
        if key in seen:
            continue
        seen.add(key)
        name = target.container_name or target.name
        pname = proxy.container_name or proxy.name
        title = ctx.dialect(res.proxy).title
        fx = ctx.per_request_fix(res)
        yield route_finding(
            META,
            ctx,
            res,
            f'{pname} resolved "{res.host}" ({where(res)}) once, when it started at '
            f"{p_start:%Y-%m-%d %H:%M:%S}Z; {name} started later, at {t_start:%Y-%m-%d %H:%M:%S}Z, so "
            f"its address may have changed and {title} may still connect to the old one",
            f"reload {title} (docker exec {pname} nginx -s reload), or resolve per request: {fx.text}",
            fx.edits,
        )
