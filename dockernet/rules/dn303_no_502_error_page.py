"""
## What it does
Notes a proxy config that passes requests upstream but serves no page of its own for 502: no `error_page`
in nginx, no `errors` middleware on Traefik's routers, no `handle_errors` in Caddy.

## Why is this bad?
When a backend fails, users see the proxy's bare "502 Bad Gateway" page. A custom page can say what happens
next, and keeps the 502 status visible to monitoring. This is a tip, not a failure.

## Example
```nginx
server { location / { proxy_pass http://app:3000; } }
```

## Use instead
```nginx
server {
    error_page 502 503 504 /50x.html;
    location = /50x.html { root /usr/share/nginx/html; }
    location / { proxy_pass http://app:3000; }
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.model import Proxy
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, finding

META = Meta("DN303", "no-502-error-page", Severity.NOTE)


def check(ctx: Context) -> Iterator[Finding]:
    """Proxies with routes but no 502 page."""
    for node, proxy in ctx.proxies():
        if not isinstance(proxy, Proxy) or not proxy.routes:
            continue
        code = ctx.down_status(node)
        if code in proxy.error_pages:
            continue
        first = min(r.forward.loc for r in proxy.routes)
        title = ctx.dialect(node).title
        yield finding(
            META,
            f"{ctx.service(node).name} serves no page of its own for {code}: "
            f"users get {title}'s bare error page",
            ctx.dialect(node).error_page_fix,
            first,
            service=ctx.service(node),
        )
