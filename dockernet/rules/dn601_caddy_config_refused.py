"""
## What it does
Flags what Caddy refuses when it adapts its Caddyfile, so that it does not start: an upstream address with a
path or query (`reverse_proxy http://app:3000/api`), a `ws://` or unknown scheme, two schemes in one
`reverse_proxy`, a placeholder next to a scheme, a named matcher that is not defined, the same site twice,
and, in the official image, a directive it does not know (docs/caddy-reader.md lists them all).

## Why is this bad?
Caddy stops before it serves anything, so every route of the proxy is down. It does not even say why:
measured with Caddy 2.11.7, `caddy run` logs `using config from file` and exits 1 with no error line
(docs/proxy-behaviour.md, case c11). Only `caddy adapt` or `caddy validate` prints the reason:
`parsing upstream 'http://app:3000/api': for now, URLs for proxy upstreams only support scheme, host, and
port components` (https://caddyserver.com/docs/caddyfile/directives/reverse_proxy#upstream-addresses).

## Example
```caddyfile
:80 {
        reverse_proxy http://app:3000/api
}
```

## Use instead
```caddyfile
:80 {
        rewrite * /api{uri}
        reverse_proxy http://app:3000
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.dialects import caddy
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, finding

META = Meta("DN601", "caddy-config-refused", Severity.ERROR, dialects=frozenset({"caddy"}))


def check(ctx: Context) -> Iterator[Finding]:
    """Everything Caddy refuses at adapt time."""
    for node, _, syntax in ctx.read_proxies("caddy", caddy.Syntax):
        for r in syntax.refusals:
            yield finding(
                META,
                f"Caddy will not start ({ctx.service(node).name}): {r.reason}; `caddy run` exits 1 "
                "without logging why, so every route of it fails",
                _hint(r.reason),
                r.loc,
                service=ctx.service(node),
                target=r.written,
                route=r.route,
            )


def _hint(reason: str) -> str:
    if "only support scheme, host, and port" in reason:
        return (
            "leave only scheme, host and port in the upstream; change the path with `rewrite` or "
            "`handle_path` before `reverse_proxy`"
        )
    if "same scheme" in reason:
        return "use one scheme for every upstream of a reverse_proxy (split it into two routes)"
    if "placeholders are not allowed" in reason:
        return "drop the scheme and set it with `transport http { tls }` when it must be https"
    if "unrecognized directive" in reason:
        return "fix the directive name, or build Caddy with the plugin that adds it (xcaddy)"
    return "run `caddy validate --config FILE` to see what Caddy refuses"
