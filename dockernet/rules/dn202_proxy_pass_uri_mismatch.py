"""
## What it does
Flags a prefix `location` and a `proxy_pass` URI whose trailing slashes disagree, and shows how a request
path is rewritten: `location /api` with `proxy_pass http://app/` turns `/api/users` into `//users`;
`location /api/` with `proxy_pass http://app/v1` turns `/api/users` into `/v1users`.

## Why is this bad?
With a URI in `proxy_pass`, nginx replaces the part of the request path that matched the location with
that URI, character for character (https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass).
A missing or extra slash sends the backend paths it does not serve: 404s, or redirects that loop.

## Example
```nginx
location /api { proxy_pass http://app:3000/; }
```

## Use instead
```nginx
location /api/ { proxy_pass http://app:3000/; }
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.dialects import nginx
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, finding

META = Meta("DN202", "proxy-pass-uri-mismatch", Severity.WARNING, dialects=frozenset({"nginx"}))


def check(ctx: Context) -> Iterator[Finding]:
    """Prefix locations whose slash disagrees with the proxy_pass URI."""
    for node, proxy, syntax in ctx.read_proxies("nginx", nginx.Syntax):
        for route in proxy.routes:
            t = route.forward
            loc = route.match.path or ""
            if t.directive != "proxy_pass" or not t.path or t.variables or route.id in syntax.rewrite_break:
                continue
            if not loc.startswith("/"):
                continue  # regex, exact (=) and named locations take no URI mapping
            prefix = loc.removeprefix("^~ ").strip()
            if prefix.endswith("/") == t.path.endswith("/"):
                continue
            example = prefix.rstrip("/") + "/users"
            mapped = t.path + example[len(prefix) :]
            fix = prefix + "/" if t.path.endswith("/") else prefix.rstrip("/")
            yield finding(
                META,
                f"location {loc} passes to {t.raw}: {example} becomes {mapped} upstream",
                f"make the slashes agree: location {fix} with proxy_pass {t.raw}",
                t.loc,
                service=ctx.service(node),
                target=t.raw,
                route=route.id,
            )
