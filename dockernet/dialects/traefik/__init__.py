"""Traefik: its static configuration (:mod:`.static`, from one of a file, the command line or the
environment), the Docker provider's routes from container labels (:mod:`.docker`), the file provider's
(:mod:`.filedyn`), and the facts Traefik-only rules read (:mod:`.facts`). docs/traefik-reader.md says what
is read and how it is proven.

:data:`DIALECT` is the reader that the sources and the rules use.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import replace

from dockernet.dialects.base import ConfigTree, Located, Peers
from dockernet.dialects.traefik import docker, filedyn, static
from dockernet.dialects.traefik.facts import Router, Skipped, Syntax, Why
from dockernet.dialects.traefik.matcher import hosts_and_path
from dockernet.model import AnyProxy, Lookup, Match, Proxy, Route, Service, UnreadProxy, Upstream
from dockernet.model.findings import Fix

_IMAGE = re.compile(r"^(?:[^/]+/)*traefik(?::[^/]*)?(?:@.*)?$")
_PORT_LABEL = re.compile(r"traefik\.http\.services\.[^.=\s]+\.loadbalancer\.server\.port", re.IGNORECASE)
INTERNAL = "@internal"
"""Traefik's own services (``api@internal``, ``dashboard@internal``, ``noop@internal``...)."""


class Traefik:
    """The Traefik reader (see :class:`dockernet.dialects.base.Dialect`)."""

    name = "traefik"
    title = "Traefik"
    override_option = "--traefik"
    error_page_fix = (
        "add an `errors` middleware (`traefik.http.middlewares.NAME.errors.status=502-504`, with a "
        "`service` and `query` that serve the page) to the routers"
    )
    image_dirs = frozenset({static.CONFIG_DIR})
    files_optional = True
    down_status = 502
    dns_failure_status = 502
    """Traefik can be configured by flags and labels alone: no file needs to be seen."""

    def claims(self, service: Service) -> bool:
        """The image is ``traefik`` (any registry, tag or owner: ``traefik:v3.1``, ``x/traefik``), or the
        command runs ``traefik``."""
        if service.image and _IMAGE.match(service.image.lower()):
            return True
        argv = (*service.entrypoint, *service.command)
        return bool(argv) and posixpath.basename(argv[0]) == "traefik"

    def locate(self, service: Service) -> Located:
        """``--configFile``, else ``/etc/traefik/traefik.yml``."""
        given = static.config_file(service)
        if given:
            return Located(given, posixpath.dirname(given) or "/")
        return Located(static.CANDIDATES[0], static.CONFIG_DIR)

    def override_path(self, located: Located, file_name: str, head: bytes) -> str:
        """A file given with ``--traefik`` is the static configuration."""
        if file_name.lower().endswith(".toml") and located.entry in static.CANDIDATES:
            return static.CANDIDATES[2]
        return located.entry

    def read(
        self,
        service: Service,
        tree: ConfigTree,
        located: Located,
        origin: str,
        *,
        at_start: bool,
        peers: Peers = Peers(),
    ) -> AnyProxy:
        """Routes of the Docker provider (from ``peers``) and of the file provider."""
        conf = static.read(service, tree)
        if conf is None:
            return UnreadProxy(
                service.key, self.name, origin, f"{located.entry} (--configFile) is not visible"
            )
        found = docker.read(conf.docker, conf.entrypoints, peers) if conf.docker else docker.Found()
        if conf.docker and not _socket_mounted(service, conf.docker.endpoint):
            found.routers = [replace(r, why=r.why or Why.NO_SOCKET) for r in found.routers]
            found.servers = {}
        loaded = filedyn.read(conf.file_paths, tree, conf.entrypoints)
        servers = {**loaded.servers, **found.servers}
        routers: list[Router] = []
        routes: list[Route] = []
        for router in (*found.routers, *loaded.routers):
            if router.service.endswith(INTERNAL):
                routers.append(router)
                continue
            upstreams = servers.get(router.service, []) if router.why is None else []
            if router.why is None and not upstreams:
                router = replace(router, exists=False)
            routers.append(router)
            routes.append(_route(service, router, tuple(upstreams), _addresses(conf)))
        if not routes and loaded.unseen:
            reason = f"the file provider's {', '.join(loaded.unseen)} cannot be seen"
            return UnreadProxy(service.key, self.name, origin, reason)
        if not conf.files and origin in ("compose", "container archive"):
            origin = conf.source
        return Proxy(
            service=service.key,
            dialect=self.name,
            origin=origin,
            entry=conf.files[0] if conf.files else f"{service.name} {conf.source}",
            files=(*conf.files, *loaded.files),
            routes=tuple(routes),
            listens=_listens(conf),
            error_pages=tuple(sorted(found.error_pages | loaded.error_pages)),
            syntax=Syntax(conf, tuple(routers), tuple(found.skipped), tuple(found.networks)),
        )

    def dump_command(self, located: Located) -> tuple[str, ...] | None:
        """Traefik cannot print its configuration."""
        return None

    def parse_dump(self, stdout: bytes) -> dict[str, bytes]:
        """Nothing to parse (see :meth:`dump_command`)."""
        return {}

    def fix(self, proxy: Proxy, upstream: Upstream, host: str, port: int | None) -> Fix:
        """The port label (Docker provider) or the server ``url`` (file provider) rewritten."""
        if upstream.directive == "url":
            return Fix(f"url: {upstream.scheme or 'http'}://{host}" + (f":{port}" if port else ""))
        m = _PORT_LABEL.search(upstream.raw)
        label = m.group(0) if m else "traefik.http.services.NAME.loadbalancer.server.port"
        return Fix(f"{label}={port}" if port else label)

    def resolver_fix(self, proxy: Proxy, route: Route) -> Fix:
        """No resolver to configure: DNS is the system's, per connection (a hint in words)."""
        return Fix(f"{self.title} uses the system resolver: nothing to configure")

    def per_request_fix(
        self, proxy: Proxy, route: Route, upstream: Upstream, host: str, port: int | None, image: str | None
    ) -> Fix:
        """Traefik already looks names up per connection."""
        return Fix("nothing to change: Traefik resolves names per connection")


def _route(
    proxy: Service, router: Router, upstreams: tuple[Upstream, ...], addresses: dict[str, str]
) -> Route:
    hosts, path = hosts_and_path(router.rule)
    forward = Upstream(
        raw=router.service,
        loc=router.loc if router.exists else router.service_loc,
        directive="service",
        group=router.service,
        lookup=upstreams[0].lookup if upstreams else Lookup.PROVIDER,
    )
    return Route(
        proxy=proxy.key,
        title=f"router {router.name}",
        match=Match(
            hosts=hosts,
            path=path,
            entry=tuple(addresses.get(e.lower(), e) for e in router.entrypoints),
            loc=router.loc,
        ),
        forward=forward,
        upstreams=upstreams,
    )


def _socket_mounted(service: Service, endpoint: str) -> bool:
    """False when the provider talks to a unix socket that no mount puts into the container (a TCP
    endpoint, or a socket proxy, cannot be judged from here: True)."""
    if not endpoint.startswith("unix://"):
        return True
    socket = endpoint[len("unix://") :]
    return any(m.target == socket or socket.startswith(m.target.rstrip("/") + "/") for m in service.volumes)


def _addresses(conf: static.Static) -> dict[str, str]:
    """Entry point name (lower case) -> its address without the protocol (``:80``): where requests for a
    router enter, as :attr:`Match.entry` holds them."""
    out: dict[str, str] = {}
    for name in conf.entrypoints:
        value = conf.settings.get(f"entrypoints.{name}.address")
        if value is not None:
            out[name.lower()] = re.sub(r"/(tcp|udp)$", "", value.text, flags=re.IGNORECASE)
    return out


def _listens(conf: static.Static) -> tuple[int, ...]:
    out: list[int] = []
    for name in conf.entrypoints or ("http",):
        value = conf.settings.get(f"entrypoints.{name}.address")
        text = value.text if value else ":80"
        m = re.search(r":(\d+)(?:/\w+)?$", text)
        if m:
            out.append(int(m.group(1)))
    return tuple(sorted(set(out)))


DIALECT = Traefik()

__all__ = ["DIALECT", "Router", "Skipped", "Syntax", "Why"]
