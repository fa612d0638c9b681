"""The error-log diagnosis of a scan: each proxy's recent log lines classified
(:mod:`dockernet.dialects.nginx.errorlog`), attributed to its routes through the live addresses, grouped by
route and kind, and linked to the finding at that route.

Secrets: log lines carry request lines and upstream URIs, which can hold tokens in query strings. What
this makes keeps none of them: only the classified message, the route, the upstream's ``host:port``,
counts and times.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from dockernet.model import Loc, Route, Topology
from dockernet.model.findings import Finding
from dockernet.model.logs import LinkedFinding, LogGroup, ProxyLog

if TYPE_CHECKING:
    from dockernet.sources.engine import Live, ProxyRead


def live_addresses(topology: Topology) -> dict[str, set[str]]:
    """IP address -> the names the container with that address answers to (service, container name,
    aliases, DNS names): what dockernet.logs maps an ``upstream:`` address with."""
    out: dict[str, set[str]] = {}
    for project in topology.projects:
        for svc in project.services.values():
            for att in svc.networks:
                if att.ip:
                    names = out.setdefault(att.ip, set())
                    names.update({svc.name, *att.aliases, *att.dns_names})
                    if svc.container_name:
                        names.add(svc.container_name)
    return out


def _hhmmss(time: str | None) -> str | None:
    return time.split(" ", 1)[1] if time and " " in time else time


def _target_text(route: Route) -> str:
    d = route.directive
    if d.unix_path is not None:
        return f"unix:{d.unix_path}"
    host = d.host or d.upstream or d.raw
    return f"{host}:{d.port}" if d.port and d.port_explicit else host


def _upstream_text(value: str | None, names: tuple[str, ...]) -> str | None:
    """``172.19.0.4:8000 (app)``: the address nginx connected to, without the URI (which can hold a token)."""
    from dockernet.dialects.nginx.errorlog import parse_upstream

    up = parse_upstream(value) if value else None
    if up is None:
        return None
    if up.unix_path is not None:
        text = f"unix:{up.unix_path}"
    elif up.host is None:
        return None
    else:
        host = f"[{up.host}]" if ":" in up.host else up.host
        text = f"{host}:{up.port}" if up.port else host
    shown = [n for n in names if not re.fullmatch(r"[0-9a-f]{12}", n)]  # the engine's short-ID alias
    return f"{text} ({', '.join(shown)})" if shown else text


def diagnose_logs(
    raw: Mapping[tuple[str, str], list[str] | str],
    live: Live,
    read: ProxyRead,
    findings: Iterable[Finding],
    tail: int,
) -> tuple[ProxyLog, ...]:
    """Each proxy's log lines classified (dockernet.logs), attributed to its routes through the live
    addresses, grouped by route and kind, and linked to the finding at that route (same file and line)."""
    from dockernet.dialects.nginx.errorlog import explain_line, parse_line

    addresses = live_addresses(live.topology)
    configs = {cfg.proxy: cfg for cfg in read.configs}
    found = tuple(findings)
    out: list[ProxyLog] = []
    for key in sorted(raw):
        container = live.containers.get(key, key[1])
        project = key[0] or None
        lines = raw[key]
        if isinstance(lines, str):
            out.append(ProxyLog(container, project, key[1], 0, error=lines))
            continue
        cfg = configs.get(key)
        routes = cfg.routes if cfg else ()
        groups: dict[tuple[str, Loc | None], list[Any]] = {}
        for text in lines:
            event = explain_line(text, routes, addresses)
            if event is None:
                continue
            parsed = parse_line(text)
            groups.setdefault((event.code, event.route), []).append((event, parsed.time if parsed else None))
        made: list[LogGroup] = []
        for (code, loc), events in groups.items():
            first, last = events[0], events[-1]
            ev = last[0]
            route = next((r for r in routes if r.directive.loc == loc), None) if loc else None
            made.append(
                LogGroup(
                    code=code,
                    message=short_message(code, ev.details),
                    status=ev.status,
                    startup=ev.startup,
                    meaning=ev.meaning,
                    rules=ev.rules,
                    count=len(events),
                    first=_hhmmss(first[1]),
                    last=_hhmmss(last[1]),
                    location=ev.location,
                    route=loc,
                    target=_target_text(route) if route else None,
                    upstreams=tuple(
                        dict.fromkeys(
                            u for e, _ in events if (u := _upstream_text(e.upstream, e.upstream_names))
                        )
                    ),
                    finding=_linked(route, ev.rules, key, found) if route else None,
                )
            )
        made.sort(key=lambda g: (g.route is None, g.route or Loc(""), -g.count, g.code))
        out.append(ProxyLog(container, project, key[1], len(lines), tuple(made)))
    return tuple(out)


def _linked(
    route: Route, probable: tuple[str, ...], proxy: tuple[str, str], findings: tuple[Finding, ...]
) -> LinkedFinding | None:
    """The finding at the route's pass directive or one of its upstream servers: one of the rules the log
    line suggests first, else the most severe one there."""
    locs = {route.directive.loc, *(t.loc for t in route.targets)}
    here = [f for f in findings if f.loc in locs and f.service == proxy[1] and (f.project or "") == proxy[0]]
    if not here:
        return None
    here.sort(
        key=lambda f: (
            probable.index(f.rule) if f.rule in probable else len(probable),
            -f.severity.rank,
            f.rule,
        )
    )
    best = here[0]
    return LinkedFinding(best.rule, best.loc.file, best.loc.line)


# The short texts of the catalogue's codes (one day beside the catalogue, in the dialect's errorlog).

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
