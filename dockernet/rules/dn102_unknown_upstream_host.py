"""
## What it does
Flags an upstream host name that no service, container name, alias, link or `extra_hosts` entry answers to,
anywhere dockernet can see.

## Why is this bad?
nginx resolves static upstream names once, when it starts. A name that does not resolve stops nginx:
`[emerg] host not found in upstream "misp-web" in /etc/nginx/conf.d/default.conf:5`, and the container exits.
With a variable in `proxy_pass`, the lookup happens per request instead and each request answers 502
(`misp-web could not be resolved (3: Host not found)`). The usual cause is a typo, or a `container_name`
or v1-style name (`project_app_1`) that does not exist.

## Example
```yaml
services:
  web:
    container_name: misp_web
  proxy:
    image: nginx
```
```nginx
location / { proxy_pass http://misp-web; }
```

## Use instead
```nginx
location / { proxy_pass http://misp_web; }
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.analysis.resolve import HOST_GATEWAY_NAMES, Kind
from dockernet.model import Lookup
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, route_finding, where

META = Meta("DN102", "unknown-upstream-host", Severity.ERROR)


def check(ctx: Context) -> Iterator[Finding]:
    """Names that resolve to nothing at all."""
    for res in ctx.resolutions(Kind.NOT_FOUND):
        if res.elsewhere or res.no_dns or (res.host or "").lower() in HOST_GATEWAY_NAMES:
            continue  # DN103, DN106 and DN107 say it better
        if res.open_networks:
            continue  # another project may attach it to an external network: DN207
        proxy = ctx.service(res.proxy)
        if any(e.host == res.host for e in proxy.extra_hosts):
            continue  # in /etc/hosts but looked up per request: DN115
        if res.suggestion:
            fx = ctx.fix(res, res.suggestion)
            hint, edits = f'did you mean "{res.suggestion}"? {fx.text}', fx.edits
        else:
            edits = ()
            hint = (
                "use the name of a service, container or network alias on a network shared with " + proxy.name
            )
        outcome = (
            f"every request answers {ctx.dialect(res.proxy).dns_failure_status}"
            if res.upstream.lookup is not Lookup.STARTUP
            else ctx.startup_miss(res)
        )
        yield route_finding(
            META,
            ctx,
            res,
            f'"{res.host}" ({where(res)} of {proxy.name}) is not the name of any service, container or '
            f"alias that {proxy.name} can resolve; {outcome}",
            hint,
            edits,
        )
