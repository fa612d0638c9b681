"""What nginx-proxy's template (``nginx.tmpl``, rendered by docker-gen inside the proxy container) writes
for the containers it sees, as data: one :class:`Vhost` per ``VIRTUAL_HOST`` name and ``VIRTUAL_PATH``,
with one :class:`Backend` per container. docs/nginxproxy-reader.md cites the template lines.

* A container takes part when its environment has ``VIRTUAL_HOST`` (a comma-separated list of names).
* Its port is ``VIRTUAL_PORT`` when set, else its only exposed port when it exposes exactly one, else 80
  (``$defaultPort`` / ``$port`` in https://github.com/nginx-proxy/nginx-proxy/blob/main/nginx.tmpl).
* Its address is its IP on each network it shares with the proxy container (``ingress`` excepted; a
  proxy on the ``host`` network shares every one); with none, the template writes the fallback
  ``server 127.0.0.1 down;`` and nginx answers 502 for that host.

Environment values are secrets in dockernet (docs/security.md): only the routing variables are read here,
and only the host names, paths, ports and protocol are ever shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dockernet.model import Loc, NetworkMode, Service

PROTOCOLS = frozenset({"http", "https", "uwsgi", "fastcgi", "grpc", "grpcs"})
"""``VIRTUAL_PROTO`` values the template knows (anything else is written into ``proxy_pass`` as is)."""


@dataclass(frozen=True)
class Backend:
    """One container with ``VIRTUAL_HOST``, as the template sees it."""

    service: Service
    hosts: tuple[str, ...]
    path: str
    """``VIRTUAL_PATH``, else ``/``."""
    proto: str
    """``VIRTUAL_PROTO``, else ``http``."""
    port_text: str
    """The port the template writes: ``VIRTUAL_PORT`` as written, else the default port."""
    port: int | None
    """:attr:`port_text` as a number; None when it is not one (nginx then refuses the ``server`` line)."""
    written: bool
    """True when ``VIRTUAL_PORT`` is set."""
    exposed: tuple[int, ...]
    """The container's exposed ports as far as dockernet knows them (``expose``, ``ports``, the image's
    ``EXPOSE`` when its Dockerfile was read)."""
    host_loc: Loc
    """Where ``VIRTUAL_HOST`` is set."""
    port_loc: Loc
    """Where ``VIRTUAL_PORT`` is set, else :attr:`host_loc`."""


def env_loc(svc: Service, key: str) -> Loc:
    """Where a variable is set; a live container's environment has no file: the variable names the place."""
    loc = svc.env_locs.get(key)
    if loc is not None:
        return loc
    return svc.loc if svc.loc.file else Loc(f"{svc.project}/{svc.name} env {key}")


def _env(svc: Service, key: str) -> str:
    return (svc.environment.get(key) or "").strip()


def virtual_hosts(svc: Service) -> tuple[str, ...]:
    """The names of ``VIRTUAL_HOST`` (``groupByMulti ... ","``: split on commas, trimmed, empty ones
    dropped)."""
    return tuple(dict.fromkeys(h.strip() for h in _env(svc, "VIRTUAL_HOST").split(",") if h.strip()))


def backend(svc: Service, image_expose: tuple[int, ...] = ()) -> Backend | None:
    """The container as a backend of the template, or None when it has no ``VIRTUAL_HOST``."""
    hosts = virtual_hosts(svc)
    if not hosts or svc.network_mode is NetworkMode.NONE:
        return None
    exposed = tuple(sorted({*svc.expose, *(p.target for p in svc.ports), *image_expose}))
    given = _env(svc, "VIRTUAL_PORT")
    default = str(exposed[0]) if len(exposed) == 1 else "80"
    text = given or default
    port = int(text) if re.fullmatch(r"\d{1,5}", text) and 0 < int(text) < 65536 else None
    host_loc = env_loc(svc, "VIRTUAL_HOST")
    return Backend(
        service=svc,
        hosts=hosts,
        path=_env(svc, "VIRTUAL_PATH") or "/",
        proto=(_env(svc, "VIRTUAL_PROTO") or "http").lower(),
        port_text=text,
        port=port,
        written=bool(given),
        exposed=exposed,
        host_loc=host_loc,
        port_loc=env_loc(svc, "VIRTUAL_PORT") if given else host_loc,
    )


@dataclass(frozen=True)
class Vhost:
    """One ``upstream`` block and the ``location`` that passes to it."""

    hosts: tuple[str, ...]
    path: str
    backends: tuple[Backend, ...]

    @property
    def proto(self) -> str:
        """The first backend's ``VIRTUAL_PROTO`` (``first (groupByKeys $containers ...)``)."""
        return self.backends[0].proto


def vhosts(backends: list[Backend]) -> list[Vhost]:
    """The template's ``upstream`` blocks: one per (host, path); hosts served by the same containers on the
    same path are one route, as one ``VIRTUAL_HOST=a,b`` line is."""
    grouped: dict[tuple[str, str], list[Backend]] = {}
    for b in backends:
        for host in b.hosts:
            grouped.setdefault((host, b.path), []).append(b)
    merged: dict[tuple[str, tuple[tuple[str, str], ...]], list[str]] = {}
    for (host, path), members in grouped.items():
        merged.setdefault((path, tuple(m.service.key for m in members)), []).append(host)
    out = []
    for (path, keys), hosts in merged.items():
        members = grouped[(hosts[0], path)]
        assert tuple(m.service.key for m in members) == keys
        out.append(Vhost(tuple(hosts), path, tuple(members)))
    return out
