"""Caddy's error log: each JSON line that Caddy 2.11 writes when a proxied request fails (logger
``http.log.error``), what it means in a Docker setup, and the route it belongs to. Every message below was
measured (docs/proxy-behaviour.md, cases c02-c13); the status is what Caddy answers.

Secrets: a line carries the request (headers, URI with its query). :class:`CaddyLine` keeps the message, the
status, the request's host and path (without the query) and nothing else.
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass

from dockernet.model import Route


@dataclass(frozen=True)
class CaddyLine:
    """The parts of one error line that dockernet reads."""

    message: str
    status: int | None
    host: str
    path: str
    time: float | None = None


@dataclass(frozen=True)
class Pattern:
    """One kind of error message."""

    code: str
    regex: re.Pattern[str]
    meaning: str
    rules: tuple[str, ...] = ()
    """dockernet rules that describe the usual mistakes behind it, most likely first."""


PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        "no-upstreams",
        re.compile(r"no upstreams available"),
        "The reverse_proxy has no upstream: an unset {$VAR} left its list empty (503).",
        ("DN602",),
    ),
    Pattern(
        "lookup-failed",
        re.compile(r"dial tcp: lookup (?P<name>[^\s:]+)(?: on [^:]+:\d+)?: .*"),
        "The name does not resolve from Caddy: unknown, on a network Caddy is not on, stopped, or Caddy "
        "is on the host's network (502).",
        ("DN102", "DN103", "DN110", "DN106"),
    ),
    Pattern(
        "unix-missing",
        re.compile(r"dial unix (?P<path>\S+): connect: no such file or directory"),
        "The socket path is not shared into Caddy's container (502).",
        ("DN109",),
    ),
    Pattern(
        "connect-refused",
        re.compile(r"dial tcp (?P<address>\S+): connect: connection refused"),
        "Nothing listens there: a wrong port, the host side of ports:, :80 implied, or Caddy's own "
        "loopback (502).",
        ("DN104", "DN105", "DN101", "DN111"),
    ),
    Pattern(
        "dial-timeout",
        re.compile(r"dial tcp (?P<address>\S+): i/o timeout"),
        "The address does not answer: an IP on a network Caddy is not on (502 after dial_timeout).",
        ("DN108", "DN103"),
    ),
)


def parse_line(text: str) -> CaddyLine | None:
    """An ``http.log.error`` line, or None for any other line (start-up, access log, not JSON). The
    engine's ``--timestamps`` prefix (``2026-12-02T13:00:00.123Z {...}``) is skipped."""
    brace = text.find("{")
    if brace < 0:
        return None
    try:
        doc = json.loads(text[brace:])
    except ValueError:
        return None
    if not isinstance(doc, dict) or doc.get("logger") != "http.log.error":
        return None
    found = doc.get("request")
    request: dict[str, object] = found if isinstance(found, dict) else {}
    uri = str(request.get("uri", ""))
    status = doc.get("status")
    ts = doc.get("ts")
    return CaddyLine(
        message=str(doc.get("msg", "")),
        status=status if isinstance(status, int) else None,
        host=str(request.get("host", "")).rsplit(":", 1)[0].lower(),
        path=uri.split("?", 1)[0],
        time=float(ts) if isinstance(ts, int | float) else None,
    )


def classify(line: CaddyLine) -> tuple[Pattern, dict[str, str]] | None:
    """The catalogue entry of a line and the named parts of its message, or None."""
    for p in PATTERNS:
        m = p.regex.search(line.message)
        if m is not None:
            return p, {k: v for k, v in m.groupdict().items() if v is not None}
    return None


def route_of(line: CaddyLine, routes: tuple[Route, ...]) -> Route | None:
    """The route that served the request: its site's hosts (any when it has none) and its path matcher
    (Caddy's ``/api/*`` glob, or an exact path), the most specific path first."""

    def fits(route: Route) -> bool:
        hosts = route.match.hosts
        if hosts and line.host not in {h.lower() for h in hosts}:
            return False
        path = route.match.path
        if path is None or path == "*" or path.startswith("@"):
            return True
        return fnmatch.fnmatchcase(line.path, path) if "*" in path else line.path == path

    fitting = [r for r in routes if fits(r)]
    fitting.sort(key=lambda r: -len(r.match.path or "") if (r.match.path or "").startswith("/") else 0)
    return fitting[0] if fitting else None
