"""
## What it does
Notes a static container name in a `*_pass` or `upstream` (no variable, no `resolve`): nginx resolves it
once, at start.

## Why is this bad?
When the target container is recreated (`docker compose up -d --force-recreate app`, a crash restart with a
new IP), nginx keeps the old address: `connect() failed (113: No route to host)` or, worse, requests reach
whichever container later got the old IP, until nginx reloads.

## Example
```nginx
location / { proxy_pass http://app:3000; }
```

## Use instead
```nginx
resolver 127.0.0.11 valid=10s ipv6=off;
location / {
    set $app app:3000;
    proxy_pass http://$app;
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.model import Lookup
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, route_finding, where
from dockernet.rules.query import reached_services

META = Meta("DN301", "startup-dns-resolution", Severity.NOTE)


def check(ctx: Context) -> Iterator[Finding]:
    """Static names, resolved once."""
    seen: set[tuple[str, int]] = set()
    for res, _node in reached_services(ctx):
        t = res.upstream
        if (
            t.lookup is not Lookup.STARTUP
            or (t.loc.file, t.loc.line) in seen
            or (res.host == t.host and _is_ip(t.host))
        ):
            continue
        seen.add((t.loc.file, t.loc.line))
        title = ctx.dialect(res.proxy).title
        fx = ctx.per_request_fix(res)
        yield route_finding(
            META,
            ctx,
            res,
            f'{ctx.service(res.proxy).name} resolves "{res.host}" once, when {title} starts ({where(res)}); '
            f"after the target is recreated {title} keeps the old address until reloaded",
            f"resolve per request: {fx.text}",
            fx.edits,
        )


def _is_ip(host: str | None) -> bool:
    from dockernet.analysis.resolve import ip_literal

    return host is not None and ip_literal(host) is not None
