"""
## What it does
Flags an nginx-proxy container that does not mount the Docker socket where its docker-gen looks for it
(`/tmp/docker.sock`, or the unix socket `DOCKER_HOST` names).

## Why is this bad?
nginx-proxy writes its routes from the Docker API. Without the socket its entrypoint prints "ERROR: you
need to share your Docker host socket with a volume at /tmp/docker.sock" and exits
(https://github.com/nginx-proxy/nginx-proxy/blob/main/app/docker-entrypoint.sh): nothing listens on the
published port, and every `VIRTUAL_HOST` is unreachable. The socket is usually mounted at the Docker
default, `/var/run/docker.sock`, which this image does not read.

## Example
```yaml
  proxy:
    image: nginxproxy/nginx-proxy:1.7-alpine
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock:ro
```

## Use instead
```yaml
    volumes:
      - /var/run/docker.sock:/tmp/docker.sock:ro
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, finding
from dockernet.rules.query import nginxproxy_proxies

META = Meta("DN850", "nginxproxy-docker-socket-missing", Severity.ERROR, dialects=frozenset({"nginx-proxy"}))


def check(ctx: Context) -> Iterator[Finding]:
    """One finding per nginx-proxy without its socket, naming the hosts it leaves unserved."""
    for node, proxy, facts in nginxproxy_proxies(ctx):
        if facts.socket is None:
            continue
        svc = ctx.service(node)
        hosts = sorted({h for v in facts.vhosts for h in v.hosts})
        served = f" ({', '.join(hosts)} unreachable)" if hosts else ""
        yield finding(
            META,
            f"{svc.name} runs nginx-proxy but does not mount the Docker socket at {facts.socket}: its "
            f"entrypoint exits at start{served}",
            f'mount the socket there: `volumes: ["/var/run/docker.sock:{facts.socket}:ro"]`',
            svc.loc,
            service=svc,
            related=tuple(r.match.loc for r in proxy.routes),
        )
