"""
## What it does
Notes a proxy config that passes requests upstream but defines no `error_page` for 502.

## Why is this bad?
When a backend fails, users see nginx's bare "502 Bad Gateway" page. A custom page can say what happens
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

from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, finding

META = Meta("DN303", "no-502-error-page", Severity.NOTE)


def check(ctx: Context) -> Iterator[Finding]:
    """Proxies with routes but no 502 page."""
    for node, cfg in ctx.proxy_configs():
        if not cfg.routes or 502 in cfg.error_pages or cfg.root is None:
            continue
        first = min(r.directive.loc for r in cfg.routes)
        yield finding(
            META,
            f"{ctx.service(node).name} defines no error_page for 502: users get nginx's bare error page",
            "add `error_page 502 503 504 /50x.html;` with a location that serves it",
            first,
            service=ctx.service(node),
        )
