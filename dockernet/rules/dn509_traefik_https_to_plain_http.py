"""
## What it does
Flags a Traefik service with `loadbalancer.server.scheme=https` whose backend is a server that speaks plain
HTTP only, by its command: busybox `httpd`, `python -m http.server`, and `uvicorn`, `gunicorn` or
`flask run` without their TLS options.

## Why is this bad?
Traefik opens a TLS connection, the backend answers in plain HTTP, and the handshake fails: every request
gets `500 Internal Server Error`, logged at ERROR as `tls: first record does not look like a TLS handshake`
(measured on Traefik 3.7, docs/proxy-behaviour.md t16; a `tls.RecordHeaderError` is neither a timeout nor a
network error, so Traefik's status mapping gives 500, not 502).

## Example
```yaml
  app:
    command: ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]
    labels:
      traefik.http.services.app.loadbalancer.server.port: "8000"
      traefik.http.services.app.loadbalancer.server.scheme: https
```

## Use instead
```yaml
    labels:
      traefik.http.services.app.loadbalancer.server.port: "8000"
```
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from dockernet.model import Lookup, Service
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, route_finding, where
from dockernet.rules.query import reached_services

META = Meta("DN509", "traefik-https-to-plain-http", Severity.ERROR, dialects=frozenset({"traefik"}))

_INIT = frozenset({"tini", "dumb-init", "--", "-s", "-g"})
_TLS_OPTIONS = ("--ssl-keyfile", "--ssl-certfile", "--certfile", "--keyfile", "--cert", "--key")


def plain_http_server(svc: Service) -> str | None:
    """The name of the plain-HTTP server the service's command runs, if it is one that has no TLS (or was
    not given its TLS options)."""
    argv = (*svc.entrypoint, *svc.command)
    if not argv:
        return None
    words = [posixpath.basename(w) for w in argv]
    while words and words[0] in _INIT:
        words = words[1:]  # a live container's entrypoint: tini -- httpd ...
    if not words:
        return None
    if any(w.split("=", 1)[0] in _TLS_OPTIONS for w in argv):
        return None
    if words[0] == "httpd" or words[:2] == ["busybox", "httpd"]:
        return "busybox httpd"
    if words[0].startswith("python") and "http.server" in argv:
        return "python -m http.server"
    for server in ("uvicorn", "gunicorn"):
        if server in words[:3]:
            return server
    if words[:2] == ["flask", "run"]:
        return "flask run"
    return None


def check(ctx: Context) -> Iterator[Finding]:
    """https from Traefik to a server that only speaks HTTP."""
    for res, node in reached_services(ctx):
        t = res.upstream
        if t.lookup is not Lookup.PROVIDER or t.scheme != "https":
            continue
        if ctx.dialect(res.proxy).name not in META.dialects:
            continue  # nginx-proxy's provider upstreams are not Traefik's
        target = ctx.service(node)
        server = plain_http_server(target)
        if server is None:
            continue
        yield route_finding(
            META,
            ctx,
            res,
            f"{ctx.service(res.proxy).name} speaks TLS to {target.name}:{res.port} ({where(res)}), but "
            f"{target.name} runs {server}, which speaks plain HTTP: every request answers 500",
            "remove the `loadbalancer.server.scheme=https` label (or give the backend a certificate)",
        )
