"""nginx-proxy (``nginxproxy/nginx-proxy``, formerly ``jwilder/nginx-proxy``): a provider proxy. docker-gen,
inside the proxy container, renders ``nginx.tmpl`` from the containers the Docker API lists, so its routes
come from the other containers' ``VIRTUAL_HOST``, ``VIRTUAL_PORT``, ``VIRTUAL_PROTO`` and ``VIRTUAL_PATH``
(:mod:`.template`), never from files. docs/nginxproxy-reader.md says what is read and how it is proven.

Each address is a :attr:`~dockernet.model.Lookup.PROVIDER` upstream: the template takes the container's IP
on the networks it shares with the proxy, which is what the resolver computes, so the proxy-neutral rules
(DN103 no shared network, DN104 port not listened on, DN105 published port) judge it as they judge
Traefik's. What only nginx-proxy does is in :class:`Syntax` for the DN85x rules.

:data:`DIALECT` is the reader that the sources and the rules use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dockernet.dialects.base import ConfigTree, Located, Peers
from dockernet.dialects.nginxproxy.template import Backend, Vhost, backend, env_loc, vhosts
from dockernet.model import AnyProxy, Lookup, Match, Proxy, Route, Service, UnreadProxy, Upstream
from dockernet.model.findings import Fix

_IMAGE = re.compile(r"(?:^|/)nginx-proxy(?::[^/]*)?(?:@.*)?$", re.IGNORECASE)
TEMPLATE = "/app/nginx.tmpl"
"""The template inside the image."""
SOCKET = "/tmp/docker.sock"
"""Where the image's docker-gen looks for the Docker API (``DOCKER_HOST=unix:///tmp/docker.sock``)."""


@dataclass(frozen=True)
class Syntax:
    """What DN85x rules read (:attr:`dockernet.model.Proxy.syntax`)."""

    vhosts: tuple[Vhost, ...]
    socket: str | None
    """The unix socket docker-gen needs and no mount provides (the container exits at start); None when
    it is mounted or the API is not a unix socket."""


class NginxProxy:
    """The nginx-proxy reader (see :class:`dockernet.dialects.base.Dialect`)."""

    name = "nginx-proxy"
    title = "nginx-proxy"
    override_option = None
    error_page_fix = (
        "mount a file at /etc/nginx/vhost.d/default with `error_page 502 503 504 /50x.html;` (the template "
        "includes it in every server)"
    )
    image_dirs = frozenset({"/app"})
    files_optional = True
    down_status = 502
    dns_failure_status = 502
    """Its routes come from the other containers' environment: no file needs to be seen."""

    def claims(self, service: Service) -> bool:
        """The image's repository is ``nginx-proxy`` (``nginxproxy/nginx-proxy:1.7``,
        ``jwilder/nginx-proxy``); not Nginx Proxy Manager, the acme-companion or a separate docker-gen."""
        return bool(service.image and _IMAGE.search(service.image))

    def locate(self, service: Service) -> Located:
        """The template docker-gen renders (``/app/nginx.tmpl``): only a mount of a template there claims a
        service without the image, never a mount into ``/etc/nginx`` (that is plain nginx's)."""
        return Located(TEMPLATE, TEMPLATE)

    def override_path(self, located: Located, file_name: str, head: bytes) -> str:
        """Not used: nothing is read from files."""
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
        """The routes the template writes for ``peers``: every container with ``VIRTUAL_HOST`` (docker-gen
        lists the running containers of the whole engine; compose input: the projects checked
        together)."""
        found: list[Backend] = []
        for svc in peers.services:
            if svc.key == service.key or (svc.state is not None and svc.state != "running"):
                continue
            b = backend(svc, tuple(peers.exposed.get(svc.key, ())))
            if b is not None:
                found.append(b)
        if not found:
            # Nothing to route is no all-clear: say so (DN305), e.g. ``VIRTUAL_HOST=`` left empty.
            reason = "no container among those checked sets VIRTUAL_HOST (an empty value counts as none)"
            return UnreadProxy(service.key, self.name, origin, reason)
        hosts = vhosts(found)
        socket = _missing_socket(service)
        routes = tuple(_route(service, v, socket is None) for v in hosts)
        return Proxy(
            service=service.key,
            dialect=self.name,
            origin=origin if origin not in ("compose", "container archive") else "VIRTUAL_HOST",
            entry=f"{service.name} (VIRTUAL_HOST of {len(found)} containers)",
            routes=routes,
            listens=(80,),
            syntax=Syntax(tuple(hosts), socket),
        )

    def dump_command(self, located: Located) -> tuple[str, ...] | None:
        """Nothing to dump: the routes are read from the containers."""
        return None

    def parse_dump(self, stdout: bytes) -> dict[str, bytes]:
        """Nothing to parse (see :meth:`dump_command`)."""
        return {}

    def fix(self, proxy: Proxy, upstream: Upstream, host: str, port: int | None) -> Fix:
        """The backend's ``VIRTUAL_PORT``."""
        return Fix(f"VIRTUAL_PORT={port}" if port else "VIRTUAL_PORT=PORT")

    def resolver_fix(self, proxy: Proxy, route: Route) -> Fix:
        """No DNS: the template writes container addresses."""
        return Fix("nginx-proxy writes container addresses from the Docker API: nothing to configure")

    def per_request_fix(
        self, proxy: Proxy, route: Route, upstream: Upstream, host: str, port: int | None, image: str | None
    ) -> Fix:
        """docker-gen rewrites the addresses when containers change."""
        return Fix("nothing to change: nginx-proxy rewrites its addresses when containers change")


def _missing_socket(service: Service) -> str | None:
    """The entrypoint exits when ``DOCKER_HOST`` is a unix socket that is not there
    (``docker-entrypoint.sh``: "you need to share your Docker host socket with a volume")."""
    endpoint = (service.environment.get("DOCKER_HOST") or f"unix://{SOCKET}").strip()
    if not endpoint.startswith("unix://"):
        return None
    path = endpoint[len("unix://") :]
    for m in service.volumes:
        if m.target == path or path.startswith(m.target.rstrip("/") + "/"):
            return None
    return path


def _route(proxy: Service, vhost: Vhost, running: bool) -> Route:
    first = vhost.backends[0]
    forward = Upstream(
        raw=f"VIRTUAL_HOST={','.join(vhost.hosts)}",
        loc=first.host_loc,
        directive="VIRTUAL_HOST",
        protocol=_protocol(vhost.proto),
        group=vhost.hosts[0],
        lookup=Lookup.PROVIDER,
    )
    upstreams = tuple(_upstream(b, vhost) for b in vhost.backends if b.port is not None) if running else ()
    title = f"VIRTUAL_HOST {','.join(vhost.hosts)}" + (
        f" VIRTUAL_PATH {vhost.path}" if vhost.path != "/" else ""
    )
    return Route(
        proxy=proxy.key,
        title=title,
        match=Match(
            hosts=vhost.hosts,
            path=vhost.path if vhost.path != "/" else None,
            entry=("80",),
            loc=first.host_loc,
        ),
        forward=forward,
        upstreams=upstreams,
    )


def _protocol(proto: str) -> str:
    return {"uwsgi": "uwsgi", "fastcgi": "fastcgi", "https": "https", "grpc": "grpc", "grpcs": "grpcs"}.get(
        proto, "http"
    )


def _upstream(b: Backend, vhost: Vhost) -> Upstream:
    svc = b.service
    why: str | None = None
    if b.written:
        raw = f"VIRTUAL_PORT={b.port_text}"
    else:
        if len(b.exposed) == 1:
            why = "no VIRTUAL_PORT: its only exposed port"
        elif b.exposed:
            why = f"no VIRTUAL_PORT and {len(b.exposed)} exposed ports: nginx-proxy uses 80"
        else:
            why = "no VIRTUAL_PORT and no exposed port: nginx-proxy uses 80"
        raw = f"{svc.name}:{b.port} ({why})"
    return Upstream(
        raw=raw,
        loc=b.port_loc,
        directive="VIRTUAL_PORT",
        protocol=_protocol(vhost.proto),
        scheme=vhost.proto,
        host=svc.name,
        port=b.port,
        port_written=b.written,
        port_from=why,
        lookup=Lookup.PROVIDER,
        group=vhost.hosts[0],
        defined_in=f"VIRTUAL_HOST {vhost.hosts[0]}",
        service=svc.key,
    )


DIALECT = NginxProxy()

__all__ = ["DIALECT", "SOCKET", "Backend", "Syntax", "Vhost", "env_loc"]
