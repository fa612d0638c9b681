"""
## What it does
Flags an upstream name used by a proxy that has no embedded DNS: a proxy on the default `bridge` network
(`network_mode: bridge`) or on the host's network (`network_mode: host`). Legacy `links` and `extra_hosts`
entries, which are written into /etc/hosts, are still honoured for static names.

## Why is this bad?
Docker's DNS server (127.0.0.11) serves only user-defined networks. "Containers on the default bridge
network can only access each other by IP addresses, unless you use the --link option"; under
`network_mode: host` the container uses the host's resolver, which knows no container names. nginx fails
with `host not found in upstream` (or 502 per request with a variable).

## Example
```yaml
services:
  nginx:
    network_mode: bridge
  app:
    network_mode: bridge
```
```nginx
location / { proxy_pass http://app:3000; }
```

## Use instead
```yaml
services:
  nginx: {}   # both on the project's default network
  app: {}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.analysis.resolve import Kind
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, route_finding, where

META = Meta("DN106", "default-bridge-no-dns", Severity.ERROR)


def check(ctx: Context) -> Iterator[Finding]:
    """Names looked up where no embedded DNS exists."""
    for res in ctx.resolutions(Kind.NOT_FOUND):
        if not res.no_dns or res.no_dns == "no network":
            continue
        proxy = ctx.service(res.proxy)
        if res.no_dns == "host network":
            hint = (
                f"{proxy.name} uses network_mode: host: address the target by a port it publishes on the "
                f"host (127.0.0.1:PORT), or drop network_mode: host and share a network with it"
            )
        else:
            hint = (
                f"remove network_mode: bridge from {proxy.name} (and the target) so both join a user-defined "
                f"network, where Docker's DNS answers service names"
            )
        yield route_finding(
            META,
            ctx,
            res,
            f'{proxy.name} is on the {res.no_dns}, where Docker\'s DNS does not answer "{res.host}" '
            f"({where(res)})",
            hint,
        )
