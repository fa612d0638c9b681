"""Docker facts: networks, services (compose services, or running containers), their mounts, ports and
links, and what a service's Dockerfile says. The same types hold static compose input and a live engine's
state; fields that only a live engine can fill are marked "Live only".

Secrets: ``Service.environment`` and ``Service.labels`` hold values that may be secrets. They are kept for
the readers that need them (listen addresses, template substitution, provider labels), and no output ever
prints a value from them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType

from dockernet.model.loc import NOWHERE, Loc, frozen_map

EMBEDDED_DNS = "127.0.0.11"
"""The address of Docker's embedded DNS server, in every container on a user-defined network
(https://docs.docker.com/engine/network/#dns-services)."""
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
"""The names a container's /etc/hosts gives its own loopback addresses (Docker writes them)."""


HOST_PROJECT = "(host)"
"""The project of the services that run on the Docker host itself, outside any container (a proxy installed
there: ``check --host-nginx``, or found by ``scan``). Compose project names are lower-case letters, digits,
``-`` and ``_``, so no compose project can have this name."""

MAX_REPLICA_NAMES = 1000
"""Replicas whose container names (``<project>-<service>-<n>``) are resolved. ``replicas: 100000000`` is one
line of YAML and made one name per replica (issue 15); the compose reader warns when a service has more."""


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
    attachable: bool = False
    """Overlay networks only: standalone containers (``docker run``, compose) may join it, not only Swarm
    services."""


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
    source_exists: bool | None = None
    """For ``bind``: whether the source exists on this machine (compose input); None when unknown (live)."""
    create_host_path: bool = True
    """For ``bind``: Docker creates a missing source as an empty directory (the short syntax, or
    ``bind.create_host_path: true``); otherwise the container is not created at all."""


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
    """Secret values: never printed (proxy readers interpret the routing labels they know)."""
    label_locs: Mapping[str, Loc] = field(default_factory=lambda: MappingProxyType({}))
    """Where each label is written (compose input); empty for live containers."""
    env_locs: Mapping[str, Loc] = field(default_factory=lambda: MappingProxyType({}))
    """Where each environment variable is set (``environment:`` or an ``env_file`` line; compose input),
    for readers that take routes from the environment (nginx-proxy's ``VIRTUAL_HOST``); empty for live
    containers."""
    profiles: tuple[str, ...] = ()
    healthcheck: bool = False
    replicas: int = 1
    """As written (``scale`` or ``deploy.replicas``); only the first :data:`MAX_REPLICA_NAMES` have names."""
    stack: str | None = None
    """The stack name when the file is deployed with ``docker stack deploy`` (``dockernet check --stack``):
    the Swarm service is ``<stack>_<name>``, its DNS names are ``<name>``, ``<stack>_<name>`` and
    ``tasks.<name>``; container names and ``links`` do not exist there."""
    endpoint_mode: str = "vip"
    """Swarm: ``deploy.endpoint_mode``; ``vip`` (one stable address) or ``dnsrr`` (the task addresses)."""
    global_mode: bool = False
    """Swarm: ``deploy.mode: global`` (one task per node; ``replicas`` does not apply)."""
    stack_ignored: tuple[tuple[str, Loc], ...] = ()
    """Swarm: the keys ``docker stack deploy`` ignores in this service (``container_name``, ``links``...),
    with where each is written."""
    container_label_locs: Mapping[str, Loc] = field(default_factory=lambda: MappingProxyType({}))
    """Swarm: where the service-level ``labels:`` keys are written (container labels, which proxies that read
    Swarm services do not see); ``labels`` then holds ``deploy.labels``. Keys only, never values."""
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

    @property
    def on_host(self) -> bool:
        """True for a process on the Docker host itself (:data:`HOST_PROJECT`), not a container: it is in
        the host's network namespace (``network_mode`` is ``host``) and on no Docker network."""
        return self.project == HOST_PROJECT

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
    secrets: tuple[tuple[str, str], ...] = ()
    """(value, how to name it instead) for every value that came from outside the compose files: an
    interpolated ``${VAR}``, an ``env_file`` entry, a bare ``environment: [KEY]``. Never printed: outputs
    replace each value by its name (``${DB_PORT}``, ``<TOKEN from app.env:3>``)."""
    unset_variables: tuple[tuple[str, Loc], ...] = ()
    """Variables the compose files use while they are unset (compose substitutes an empty string), each
    with the first place it is used: the names only, never a value."""


@dataclass(frozen=True)
class ImageFacts:
    """What dockernet read from a service's Dockerfile (its ``build:`` context)."""

    service: tuple[str, str]
    dockerfile: str
    expose: tuple[int, ...] = ()
    """Ports from ``EXPOSE``."""
    copies: tuple[tuple[str, str], ...] = ()
    """``COPY``/``ADD`` of files from the context: (path in the image, path on this machine)."""
    base: str | None = None
    """The image the final stage is built ``FROM`` (an earlier stage's name is followed to its image)."""
