"""
## What it does
Flags a `VIRTUAL_PORT` that is not one port number (`8080,50000`, `http`, `80/tcp`).

## Why is this bad?
nginx-proxy's template writes the value into the upstream as it is (`server 172.18.0.3:8080,50000;`), and
nginx rejects the whole configuration: `invalid port in upstream` (measured with the real nginx on the
generated file, tests/live/test_nginxproxy.py). At start nginx does not run; later, the reload fails and
no host changed since is served. The variable takes a single port
(https://github.com/nginx-proxy/nginx-proxy/blob/main/docs/README.md, issue #325); a container that serves
several ports needs one `VIRTUAL_HOST` per port (`VIRTUAL_HOST_MULTIPORTS` in nginx-proxy 1.6 and later).

## Example
```yaml
    environment:
      VIRTUAL_HOST: app.test
      VIRTUAL_PORT: "3000,3001"
```

## Use instead
```yaml
    environment:
      VIRTUAL_HOST: app.test
      VIRTUAL_PORT: "3000"
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, finding
from dockernet.rules.query import nginxproxy_proxies

META = Meta("DN852", "nginxproxy-virtual-port-invalid", Severity.ERROR, dialects=frozenset({"nginx-proxy"}))


def check(ctx: Context) -> Iterator[Finding]:
    """Backends whose port is not a number: nginx refuses the generated configuration."""
    for node, _proxy, facts in nginxproxy_proxies(ctx):
        seen: set[tuple[str, str]] = set()
        proxy = ctx.service(node)
        for vhost in facts.vhosts:
            for b in vhost.backends:
                if b.port is not None or b.service.key in seen:
                    continue
                seen.add(b.service.key)
                yield finding(
                    META,
                    f'VIRTUAL_PORT "{b.port_text}" of {b.service.name} is not one port: nginx-proxy writes '
                    f"it into the upstream and nginx rejects the configuration of {proxy.name} (invalid "
                    "port in upstream), for every host it serves",
                    'set one port, the container port the application listens on: `VIRTUAL_PORT: "PORT"`',
                    b.port_loc,
                    service=b.service,
                )
