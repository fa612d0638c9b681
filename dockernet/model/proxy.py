"""Proxies, in terms every proxy kind shares: where a request enters, the routes it can take, the upstream
addresses of each route, and how each name is looked up.

A proxy's reader (:mod:`dockernet.dialects`) fills these from its own configuration language; everything
after the readers (the resolver, the rules, the diagrams, the log diagnosis) reads only these types. What
only one proxy kind has stays in its reader, or in :attr:`Proxy.syntax` for the rules of that kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from dockernet.model.loc import NOWHERE, Loc


class Lookup(Enum):
    """When and how a proxy turns an upstream name into an address. It decides whether ``/etc/hosts``
    counts and what a name that does not resolve does."""

    STARTUP = "startup"
    """Once, when the proxy starts (getaddrinfo): ``/etc/hosts`` counts; a miss stops the proxy (nginx's
    static names, https://nginx.org/en/docs/http/ngx_http_upstream_module.html#server)."""
    PER_REQUEST = "per-request"
    """On each request, by the proxy's own DNS client through the resolvers it is given: ``/etc/hosts`` is
    never read; a miss fails that request (nginx variables and ``server ... resolve``,
    https://nginx.org/en/docs/http/ngx_http_core_module.html#resolver)."""
    PER_CONNECTION = "per-connection"
    """On each new connection, by the system resolver: ``/etc/hosts`` counts; a miss fails that request."""
    PROVIDER = "provider"
    """No DNS: a Docker provider takes a container's address itself when containers change
    (:attr:`Upstream.service`); on several networks it picks one (:attr:`Upstream.network`, else any)."""

    @property
    def reads_etc_hosts(self) -> bool:
        """True when names in the proxy's ``/etc/hosts`` (``extra_hosts``, links) resolve."""
        return self in (Lookup.STARTUP, Lookup.PER_CONNECTION)


class Role(Enum):
    """What part an address plays in its group."""

    PRIMARY = "primary"
    BACKUP = "backup"
    """Used only when the primary addresses fail (nginx ``server ... backup``)."""
    DISABLED = "disabled"
    """Never used (nginx ``server ... down``)."""


@dataclass(frozen=True)
class Candidate:
    """One literal value that a dynamic address can take (from the configuration: nginx ``set``/``map``)."""

    host: str
    port: int | None
    group: bool = False
    """True when the value names a group of the proxy's own (nginx ``upstream``): no DNS is asked."""


@dataclass(frozen=True)
class Upstream:
    """One address a route can connect to."""

    raw: str
    """The address as written (after template substitution)."""
    loc: Loc
    directive: str
    """The proxy's word for the line that names it (nginx ``proxy_pass``, ``server``), for hints."""
    protocol: str = "http"
    """What is spoken upstream: ``http``, ``https``, ``grpc``, ``grpcs``, ``fastcgi``, ``uwsgi``,
    ``suwsgi``, ``scgi``, ``memcached`` or ``tcp``."""
    scheme: str | None = None
    """The scheme as written, if any."""
    host: str | None = None
    """Host name or IP literal (without brackets); None for unix sockets and unknown addresses."""
    port: int | None = None
    """The port the proxy connects to: written, or the protocol's default; None when it has none."""
    port_written: bool = False
    port_from: str | None = None
    """For a port not written in the address, where the proxy takes it from (``no VIRTUAL_PORT: its only
    exposed port``); None for the protocol's default."""
    path: str | None = None
    """The path (URI) part of the address, None when absent."""
    unix_path: str | None = None
    variables: tuple[str, ...] = ()
    """Names of the proxy's variables left in the address."""
    dynamic: bool = False
    """True when the host is decided per request from variables; :attr:`candidates` lists what it can be."""
    candidates: tuple[Candidate, ...] = ()
    lookup: Lookup = Lookup.STARTUP
    group: str | None = None
    """The group (nginx ``upstream``) the address belongs to, or that the route names."""
    defined_in: str | None = None
    """Where the address is defined when not in the route itself, for messages: ``upstream backend``."""
    role: Role = Role.PRIMARY
    service: tuple[str, str] | None = None
    """For :attr:`Lookup.PROVIDER`: the service (project, name) whose container the provider takes the
    address of, without DNS (Traefik's Docker provider)."""
    network: str | None = None
    """For :attr:`Lookup.PROVIDER`: the engine name of the network the provider is told to take the address
    on (Traefik's ``traefik.docker.network``), if any."""

    @property
    def hosts(self) -> tuple[str, ...]:
        """The host names or addresses it can connect to: its own, or each value it can take."""
        if not self.dynamic:
            return (self.host,) if self.host else ()
        return tuple(dict.fromkeys(c.host for c in self.candidates))

    @property
    def id(self) -> str:
        """Stable id of the line that defines the address (shared by every route that uses it)."""
        return f"{self.loc.file}:{self.loc.line}|{self.raw}"


@dataclass(frozen=True)
class Match:
    """Which requests a route serves."""

    hosts: tuple[str, ...] = ()
    """Host names (nginx ``server_name``); empty: any."""
    path: str | None = None
    """The path match as written (nginx ``location`` arguments: ``/api/``, ``= /x``, ``~ \\.php$``); None
    for a route of the whole server."""
    entry: tuple[str, ...] = ()
    """Where requests enter: nginx ``listen`` arguments; for other proxies ``:PORT`` or ``ADDRESS:PORT``."""
    loc: Loc = NOWHERE
    """Where the match is written (the ``location`` block, or the ``server``)."""


@dataclass(frozen=True)
class Route:
    """One way through a proxy: a match, and every address it can send the request to."""

    proxy: tuple[str, str]
    """The proxy service's key (project, service)."""
    title: str
    """The route for messages: ``location /api/``, ``server``."""
    match: Match
    forward: Upstream
    """The address the route names, as written (for a group: the group's name)."""
    upstreams: tuple[Upstream, ...]
    """The addresses the proxy connects to: :attr:`forward` itself, or the members of its group."""
    resolvers: tuple[str, ...] = ()
    """The DNS servers of per-request lookups in this route (nginx ``resolver`` in scope); empty: none."""
    resolver_loc: Loc = NOWHERE

    @property
    def id(self) -> str:
        """Stable id: the proxy and the line of the route's own address. Findings and log lines name it."""
        return f"{self.proxy[0]}/{self.proxy[1]}@{self.forward.loc.file}:{self.forward.loc.line}"


@dataclass(frozen=True)
class Proxy:
    """A proxy whose configuration was read."""

    service: tuple[str, str]
    """The proxy service's key (project, service)."""
    dialect: str
    """The reader's name, a key of :data:`dockernet.dialects.DIALECTS`: ``nginx``."""
    origin: str
    """How the configuration was found: ``bind mount``, ``Dockerfile COPY``, ``template``, ``--nginx``,
    ``container archive``, ``nginx -T (exec)``."""
    entry: str
    """The entry file as shown to users (a path on this machine, or inside the container)."""
    files: tuple[str, ...] = ()
    """Every file read, in the proxy's load order (display paths)."""
    routes: tuple[Route, ...] = ()
    listens: tuple[int, ...] = ()
    """Ports that the proxy itself listens on."""
    error_pages: tuple[int, ...] = ()
    """Status codes that have a custom error page."""
    redact: tuple[tuple[str, str], ...] = ()
    """Values the reader substituted from the service's environment, each with what was written in its place
    (``("app", "{$UP}")``): findings about this proxy show what was written, never the value."""
    syntax: object = field(default=None, compare=False, repr=False)
    """The reader's own tree, for the rules of that proxy kind; other code never looks inside."""


@dataclass(frozen=True)
class UnreadProxy:
    """A service that runs a proxy whose configuration could not be read: its routes are unknown."""

    service: tuple[str, str]
    dialect: str
    origin: str
    """Where dockernet looked: ``image``, ``container``, ``bind mount``..."""
    reason: str
    """Why it could not be read, for the user."""


AnyProxy = Proxy | UnreadProxy
