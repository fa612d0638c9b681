"""
## What it does
Warns about a container with `VIRTUAL_HOST` in its environment when no nginx-proxy (nor a docker-gen) is
among the services checked: nothing will route that host.

## Why is this bad?
`VIRTUAL_HOST` does nothing by itself: nginx-proxy reads it from the Docker API and writes a route for it
(https://github.com/nginx-proxy/nginx-proxy/blob/main/docs/README.md). Without one the host name answers
nothing, or whatever else listens there. When the proxy lives in another compose project, check both
together (`dockernet check app/ proxy/`) or scan the engine, so that dockernet can check the route.

## Example
```yaml
services:
  app:
    image: example/app
    environment:
      VIRTUAL_HOST: app.example.com
```

## Use instead
```yaml
services:
  proxy:
    image: nginxproxy/nginx-proxy:1.7-alpine
    ports: ["80:80"]
    volumes: ["/var/run/docker.sock:/tmp/docker.sock:ro"]
  app:
    image: example/app
    environment:
      VIRTUAL_HOST: app.example.com
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.dialects.nginxproxy import env_loc
from dockernet.dialects.nginxproxy.template import virtual_hosts
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, finding

META = Meta("DN851", "nginxproxy-no-proxy", Severity.WARNING, dialects=frozenset({"nginx-proxy"}))


def check(ctx: Context) -> Iterator[Finding]:
    """``VIRTUAL_HOST`` with no nginx-proxy or docker-gen in sight."""
    if any(p.dialect in ("nginx-proxy", "docker-gen") for _, p in ctx.proxies()):
        return
    live = any(p.live for p in ctx.topo.topology.projects)
    for _node, svc in sorted(ctx.topo.services.items()):
        hosts = virtual_hosts(svc)
        if not hosts:
            continue
        where = "on this engine" if live else "among the projects checked"
        yield finding(
            META,
            f"{svc.name} sets VIRTUAL_HOST ({', '.join(hosts)}) but no nginx-proxy runs {where}: nothing "
            "routes it",
            "run nginx-proxy with the socket mounted, or check the project that runs it together with "
            "this one",
            env_loc(svc, "VIRTUAL_HOST"),
            service=svc,
        )
