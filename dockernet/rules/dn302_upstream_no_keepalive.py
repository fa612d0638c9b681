"""
## What it does
Notes an `upstream` block with a single server and no `keepalive`.

## Why is this bad?
Without `keepalive`, nginx (before 1.29.7) opens a new TCP connection to the backend for every request.
Under load this exhausts ephemeral ports and the backend's accept queue, and shows as intermittent
`connect() failed (99: Cannot assign requested address)` or 502s. With a single server, `max_fails` and
`fail_timeout` are ignored too, so the block adds nothing over a plain `proxy_pass`.

## Example
```nginx
upstream app { server app:3000; }
```

## Use instead
```nginx
upstream app { server app:3000; keepalive 16; }
# and in the location: proxy_http_version 1.1; proxy_set_header Connection "";
```

Keepalive needs the `upstream` block. To have nginx also re-resolve the server's name (DN301), nginx
1.27.3 and later keep the block: `zone app 64k; server app:3000 resolve;` with a `resolver`. Before 1.27.3
the only per-request lookup is a variable in `proxy_pass`, which replaces the block and so its keepalive:
choose one, or reload nginx when the target is recreated.
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.dialects import nginx
from dockernet.dialects.nginx.syntax import walk
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, finding

META = Meta("DN302", "upstream-no-keepalive", Severity.NOTE, dialects=frozenset({"nginx"}))


def check(ctx: Context) -> Iterator[Finding]:
    """Single-server upstream blocks without keepalive."""
    for node, _, syntax in ctx.read_proxies("nginx", nginx.Syntax):
        for d, _parents in walk(syntax.directives):
            if d.name != "upstream" or not d.block or not d.args:
                continue
            names = [c.name for c in d.block]
            if names.count("server") != 1 or "keepalive" in names:
                continue
            yield finding(
                META,
                f"upstream {d.args[0]} has one server and no keepalive: a new connection per request",
                f"add `keepalive 16;` to upstream {d.args[0]} (with proxy_http_version 1.1 and "
                'proxy_set_header Connection ""); keepalive needs the group, so to also resolve its '
                "server per request (DN301) use `server NAME resolve;` (nginx 1.27.3+), not a variable in "
                "proxy_pass",
                d.loc,
                service=ctx.service(node),
            )
