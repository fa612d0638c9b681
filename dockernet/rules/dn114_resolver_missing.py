"""
## What it does
Flags a `*_pass` whose address contains variables (`proxy_pass http://$backend;`) when no `resolver` is in
scope and the value is not the name of an `upstream` block.

## Why is this bad?
With a variable, nginx does not resolve the name at start-up; it looks the value up among its `upstream`
groups and otherwise asks the DNS server named by `resolver`, per request. With no `resolver`, every
request fails: `no resolver defined to resolve app`, 502.

## Example
```nginx
location / {
    set $backend app:3000;
    proxy_pass http://$backend;
}
```

## Use instead
```nginx
resolver 127.0.0.11 valid=10s ipv6=off;   # Docker's embedded DNS
location / {
    set $backend app:3000;
    proxy_pass http://$backend;
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.analysis.resolve import Kind, ip_literal, is_loopback
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, route_finding, where

META = Meta("DN114", "resolver-missing", Severity.ERROR)


def check(ctx: Context) -> Iterator[Finding]:
    """Variable addresses with no resolver in scope."""
    seen: set[tuple[str, int, str]] = set()
    for res in ctx.resolutions():
        t = res.upstream
        if not res.runtime_dns or res.route.resolvers or t.group or t.unix_path is not None:
            continue
        if res.kind is Kind.UNIX or (res.host and (ip_literal(res.host) or is_loopback(res.host))):
            continue  # an address needs no DNS
        key = (t.loc.file, t.loc.line, res.host or "")
        if key in seen:
            continue
        seen.add(key)
        proxy = ctx.service(res.proxy)
        what = f'"{res.host}"' if res.host else "the variable's value"
        fx = ctx.resolver_fix(res)
        yield route_finding(
            META,
            ctx,
            res,
            f"{t.raw} ({where(res)} of {proxy.name}) is resolved per request, but no resolver is in scope: "
            f"{ctx.dialect(res.proxy).title} cannot resolve {what} and answers {ctx.down_status(res.proxy)}",
            fx.text,
            fx.edits,
        )
