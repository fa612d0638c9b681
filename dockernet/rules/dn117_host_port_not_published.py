"""
## What it does
Flags a loopback upstream (`127.0.0.1:PORT`, `localhost:PORT`, `[::1]:PORT`) of a proxy that runs on the
Docker host (`--host-nginx`, `--host-proxy`, or found by `scan`), or in a container with
`network_mode: host`, when nothing on the host answers on that port: no container publishes it on an
address that loopback reaches (`127.0.0.1:PORT:...`, or all addresses), and nothing else on the host listens
there (on a live host: what `/proc/net/tcp` lists). The message says which published port to use, or which
`ports:` entry to add.

## Why is this bad?
From the host, a container's port is reachable at `127.0.0.1` only where it is published: the container
side of `ports: ["127.0.0.1:8080:3000"]` (3000) is the app's port inside its own network namespace, not on
the host, and a port published on another host address (`192.0.2.10:8080:3000`, the docker0 address) is not
on the loopback interface. `expose:` publishes nothing. nginx logs `connect() failed (111: Connection
refused) while connecting to upstream` and answers 502.

## Example
```yaml
services:
  app:
    ports: ["127.0.0.1:8080:3000"]
```
```nginx
# /etc/nginx/sites-enabled/app, nginx installed on the host
location / { proxy_pass http://127.0.0.1:3000; }
```

## Use instead
```nginx
location / { proxy_pass http://127.0.0.1:8080; }   # the published side of app's mapping
```
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from dockernet.analysis.resolve import Kind, Resolution, accepts, loopback_addresses
from dockernet.model import PortMapping
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, addr, route_finding, where
from dockernet.rules.query import host_port_served, in_host_namespace, ports_entry, who

META = Meta("DN117", "host-port-not-published", Severity.ERROR)


def check(ctx: Context) -> Iterator[Finding]:
    """Loopback ports of the host that no container publishes and nothing listens on."""
    for res in ctx.resolutions(Kind.LOOPBACK):
        if res.port is None or not in_host_namespace(ctx, res) or host_port_served(ctx, res):
            continue
        yield _finding(ctx, res, res.port)


def _finding(ctx: Context, res: Resolution, port: int) -> Finding:
    proxy = who(ctx, res.proxy)
    head = f"{proxy} ({where(res)}) connects to {addr(res)}, where nothing on the host listens"
    addresses = loopback_addresses(res.host or "")
    loopback = addresses[0]
    by_target = _mappings(ctx, lambda m: m.target == port and m.published is not None)
    reachable = [(n, m) for n, m in by_target if any(accepts(m, a) for a in addresses)]
    if reachable:
        node, m = reachable[0]
        fx = ctx.fix(res, res.host or loopback, m.published)
        return route_finding(
            META,
            ctx,
            res,
            f"{head}: {port} is the container side of {ctx.service(node).name}'s ports mapping "
            f'"{ports_entry(m)}", which the host reaches only at the published port {m.published}',
            f"use the published port: {fx.text}",
            fx.edits,
        )
    elsewhere = _mappings(ctx, lambda m: m.published == port)
    if elsewhere:
        node, m = elsewhere[0]
        name = ctx.service(node).name
        wanted = PortMapping(target=m.target, published=port, host_ip=loopback)
        return route_finding(
            META,
            ctx,
            res,
            f'{head}: {name} publishes {port} on {m.host_ip} only ("{ports_entry(m)}"), which {loopback} '
            "does not reach",
            f'publish it where the host\'s loopback reaches it: ports: ["{ports_entry(wanted)}"] in {name}',
        )
    listeners = sorted(
        ctx.service(n).name
        for n in ctx.topo.services
        if n != res.proxy and not ctx.service(n).on_host and port in ctx.ports(n, published=False)
    )
    if listeners:
        wanted = PortMapping(target=port, published=port, host_ip=loopback)
        return route_finding(
            META,
            ctx,
            res,
            f"{head}: {listeners[0]} listens on {port} in its own container, and publishes nothing there",
            f'add ports: ["{ports_entry(wanted)}"] to {listeners[0]}: the host reaches a container\'s port '
            "only where it is published",
        )
    return route_finding(
        META,
        ctx,
        res,
        f"{head}, and no container publishes {port}",
        f"publish the app's port on the host's loopback (ports: [\"{loopback}:{port}:CONTAINER_PORT\"]), or "
        f"use the port it is published on",
    )


def _mappings(ctx: Context, keep: Callable[[PortMapping], bool]) -> list[tuple[str, PortMapping]]:
    return [
        (node, m)
        for node, svc in sorted(ctx.topo.services.items())
        for m in svc.ports
        if m.protocol == "tcp" and keep(m)
    ]
