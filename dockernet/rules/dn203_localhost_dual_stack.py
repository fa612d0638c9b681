"""
## What it does
Flags a static upstream written as `localhost` (where it does reach a listener: under `network_mode: host`,
`network_mode: service:x`, or nginx itself).

## Why is this bad?
`localhost` is resolved through /etc/hosts, which in Docker containers lists both `127.0.0.1` and `::1`;
where the C library returns both (musl, in Alpine-based images), nginx uses every address in turn. (Debian's
glibc on an IPv4-only container returns 127.0.0.1 alone, so the same config works there: the failure
depends on the image, which is why this is a warning.) A backend that listens on one family only refuses
every other attempt:
`connect() failed (111: Connection refused) ... upstream: "http://[::1]:8000/"`. nginx retries on the next
address, so this shows as log noise and latency, and as hard 502s with `proxy_next_upstream off`.

## Example
```nginx
location / { proxy_pass http://localhost:8000; }
```

## Use instead
```nginx
location / { proxy_pass http://127.0.0.1:8000; }
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.analysis.graph import HOST
from dockernet.analysis.resolve import Kind
from dockernet.model import Lookup
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, route_finding, where

META = Meta("DN203", "localhost-dual-stack", Severity.WARNING)


def check(ctx: Context) -> Iterator[Finding]:
    """localhost targets that work, but through two address families."""
    for res in ctx.resolutions(Kind.LOOPBACK):
        port = res.port
        if (res.host or "").lower() != "localhost" or port is None:
            continue
        if res.upstream.lookup is Lookup.PER_CONNECTION:
            # Looked up for each connection and dialled address after address until one answers (Go's
            # net.Dialer, as in Caddy: https://pkg.go.dev/net#Dial): the other family is never an error.
            continue
        works = any(n == HOST or port in ctx.ports(n) for n, _ in res.reached)
        if not works:
            continue  # DN101
        fx = ctx.fix(res, "127.0.0.1")
        yield route_finding(
            META,
            ctx,
            res,
            f"localhost ({where(res)} of {ctx.service(res.proxy).name}) can resolve to both 127.0.0.1 and "
            f"::1 (musl-based images do); a backend listening on one family then refuses every other attempt",
            f"name the family: {fx.text}",
            fx.edits,
        )
