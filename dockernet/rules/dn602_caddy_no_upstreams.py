"""
## What it does
Flags a `reverse_proxy` (or `php_fastcgi`) that has no upstream at all, most often because the
`{$VARIABLE}` that should name it is not set in the Caddy container's environment.

## Why is this bad?
Caddy substitutes `{$VARIABLE}` when it reads the Caddyfile; unset, it becomes nothing, and the directive is
left with an empty upstream list. Caddy starts anyway, and every request of the route answers **503** with
an empty body and the log line `no upstreams available` (measured with Caddy 2.11.7, docs/proxy-behaviour.md
case c08b; https://caddyserver.com/docs/caddyfile/concepts#environment-variables).

## Example
```caddyfile
:80 {
        reverse_proxy {$UPSTREAM}
}
```
```yaml
services:
  caddy:
    image: caddy:2
```

## Use instead
```yaml
services:
  caddy:
    image: caddy:2
    environment:
      UPSTREAM: app:3000
```
(or a default in the Caddyfile: `reverse_proxy {$UPSTREAM:app:3000}`)
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.dialects import caddy
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, finding

META = Meta("DN602", "caddy-no-upstreams", Severity.ERROR, dialects=frozenset({"caddy"}))


def check(ctx: Context) -> Iterator[Finding]:
    """Proxy directives left with no upstream."""
    for node, _, syntax in ctx.read_proxies("caddy", caddy.Syntax):
        service = ctx.service(node)
        for e in syntax.empty:
            if e.vanished:
                names = ", ".join(e.vanished)
                plain = ", ".join(v[2:-1].split(":", 1)[0] for v in e.vanished)
                why = f"{names} is not set in the environment of {service.name}"
                hint = (
                    f"set {plain} in the `environment:` of {service.name}, "
                    "or give a default: `{$NAME:app:3000}`"
                )
            else:
                why = "it names no upstream"
                hint = f"name the backend: `{e.directive} app:3000`"
            yield finding(
                META,
                f"{e.directive} of {service.name} has no upstream ({why}): every request answers 503 "
                "(no upstreams available)",
                hint,
                e.loc,
                service=service,
                route=e.route,
            )
