"""
## What it does
Flags an upstream name used by a proxy that has no embedded DNS: a proxy on the default `bridge` network
(`network_mode: bridge`) or on the host's network (`network_mode: host`). Legacy `links` and `extra_hosts`
entries, which are written into /etc/hosts, are still honoured for static names.

A proxy installed on the Docker host itself (`--host-nginx`, `--host-proxy`, or found by `scan`) is in
the same case: the hint then names the port the container publishes on the host, or the `ports:` entry to
add.

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

from dockernet.analysis.resolve import Kind, Resolution
from dockernet.model.findings import Edit, Finding, Severity
from dockernet.rules.base import Context, Meta, route_finding, where
from dockernet.rules.query import loopback_entry, loopback_port_hint, who

META = Meta("DN106", "default-bridge-no-dns", Severity.ERROR)


def check(ctx: Context) -> Iterator[Finding]:
    """Names looked up where no embedded DNS exists."""
    for res in ctx.resolutions(Kind.NOT_FOUND):
        if not res.no_dns or res.no_dns == "no network":
            continue
        proxy = ctx.service(res.proxy)
        if proxy.on_host:
            yield _on_host(ctx, res)
            continue
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


def _on_host(ctx: Context, res: Resolution) -> Finding:
    """A proxy installed on the host: the host's resolver knows no container names. The hint names the
    published port of the container the name means, or the ``ports`` entry to add to it."""
    proxy = who(ctx, res.proxy)
    targets = sorted({n for n, _ in res.elsewhere if not ctx.service(n).on_host})
    hint = (
        f"address the container by a port it publishes on the host's loopback (127.0.0.1:PORT); the host's "
        f'resolver knows no container names (ports: ["127.0.0.1:PORT:{res.port or "PORT"}"] publishes one)'
    )
    edits: tuple[Edit, ...] = ()
    for node in targets:
        svc = ctx.service(node)
        found = loopback_port_hint(ctx, res, svc)
        if found is not None:
            hint, edits = found
            break
        if res.port is not None:
            fx = ctx.fix(res, "127.0.0.1", res.port)
            hint = (
                f"publish {svc.name}'s port on the host's loopback, "
                f'ports: ["{loopback_entry(res.port)}"] in '
                f"{svc.name}, and connect there: {fx.text}"
            )
            break
    return route_finding(
        META,
        ctx,
        res,
        f"{proxy} looks \"{res.host}\" up in the host's resolver, which knows no container names: Docker's "
        f"DNS answers only inside containers on user-defined networks ({where(res)})",
        hint,
        edits,
    )
