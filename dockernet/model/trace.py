"""A request traced through a proxy, hop by hop (``dockernet trace``): what each hop is, its verdict, the
evidence, and the rule of the finding that explains a blocked hop.

The verdicts of a whole trace follow Google Cloud's Connectivity Tests
(https://cloud.google.com/network-intelligence-center/docs/connectivity-tests/concepts/overview):
``reachable``, ``unreachable``, ``ambiguous`` (several candidates, some of which fail or are picked at
random), ``undetermined`` (dockernet cannot know).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Verdict(Enum):
    """The verdict of a whole trace."""

    REACHABLE = "reachable"
    UNREACHABLE = "unreachable"
    AMBIGUOUS = "ambiguous"
    UNDETERMINED = "undetermined"


class HopVerdict(Enum):
    """The verdict of one hop."""

    OK = "ok"
    BLOCKED = "blocked"
    """The request stops here: :attr:`Hop.rule` names the finding that says why."""
    ASSUMED = "assumed"
    """Taken as true without evidence (a port from EXPOSE, a container not started yet)."""
    WARNING = "warning"
    """It passes, but a finding warns that it breaks under a predictable event."""
    AMBIGUOUS = "ambiguous"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Hop:
    """One step of the request."""

    step: str
    """``client``, ``published-port``, ``listener``, ``route``, ``resolve``, ``network``, ``target``,
    ``listen``, ``state``."""
    verdict: HopVerdict
    detail: str
    """What happens at this hop, with the evidence, for people."""
    file: str | None = None
    line: int | None = None
    rule: str | None = None
    """The rule of the finding this hop's verdict comes from, if one."""
    hint: str | None = None
    """That finding's fix."""


@dataclass(frozen=True)
class Trace:
    """One request (or one route, with ``--all``) followed through one proxy."""

    request: str
    """What was traced: ``http://localhost:8080/api/users``, or ``nginx /api/``."""
    verdict: Verdict
    hops: tuple[Hop, ...]
    proxy: str | None = None
    """The proxy's service name."""
    project: str | None = None
    route: str | None = None
    """The route's id (:attr:`dockernet.model.Route.id`), None when no route serves the request."""
    title: str | None = None
    """The route for people: ``location /api/``."""
    file: str | None = None
    """Where the route's upstream is written (where its finding points)."""
    line: int | None = None
    target: str | None = None
    """The upstream as written."""
    rules: tuple[str, ...] = ()
    """The rules of every finding about the route."""
