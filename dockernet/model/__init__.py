"""The one model that every source fills and every later stage reads.

Sources (compose files, nginx configs, the live engine) build these objects; the graph, the resolver and
the rules only read them. Everything is a frozen dataclass so that a stage cannot change what an earlier
stage saw. Every object that a finding can point at carries a :class:`Loc`.

Secrets: ``Service.environment`` and ``Service.labels`` hold values that may be secrets. They are kept for
rules that read listen addresses and template substitution, and no output ever prints a value from them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType


@dataclass(frozen=True, order=True)
class Loc:
    """Where an object came from."""

    file: str
    """Path of the file on this machine (absolute), or inside a container for live configs."""
    line: int = 0
    """1-based line; 0 when unknown."""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


NOWHERE = Loc("", 0)


def frozen_map(data: Mapping[str, str | None] | None = None) -> Mapping[str, str | None]:
    """A read-only mapping, for dataclass fields."""
    return MappingProxyType(dict(data or {}))


# --------------------------------------------------------------------------------------------- compose


@dataclass(frozen=True)
class IpamConfig:
    """One entry of a network's ``ipam.config``."""

    subnet: str | None
    ip_range: str | None = None
    gateway: str | None = None
    aux_addresses: tuple[tuple[str, str], ...] = ()
    loc: Loc = NOWHERE


@dataclass(frozen=True)
class Network:
    """A network as the engine will create it (or, live, as it exists)."""

    key: str
    """The key under top-level ``networks:`` (``default`` for the implicit one); the name for live ones."""
    name: str
    """The engine's name: ``<project>_<key>``, or ``name:``, or the key itself for external networks."""
    project: str | None
    driver: str = "bridge"
    external: bool = False
    internal: bool = False
    enable_ipv6: bool = False
    ipam: tuple[IpamConfig, ...] = ()
    loc: Loc = NOWHERE
    declared: bool = True
    """False for the implicit ``default`` network that compose creates without a declaration."""


@dataclass(frozen=True)
class Attachment:
    """A service's membership of one network."""

    network: str
    """The network's key in the service's project."""
    aliases: tuple[str, ...] = ()
    ipv4_address: str | None = None
    ipv6_address: str | None = None
    loc: Loc = NOWHERE
    ip: str | None = None
    """Live only: the address the engine gave the container on this network."""
    dns_names: tuple[str, ...] = ()
    """Live only: every name the embedded DNS answers for this endpoint (``DNSNames``, or aliases)."""


@dataclass(frozen=True)
class PortMapping:
    """One entry of ``ports``: host side ``published`` maps to container side ``target``."""

    target: int
    published: int | None = None
    host_ip: str | None = None
    protocol: str = "tcp"
    loc: Loc = NOWHERE


@dataclass(frozen=True)
class Mount:
    """A bind mount or a named volume in a service."""

    type: str
    """``bind``, ``volume`` or ``tmpfs``."""
    target: str
    """The path inside the container."""
    source: str | None = None
    """For ``bind``: absolute host path. For ``volume``: the engine's volume name. None: anonymous."""
    read_only: bool = False
    loc: Loc = NOWHERE


@dataclass(frozen=True)
class Link:
    """A ``links`` or ``external_links`` entry: ``target[:alias]``."""

    target: str
    alias: str
    external: bool = False
    loc: Loc = NOWHERE


@dataclass(frozen=True)
class ExtraHost:
    """An ``extra_hosts`` entry, written into the container's /etc/hosts."""

    host: str
    ip: str
    """An address, or the literal ``host-gateway``."""
    loc: Loc = NOWHERE


class NetworkMode(Enum):
    """How a container gets its network namespace."""

    NETWORKS = "networks"
    """The usual case: its own namespace on the networks it lists (or ``default``)."""
    HOST = "host"
    NONE = "none"
    BRIDGE = "bridge"
    """The engine's default ``bridge`` network: no embedded DNS."""
    SERVICE = "service"
    """``service:x`` shares x's namespace."""
    CONTAINER = "container"
    """``container:x`` shares a named container's namespace."""


@dataclass(frozen=True)
class Build:
    """A service's ``build:`` section."""

    context: str
    """Absolute path of the build context on this machine."""
    dockerfile: str
    """Absolute path of the Dockerfile."""
    loc: Loc = NOWHERE


@dataclass(frozen=True)
class Service:
    """A compose service, or (live) one running container."""

    project: str
    name: str
    loc: Loc
    image: str | None = None
    build: Build | None = None
    container_name: str | None = None
    hostname: str | None = None
    network_mode: NetworkMode = NetworkMode.NETWORKS
    network_mode_target: str | None = None
    """The service or container named by ``service:x`` / ``container:x``."""
    network_mode_loc: Loc = NOWHERE
    networks: tuple[Attachment, ...] = ()
    links: tuple[Link, ...] = ()
    extra_hosts: tuple[ExtraHost, ...] = ()
    ports: tuple[PortMapping, ...] = ()
    expose: tuple[int, ...] = ()
    expose_loc: Loc = NOWHERE
    volumes: tuple[Mount, ...] = ()
    depends_on: tuple[str, ...] = ()
    command: tuple[str, ...] = ()
    entrypoint: tuple[str, ...] = ()
    environment: Mapping[str, str | None] = field(default_factory=frozen_map)
    """Secret values: never printed."""
    labels: Mapping[str, str | None] = field(default_factory=frozen_map)
    """Secret values: never printed."""
    profiles: tuple[str, ...] = ()
    healthcheck: bool = False
    replicas: int = 1
    # live state (None for static compose input)
    state: str | None = None
    """Live only: running, exited, restarting, paused, dead, created."""
    health: str | None = None
    exit_code: int | None = None
    started_at: str | None = None
    listening: tuple[tuple[str, int], ...] | None = None
    """Live only, when it could be read: the TCP sockets the container's network namespace listens on,
    as (address, port), from ``/proc/net/tcp`` and ``tcp6`` (state LISTEN; ``0.0.0.0`` and ``::`` are all
    interfaces). None when unknown (static input, or not readable): rules then go by the declarations."""

    @property
    def key(self) -> tuple[str, str]:
        """Unique id of the service across projects."""
        return (self.project, self.name)

    def attachment(self, network_key: str) -> Attachment | None:
        """The service's attachment to a network of its project, if any."""
        for att in self.networks:
            if att.network == network_key:
                return att
        return None


@dataclass(frozen=True)
class Volume:
    """A top-level named volume."""

    key: str
    name: str
    external: bool = False
    loc: Loc = NOWHERE


@dataclass(frozen=True)
class Project:
    """One compose project after discovery, interpolation, merging and normalisation."""

    name: str
    directory: str
    files: tuple[str, ...]
    services: Mapping[str, Service]
    networks: Mapping[str, Network]
    """Keyed by the compose key; includes the implicit ``default`` when a service uses it."""
    volumes: Mapping[str, Volume] = field(default_factory=lambda: MappingProxyType({}))
    live: bool = False
    """True when the project was read from a running engine."""


# ------------------------------------------------------------------------------------------- nginx


@dataclass(frozen=True)
class Directive:
    """One nginx directive, with its block if it has one. Includes are already expanded."""

    name: str
    args: tuple[str, ...]
    loc: Loc
    block: tuple[Directive, ...] | None = None


class PassKind(Enum):
    """The nginx directive that sends traffic upstream."""

    PROXY = "proxy_pass"
    FASTCGI = "fastcgi_pass"
    UWSGI = "uwsgi_pass"
    SCGI = "scgi_pass"
    GRPC = "grpc_pass"
    MEMCACHED = "memcached_pass"
    UPSTREAM_SERVER = "server"


@dataclass(frozen=True)
class Target:
    """One address that nginx will connect to, parsed from a ``*_pass`` or an upstream ``server`` line."""

    raw: str
    """The address as written (after template substitution)."""
    kind: PassKind
    loc: Loc
    scheme: str | None = None
    host: str | None = None
    """Host name or IP literal (without brackets); None for unix sockets."""
    port: int | None = None
    """The port nginx will use: explicit, or the scheme's default."""
    port_explicit: bool = False
    uri: str | None = None
    """The URI part after host[:port] (``proxy_pass`` only), None when absent."""
    unix_path: str | None = None
    variables: tuple[str, ...] = ()
    """Names of nginx variables left in the address (``$backend``)."""
    upstream: str | None = None
    """The ``upstream`` block this server line belongs to, or that the pass directive names."""
    backup: bool = False
    down: bool = False
    resolve: bool = False
    """``server ... resolve`` in an upstream block."""


@dataclass(frozen=True)
class Route:
    """A location (or server) of a proxy that passes requests upstream, with every address it can use."""

    proxy: tuple[str, str]
    """The proxy service's key (project, service)."""
    directive: Target
    """The pass directive itself as written (for an upstream group: the group name as host)."""
    targets: tuple[Target, ...]
    """The addresses nginx connects to: the pass directive's own, or the servers of its upstream block."""
    location: str | None
    location_loc: Loc
    server_names: tuple[str, ...] = ()
    listen: tuple[str, ...] = ()
    resolvers: tuple[str, ...] = ()
    """Addresses of the ``resolver`` in scope (empty: none)."""
    resolver_loc: Loc = NOWHERE
    rewrite_break: bool = False
    values: tuple[str, ...] = ()
    """For a target with variables: the literal values the variable can take (from ``set``/``map``)."""


@dataclass(frozen=True)
class ProxyConfig:
    """What dockernet could read of one proxy service's nginx configuration."""

    proxy: tuple[str, str]
    root: str | None
    """The entry file on this machine; None when the config cannot be seen."""
    how: str
    """How it was found: ``bind mount``, ``Dockerfile COPY``, ``template``, ``--nginx``, ``container``."""
    directives: tuple[Directive, ...] = ()
    files: tuple[str, ...] = ()
    """Every file read, in nginx's load order (display paths)."""
    routes: tuple[Route, ...] = ()
    listens: tuple[int, ...] = ()
    """Ports that the proxy itself listens on (``listen`` directives)."""
    error_pages: tuple[int, ...] = ()
    """Status codes that have an ``error_page``."""
    unknown_reason: str | None = None
    """Set when the config exists but cannot be read (e.g. baked into a pulled image)."""


@dataclass(frozen=True)
class ImageFacts:
    """What dockernet read from a service's Dockerfile (its ``build:`` context)."""

    service: tuple[str, str]
    dockerfile: str
    expose: tuple[int, ...] = ()
    """Ports from ``EXPOSE``."""
    copies: tuple[tuple[str, str], ...] = ()
    """``COPY``/``ADD`` of files from the context: (path in the image, path on this machine)."""


@dataclass(frozen=True)
class Topology:
    """Everything the sources produced: the input of the graph stage."""

    projects: tuple[Project, ...]
    proxies: tuple[ProxyConfig, ...] = ()
    images: tuple[ImageFacts, ...] = ()
    engine_networks: tuple[Network, ...] = ()
    """Live only: networks that exist on the engine outside the checked projects."""
    host_gateway: str = "172.17.0.1"
    """What ``host-gateway`` maps to (the default bridge gateway unless the daemon says otherwise)."""
    partial: tuple[str, ...] = ()
    """Reasons why the result is incomplete (live scans)."""
