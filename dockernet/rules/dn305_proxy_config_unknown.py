"""
## What it does
Notes a service that runs nginx (by its image) but whose configuration dockernet cannot see: it is baked
into a pulled image, generated at start by a script, or mounted from a path that does not exist.

## Why is this bad?
It is not: dockernet simply cannot check its routes. Point dockernet at the config with
`--nginx SERVICE=PATH` to check it.

## Example
```yaml
services:
  proxy:
    image: mycompany/edge-nginx:1.4
```

## Use instead
```console
dockernet check --nginx proxy=./edge/nginx.conf
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.model import UnreadProxy
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, finding

META = Meta("DN305", "proxy-config-unknown", Severity.NOTE)


def check(ctx: Context) -> Iterator[Finding]:
    """Proxies with no visible config."""
    for node, proxy in ctx.proxies():
        if not isinstance(proxy, UnreadProxy):
            continue
        svc = ctx.service(node)
        dialect = ctx.dialect(node)
        yield finding(
            META,
            f"{svc.name} runs {dialect.title} but its configuration cannot be seen ({proxy.reason}); "
            "its routes are not checked",
            f"point dockernet at it: {dialect.override_option} {svc.name}=PATH",
            svc.loc,
            service=svc,
        )
