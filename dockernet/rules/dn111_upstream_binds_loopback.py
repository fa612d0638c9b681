"""
## What it does
Flags an upstream service whose command or environment makes it listen on 127.0.0.1 (or `::1`) only, on
the port the proxy uses: `--bind 127.0.0.1:8000`, `--host 127.0.0.1`, `HOST=127.0.0.1`, or a server whose
default is loopback (`uvicorn`, `flask run`, `manage.py runserver` with no address). A live scan that can
read the container's listening sockets (`/proc/net/tcp`, with `--exec`) goes by those instead: then the
finding is certain.

## Why is this bad?
Loopback inside the app's container accepts connections from that container only. nginx, in another
container, connects to the app's network address and is refused:
`connect() failed (111: Connection refused) while connecting to upstream`, 502, although
`curl localhost:8000` inside the app container works.

## Example
```yaml
services:
  app:
    command: ["uvicorn", "main:app", "--port", "8000"]
```
```nginx
location / { proxy_pass http://app:8000; }
```

## Use instead
```yaml
services:
  app:
    command: ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000"]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, route_finding, where
from dockernet.rules.query import reached_services

META = Meta("DN111", "upstream-binds-loopback", Severity.ERROR)


def check(ctx: Context) -> Iterator[Finding]:
    """Targets that accept connections from their own container only."""
    for res, node in reached_services(ctx):
        target = ctx.service(node)
        listeners = [lst for lst in ctx.listeners(node) if lst.port == res.port]
        if not listeners or not all(lst.loopback_only for lst in listeners):
            continue
        lst = listeners[0]
        yield route_finding(
            META,
            ctx,
            res,
            f"{target.name} listens on {lst.address}:{lst.port} only ({lst.evidence}), which accepts "
            f"connections from inside {target.name} alone; {ctx.service(res.proxy).name} ({where(res)}) "
            f"is another container",
            f"make {target.name} listen on all interfaces: 0.0.0.0:{lst.port} (e.g. --host 0.0.0.0 or "
            f"--bind 0.0.0.0:{lst.port})",
        )
