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
A variable in the pass makes nginx ask `resolver` on each request:
```nginx
resolver 127.0.0.11 valid=10s ipv6=off;
location / {
    set $upstream app:3000;
    proxy_pass http://$upstream;
}
```
With a variable, a URI part is sent as it is instead of replacing the location's prefix, so the hint
does the replacement with a rewrite: `location /api/ { proxy_pass http://app:3000/; }` becomes
```nginx
location /api/ {
    resolver 127.0.0.11 valid=10s ipv6=off;
    set $upstream app:3000;
    rewrite (?s)^/api/(.*)$ /$1 break;
    proxy_redirect http://app:3000/ /api/;
    proxy_pass http://$upstream;
}
```
which sends `/api/users?x=1` as `/users?x=1`, escaped the same way. The `proxy_redirect` line is nginx's
default written out: nginx applies it to a static pass only, and it turns the app's
`Location: http://app:3000/login` into `/api/login`. The Host header stays as the pass wrote it. Where
the location reads `$uri`, which the rewrite changes, the hint stays in words.

Every static pass to the same address changes too: nginx gives a static address a group of its own, and
a variable whose value names that group uses it (resolved once) instead of the resolver.

A `server` in an `upstream` block cannot hold a variable. nginx 1.27.3 and later (the official image's
`latest`, `stable` and `1.27.3`+ tags) re-resolve it and keep the group, keepalive included:
```nginx
resolver 127.0.0.11 valid=10s ipv6=off;
upstream app { zone upstream_app 64k; server app:3000 resolve; keepalive 16; }
```
For other images (Debian's nginx 1.22, a tag before 1.27.3, or one dockernet cannot date), the hint for a
group of one server replaces the group by a variable in each pass that names it, and says what goes with
it (keepalive, `max_fails`...); a group of several servers has no equivalent before 1.27.3.

The hint carries its edits (`edits` in the JSON output). It proposes no per-request lookup where only
`/etc/hosts` knows the name (links on the default bridge, `extra_hosts`): nginx's resolver never reads it.

tests/rules/test_hints_apply.py applies every such hint of the samples and the corpus, and checks that
the real nginx accepts the result and that the same path reaches the app; tests/dialects/nginx/
test_hints_real.py sends requests through the real nginx before and after, and tests/live/
test_hints_live.py brings the patched samples up on Docker and requests their routes.
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
