"""Findings: what a rule reports, and the report of a run. Outputs are pure functions of these."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from dockernet.model.loc import Loc


class Severity(Enum):
    """How bad a finding is; ordered error > warning > note."""

    ERROR = "error"
    """The route will fail: the proxy answers 502/504 or refuses to start."""
    WARNING = "warning"
    """The route works now but breaks under a predictable event."""
    NOTE = "note"
    """A tip."""

    @property
    def rank(self) -> int:
        """Higher is worse."""
        return {"error": 3, "warning": 2, "note": 1}[self.value]


@dataclass(frozen=True)
class Edit:
    """One step of a fix that a program can apply to the configuration: the statement that begins at
    :attr:`loc` and reads :attr:`old` is replaced by :attr:`new` (or, with :attr:`before`, keeps its place
    and gets :attr:`new` in front of it). The hint that carries it says the same in words."""

    loc: Loc
    """The file and the 1-based line where the statement begins."""
    old: str
    """The statement as its words read, one space apart: ``proxy_pass http://app:3000/;``; a block as its
    head and ``{ ... }``: ``upstream app { ... }``."""
    new: str
    """What replaces it (or goes before it): one or more statements; empty deletes it."""
    before: bool = False
    """True when :attr:`new` is inserted before the statement, which stays."""

    def __str__(self) -> str:
        if self.before:
            return f"{self.loc}: before `{self.old}` add `{self.new}`"
        if not self.new:
            return f"{self.loc}: remove `{self.old}`"
        return f"{self.loc}: replace `{self.old}` with `{self.new}`"


@dataclass(frozen=True)
class Fix:
    """A hint as a proxy's reader writes it: the words users read and, when it is a change of the
    configuration, the edits that make it."""

    text: str
    edits: tuple[Edit, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One problem found by one rule at one place."""

    rule: str
    """Stable rule ID, e.g. ``DN103``."""
    name: str
    """The rule's kebab-case name, e.g. ``no-shared-network``."""
    severity: Severity
    message: str
    """What is wrong, naming the objects involved."""
    hint: str
    """The concrete fix."""
    loc: Loc
    """Where the cause is written: the proxy's configuration line or the compose entry."""
    service: str | None = None
    """The proxy or service the finding is about."""
    target: str | None = None
    """The upstream as written, where there is one."""
    project: str | None = None
    related: tuple[Loc, ...] = ()
    """Other places involved (e.g. the target service's definition)."""
    container: str | None = None
    """Live scans only: the container the finding is about (the proxy's, for a route); ``loc`` is then a
    path inside that container when it names a config file read from it."""
    route: str | None = None
    """The id of the route the finding is about (:attr:`dockernet.model.Route.id`), if one."""
    upstream: str | None = None
    """The id of the upstream address it is about (:attr:`dockernet.model.Upstream.id`), if one."""
    address: str | None = None
    """The host the proxy looks up, when the finding is about one of several values of an address."""
    network: str | None = None
    """The engine name of the network the finding is about, if one."""
    edits: tuple[Edit, ...] = ()
    """The hint as changes to the proxy's configuration, when it is one (all of them make the fix); empty
    when the hint is advice in words."""

    @property
    def sort_key(self) -> tuple[str, int, str, str]:
        """Deterministic order: file, line, rule, message."""
        return (self.loc.file, self.loc.line, self.rule, self.message)


@dataclass(frozen=True)
class Report:
    """The findings of one run, plus what was checked, for summaries."""

    findings: tuple[Finding, ...]
    projects: int = 0
    proxies: int = 0
    """Proxies whose configuration was read."""
    routes: int = 0
    kinds: tuple[tuple[str, int], ...] = ()
    """Read proxies by reader name (``nginx``, ``traefik``...), in name order."""
    unread: int = 0
    """Proxies whose configuration could not be read (each has a DN305 warning): their routes are unknown."""
    partial: tuple[str, ...] = ()
    """Why the result is incomplete, if it is."""
    files: tuple[str, ...] = ()
    """Every file that was read."""


@dataclass(frozen=True)
class Suppression:
    """One ``# dockernet: ignore[...]`` comment."""

    loc: Loc
    codes: tuple[str, ...]
    """Rule IDs or names as written; empty for every rule."""
    own_line: bool
    """True when the comment is alone on its line (it then covers the next line)."""

    def covers(self, loc: Loc) -> bool:
        """True when the comment is on ``loc``'s line or alone on the line above it."""
        if loc.file != self.loc.file:
            return False
        return loc.line == self.loc.line or (self.own_line and loc.line == self.loc.line + 1)
