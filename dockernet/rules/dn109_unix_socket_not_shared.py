"""
## What it does
Flags a `unix:` upstream whose directory is not on a volume (or bind mount) that the proxy shares with
another service.

## Why is this bad?
A unix socket is a file in one container's filesystem. nginx in another container sees it only when both
mount the same volume at the socket's directory. Otherwise every request fails with
`connect() to unix:/run/gunicorn/app.sock failed (2: No such file or directory)` and answers 502. nginx
starts normally (sockets are opened per request), so the mistake shows only under traffic.

## Example
```yaml
services:
  app:
    command: ["gunicorn", "--bind", "unix:/run/gunicorn/app.sock", "app:app"]
  nginx:
    image: nginx
```
```nginx
location / { proxy_pass http://unix:/run/gunicorn/app.sock; }
```

## Use instead
```yaml
services:
  app:
    volumes: ["sockets:/run/gunicorn"]
  nginx:
    volumes: ["sockets:/run/gunicorn"]
volumes:
  sockets: {}
```
"""

from __future__ import annotations

from collections.abc import Iterator
from posixpath import dirname

from dockernet.analysis.resolve import Kind
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, route_finding, where

META = Meta("DN109", "unix-socket-not-shared", Severity.ERROR)


def check(ctx: Context) -> Iterator[Finding]:
    """Sockets in directories no other service shares."""
    for res in ctx.resolutions(Kind.UNIX):
        if res.reached:
            continue
        proxy = ctx.service(res.proxy)
        path = res.upstream.unix_path or ""
        owners = sorted(
            ctx.service(n).name
            for n in ctx.topo.services
            if n != res.proxy and any(path in arg or dirname(path) in arg for arg in _argv(ctx, n))
        )
        who = f" and {owners[0]}" if owners else " and the service that creates the socket"
        yield route_finding(
            META,
            ctx,
            res,
            f"unix:{path} ({where(res)} of {proxy.name}) is in {dirname(path)}, which {proxy.name} shares "
            f"with no other service: the socket cannot be seen from {proxy.name}",
            f"mount one named volume at {dirname(path)} in both {proxy.name}{who}",
        )


def _argv(ctx: Context, node: str) -> tuple[str, ...]:
    svc = ctx.service(node)
    return svc.entrypoint + svc.command + tuple(v or "" for v in svc.environment.values())
