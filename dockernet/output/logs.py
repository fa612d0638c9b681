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

SHORT: dict[str, str] = {
    "connect-refused": "connect() refused",
    "no-route": "connect() failed: no route to host",
    "network-unreachable": "connect() failed: network unreachable",
    "connect-timeout": "connect() timed out",
    "read-timeout": "upstream timed out reading the response",
    "no-live-upstreams": "no live upstreams",
    "server-disabled": "upstream server temporarily disabled",
    "resolve-not-found": "{name} could not be resolved (host not found)",
    "resolve-timeout": "{name} could not be resolved (timed out)",
    "resolve-failed": "{name} could not be resolved",
    "resolver-unreachable": "resolver {resolver} unreachable",
    "no-resolver": "no resolver defined to resolve {name}",
    "host-not-found": 'host not found in upstream "{name}"',
    "no-port-startup": 'no port in upstream "{name}"',
    "config-error": "configuration error",
    "unix-missing": "connect() to unix:{path}: no such file",
    "unix-permission": "connect() to unix:{path}: permission denied",
    "unix-refused": "connect() to unix:{path} refused",
    "unix-busy": "connect() to unix:{path}: backlog full",
    "premature-close": "upstream prematurely closed connection",
    "fastcgi-closed": "upstream prematurely closed FastCGI stdout",
    "reset-by-peer": "connection reset by upstream",
    "no-valid-header": "upstream sent no valid HTTP header",
    "fastcgi-version": "upstream sent an unsupported FastCGI version",
    "too-big-header": "upstream sent too big header",
    "ssl-wrong-version": "TLS handshake to a plain-HTTP upstream",
    "http2-mismatch": "upstream does not speak HTTP/2",
    "no-port": 'no port in upstream "{name}"',
    "client-closed": "client closed the connection before the upstream answered",
}
"""One short line per catalogue code (dockernet.logs.PATTERNS), with the message's named parts."""


def short_message(code: str, details: tuple[tuple[str, str], ...]) -> str:
    """``connect() refused``, ``host not found in upstream "app"``; the code itself for unknown codes."""
    template = SHORT.get(code, code.replace("-", " "))
    values = dict(details)
    try:
        return template.format(**{k: values.get(k, "?") for k in ("name", "path", "resolver")})
    except (KeyError, IndexError, ValueError):
        return template


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
