"""Proxy knowledge: one sub-package per proxy kind, each turning that proxy's configuration into the
proxy-neutral routes of :mod:`dockernet.model.proxy`. Pure: bytes in through a config tree, model out.

:data:`DIALECTS` lists the readers, by hand; the sources try them in this order.
"""

from __future__ import annotations

from dockernet.dialects import apache, caddy, haproxy, nginx, nginxproxy, traefik
from dockernet.dialects.base import Dialect

DIALECTS: dict[str, Dialect] = {
    # nginx-proxy before nginx: its image is nginx underneath, but its routes are the containers'.
    nginxproxy.DIALECT.name: nginxproxy.DIALECT,
    nginx.DIALECT.name: nginx.DIALECT,
    traefik.DIALECT.name: traefik.DIALECT,
    caddy.DIALECT.name: caddy.DIALECT,
    haproxy.DIALECT.name: haproxy.DIALECT,
    apache.DIALECT.name: apache.DIALECT,
}
"""Every reader, by :attr:`~dockernet.model.Proxy.dialect` name."""
