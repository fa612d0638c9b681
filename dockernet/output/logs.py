"""The error-log diagnosis of ``dockernet scan``: what each proxy's recent nginx log says, grouped by route
and kind of error, linked to the finding of that route, in the text report and the JSON ``"log"`` array.

Secrets: log lines carry request lines and upstream URIs, which can hold tokens in query strings. Nothing
here prints a raw line, a request or a URI: only the classified message, the route, the upstream's
``host:port``, counts and times.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dockernet.model.logs import LogGroup, ProxyLog
from dockernet.output.common import plural


def _status(g: LogGroup) -> str:
    if g.startup:
        return "nginx did not start"
    return str(g.status) if g.status else "warning"


def group_text(g: LogGroup) -> str:
    """``location /api/ -> app:8080: 502 connect() refused (x5, last 14:02:11): this is DN105``."""
    where = f"location {g.location}" if g.location else ("server" if g.route else "unattributed")
    if g.target:
        where += f" -> {g.target}"
    if g.route:
        where += f" ({g.route})"
    times = f", last {g.last}" if g.last else ""
    what = f"{g.message}, so nginx did not start" if g.startup else f"{_status(g)} {g.message}"
    line = f"{where}: {what} (x{g.count}{times})"
    if g.finding is not None:
        line += f": this is {g.finding.rule}"
        if g.route is None or (g.finding.file, g.finding.line) != (g.route.file, g.route.line):
            line += f" ({g.finding.file}:{g.finding.line})"
    elif g.rules:
        line += f": usually {', '.join(g.rules)}"
    return line


def render_text(logs: Sequence[ProxyLog]) -> str:
    """The section after the findings: one heading per proxy with errors, one line per group."""
    out: list[str] = []
    for p in logs:
        if p.error is not None:
            out.append(f"{p.container}: log not read ({p.error})")
            continue
        if not p.groups:
            continue
        out.append(
            f"{p.container}: {plural(p.events, 'upstream error')} in the last {plural(p.lines, 'log line')}"
        )
        out.extend(f"    {group_text(g)}" for g in p.groups)
    return ("\n" + "\n".join(out) + "\n") if out else ""


def group_dict(g: LogGroup) -> dict[str, Any]:
    """One group as the JSON ``log[].events[]`` entry (docs/json.md)."""
    return {
        "code": g.code,
        "message": g.message,
        "status": g.status,
        "startup": g.startup,
        "count": g.count,
        "first": g.first,
        "last": g.last,
        "location": g.location,
        "file": g.route.file if g.route else None,
        "line": (g.route.line or None) if g.route else None,
        "target": g.target,
        "upstreams": list(g.upstreams),
        "rules": list(g.rules),
        "finding": (
            {"rule": g.finding.rule, "file": g.finding.file, "line": g.finding.line} if g.finding else None
        ),
        "meaning": g.meaning,
    }


def log_dicts(logs: Sequence[ProxyLog]) -> list[dict[str, Any]]:
    """The JSON ``"log"`` array: one entry per proxy container whose log was read (or not)."""
    return [
        {
            "container": p.container,
            "project": p.project,
            "service": p.service,
            "lines": p.lines,
            "errors": p.events,
            "events": [group_dict(g) for g in p.groups],
            "error": p.error,
        }
        for p in logs
    ]
