"""
## What it does
Warns about a service that runs a proxy whose routes dockernet cannot read. The warning says why, and
what would help:

* a proxy kind dockernet has no reader for (HAProxy, Apache httpd, Envoy, Varnish, Kong), recognised by
  its image or its command;
* a proxy that writes its configuration at start (nginx-proxy from the other containers' `VIRTUAL_HOST`,
  Nginx Proxy Manager from its database);
* a proxy dockernet reads whose configuration it cannot see: baked into a pulled image, generated at
  start by a script, or mounted from a path that does not exist.

## Why is this bad?
None of that proxy's routes is checked, so a clean report says nothing about them. A proxy that was not
read must never look like a proxy that was checked and found fine: the summary counts it apart
(`1 proxy not read (DN305)`).

DN305 was a note in dockernet 0.1; it is a warning since the readers were re-cut, and keeps its code so
that existing `ignore[DN305]` comments keep working.

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

from dockernet.dialects import DIALECTS, unread
from dockernet.model import UnreadProxy
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, finding

META = Meta("DN305", "proxy-config-unknown", Severity.WARNING)


def check(ctx: Context) -> Iterator[Finding]:
    """Proxies whose routes were not read."""
    for node, proxy in ctx.proxies():
        if not isinstance(proxy, UnreadProxy):
            continue
        svc = ctx.service(node)
        if proxy.dialect in DIALECTS:
            dialect = ctx.dialect(node)
            if dialect.override_option is None:
                message = f"{svc.name} runs {dialect.title}, but {proxy.reason}"
                hint = (
                    "check it together with the projects of the containers it routes to: "
                    "dockernet check PROXY_DIR APP_DIR"
                )
            else:
                message = (
                    f"{svc.name} runs {dialect.title} but its configuration cannot be seen ({proxy.reason})"
                )
                hint = f"point dockernet at it: {dialect.override_option} {svc.name}=PATH"
        else:
            kind = next(k for k in unread.KINDS if k.name == proxy.dialect)
            message = f"{svc.name} runs {kind.title}, but {proxy.reason}"
            hint = kind.hint.format(service=svc.name)
        yield finding(META, f"{message}; its routes are not checked", hint, svc.loc, service=svc)
