"""The error-log diagnosis of a scan: what each proxy's recent log says, grouped by route and kind of
error, linked to the finding of that route (made by :mod:`dockernet.pipeline.logdiag`, written by
:mod:`dockernet.output.logs` and the JSON ``"log"`` array).

Secrets: log lines carry request lines and upstream URIs, which can hold tokens in query strings. Nothing
here holds a raw line, a request or a URI: only the classified message, the route, the upstream's
``host:port``, counts and times.
"""

from __future__ import annotations

from dataclasses import dataclass

from dockernet.model import Loc


@dataclass(frozen=True)
class LinkedFinding:
    """The finding a group of log lines is the symptom of."""

    rule: str
    file: str
    line: int


@dataclass(frozen=True)
class LogGroup:
    """Log lines of one kind about one route (or unattributed), counted."""

    code: str
    message: str
    """The short classified message (:func:`dockernet.pipeline.logdiag.short_message`); never the raw line."""
    status: int | None
    startup: bool
    meaning: str
    rules: tuple[str, ...]
    """Probable rules from the catalogue."""
    count: int
    first: str | None
    """Time of the first line (``HH:MM:SS``, nginx's clock), when the line has one."""
    last: str | None
    location: str | None = None
    route: Loc | None = None
    """Where the route's pass directive is written (in the container); None when unattributed."""
    target: str | None = None
    """The route's upstream as ``host:port`` (or the upstream group, or ``unix:/path``)."""
    upstreams: tuple[str, ...] = ()
    """The addresses nginx connected to, as ``ip:port`` (never a URI), with the names they belong to."""
    finding: LinkedFinding | None = None


@dataclass(frozen=True)
class ProxyLog:
    """The diagnosis of one proxy container's log."""

    container: str
    project: str | None
    service: str
    lines: int
    """How many log lines were read."""
    groups: tuple[LogGroup, ...] = ()
    error: str | None = None
    """Why the log could not be read, if it could not."""

    @property
    def events(self) -> int:
        """Number of classified error lines."""
        return sum(g.count for g in self.groups)
