"""What Traefik-only rules read besides the routes (:attr:`dockernet.model.Proxy.syntax` of a Traefik
proxy): the static configuration, the routers with the services they name, and the containers the Docker
provider skips and why. Facts only; the rules judge them against docs/proxy-behaviour.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from dockernet.dialects.traefik.static import Static
from dockernet.model import Loc


def error_statuses(value: str) -> set[int]:
    """The status codes of an ``errors`` middleware's ``status`` option: codes and ranges, comma-separated
    (``502``, ``500-599``, ``502,504``; https://doc.traefik.io/traefik/middlewares/http/errorpages/)."""
    codes: set[int] = set()
    for part in value.split(","):
        low, _, high = part.strip().partition("-")
        if low.isdigit() and (not high or high.isdigit()):
            first, last = int(low), int(high or low)
            codes.update(c for c in (502, 503, 504) if first <= c <= last)
    return codes


class Why(Enum):
    """Why the Docker provider makes no router for a container that has Traefik labels."""

    DISABLED = "disabled"
    """``traefik.enable=false``, or ``exposedByDefault=false`` without ``traefik.enable=true`` (t12)."""
    PORT_MISSING = "port-missing"
    """No ``loadbalancer.server.port`` and no exposed port (t06: ``port is missing``)."""
    TOO_MANY_SERVICES = "too-many-services"
    """A router without ``.service`` on a container that defines several services."""
    NO_SOCKET = "no-socket"
    """The Docker provider's socket is not mounted into Traefik's container: it sees no container (t17)."""
    TCP_ONLY = "tcp-only"
    """TCP or UDP labels and no HTTP router: no automatic HTTP router."""


@dataclass(frozen=True)
class Skipped:
    """A container with Traefik labels that gets no HTTP router (requests get 404)."""

    container: tuple[str, str]
    why: Why
    loc: Loc
    """The label (or the service) to fix."""
    has_router: bool = False
    """True when the container defines a router: someone meant it to be served."""
    explicit: bool = False
    """For :attr:`Why.DISABLED`: ``traefik.enable=false`` is written (a choice, not a mistake)."""
    expose_known: bool = True
    """For :attr:`Why.PORT_MISSING`: False when the image's ``EXPOSE`` could not be read (a pulled image),
    so Traefik may still find a port there."""


@dataclass(frozen=True)
class Router:
    """One HTTP router of the Docker or file provider."""

    name: str
    """Qualified: ``app@docker``."""
    rule: str
    service: str
    """The service it names, qualified: ``app@docker``, ``api@internal``."""
    entrypoints: tuple[str, ...]
    loc: Loc
    service_loc: Loc
    """Where ``.service`` is written (the router's loc when it is implied)."""
    container: tuple[str, str] | None = None
    """The compose service whose labels define it (Docker provider)."""
    exists: bool = True
    """False when the service it names does not exist: Traefik disables the router (t13)."""
    why: Why | None = None
    """Why Traefik makes no such router although the labels define it (the container is skipped); None
    when it does."""

    @property
    def served(self) -> bool:
        """True when Traefik really has this router enabled (what its API lists as enabled)."""
        return self.exists and self.why is None


@dataclass(frozen=True)
class NetworkSetting:
    """The network the provider is told to use for a container (label, else provider option)."""

    container: tuple[str, str]
    network: str
    loc: Loc
    from_label: bool


@dataclass(frozen=True)
class Syntax:
    """Everything a Traefik rule reads."""

    static: Static
    routers: tuple[Router, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    networks: tuple[NetworkSetting, ...] = ()
