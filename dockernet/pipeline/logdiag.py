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

from dockernet.model import Loc, Proxy, Route, Topology
from dockernet.model.findings import Finding
from dockernet.model.logs import LinkedFinding, LogGroup, ProxyLog

if TYPE_CHECKING:
    from dockernet.sources.engine.build import Live
    from dockernet.sources.engine.proxies import ProxyRead


def live_addresses(topology: Topology) -> dict[str, set[str]]:
    """IP address -> the names the container with that address answers to (service, container name,
    aliases, DNS names): what dockernet.dialects.nginx.attribution maps an ``upstream:`` address with."""
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
    d = route.forward
    if d.unix_path is not None:
        return f"unix:{d.unix_path}"
    host = d.host or d.group or d.raw
    return f"{host}:{d.port}" if d.port and d.port_written else host


def _upstream_text(value: str | None, names: tuple[str, ...]) -> str | None:
    """``172.19.0.4:8000 (app)``: the address nginx connected to, without the URI (which can hold a token)."""
    from dockernet.dialects.nginx.attribution import parse_upstream

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
    """Each proxy's log lines classified (:mod:`dockernet.dialects.nginx.errorlog`), attributed to its
    routes through the live addresses, grouped by route and kind, and linked to the findings about that
    route (joined on route and upstream ids)."""
    from dockernet.dialects.nginx.attribution import explain_line
    from dockernet.dialects.nginx.errorlog import parse_line, short_message

    addresses = live_addresses(live.topology)
    configs = {cfg.service: cfg for cfg in read.configs if isinstance(cfg, Proxy)}
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
        groups: dict[tuple[str, str | None], list[Any]] = {}
        for text in lines:
            if cfg is not None and cfg.dialect == "caddy":
                event, at = _caddy_event(text, routes)
            elif cfg is not None and cfg.dialect == "traefik":
                event, at = _traefik_event(text, routes, addresses)
            else:
                event = explain_line(text, routes, addresses)
                parsed = parse_line(text)
                at = parsed.time if parsed else None
            if event is None:
                continue
            groups.setdefault((event.code, event.route_id), []).append((event, at))
        made: list[LogGroup] = []
        for (code, route_id), events in groups.items():
            first, last = events[0], events[-1]
            ev = last[0]
            route = next((r for r in routes if r.id == route_id), None) if route_id else None
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
                    route=route.forward.loc if route else None,
                    target=_target_text(route) if route else None,
                    upstreams=tuple(
                        dict.fromkeys(
                            u for e, _ in events if (u := _upstream_text(e.upstream, e.upstream_names))
                        )
                    ),
                    finding=_linked(route, ev.rules, found) if route else None,
                )
            )
        made.sort(key=lambda g: (g.route is None, g.route or Loc(""), -g.count, g.code))
        out.append(ProxyLog(container, project, key[1], len(lines), tuple(made)))
    return tuple(out)


def _caddy_event(text: str, routes: tuple[Route, ...]) -> tuple[Any, str | None]:
    """A Caddy ``http.log.error`` line as the diagnosis's event (:mod:`dockernet.dialects.caddy.errorlog`),
    attributed by the request's host and path; its time as ``YYYY/MM/DD HH:MM:SS`` (UTC)."""
    import datetime

    from dockernet.dialects.caddy import errorlog
    from dockernet.dialects.nginx.attribution import LogEvent

    line = errorlog.parse_line(text)
    found = errorlog.classify(line) if line is not None else None
    if line is None or found is None:
        return None, None
    pattern, parts = found
    route = errorlog.route_of(line, routes)
    at = None
    if line.time is not None:
        stamp = datetime.datetime.fromtimestamp(line.time, tz=datetime.UTC)
        at = stamp.strftime("%Y/%m/%d %H:%M:%S")
    event = LogEvent(
        line="",
        level="error",
        code=pattern.code,
        status=line.status,
        meaning=pattern.meaning,
        rules=pattern.rules,
        route=route.forward.loc if route is not None else None,
        route_id=route.id if route is not None else None,
        location=route.match.path if route is not None else None,
        attributed_by="request" if route is not None else None,
        upstream=parts.get("address"),
        details=tuple(sorted(parts.items())),
    )
    return event, at


def _traefik_event(
    text: str, routes: tuple[Route, ...], addresses: dict[str, set[str]]
) -> tuple[Any, str | None]:
    """A Traefik log line as the diagnosis's event (:mod:`dockernet.dialects.traefik.errorlog`), attributed
    by the router it names or the address it dialled."""
    from dockernet.dialects.nginx.attribution import LogEvent
    from dockernet.dialects.traefik import errorlog

    line = errorlog.parse_line(text)
    if line is None:
        return None, None
    route = errorlog.route_of(line, routes, addresses)
    event = LogEvent(
        line="",
        level=line.pattern.level,
        code=line.pattern.code,
        status=line.pattern.status,
        meaning=line.pattern.meaning,
        rules=line.pattern.rules,
        route=route.forward.loc if route is not None else None,
        route_id=route.id if route is not None else None,
        location=route.title if route is not None else None,
        attributed_by=("router" if line.part("router") else "address") if route is not None else None,
        upstream=line.part("address"),
        details=line.parts,
        startup=line.pattern.every_route,
    )
    return event, line.time


def _linked(route: Route, probable: tuple[str, ...], findings: tuple[Finding, ...]) -> LinkedFinding | None:
    """The finding about the route or one of its upstream addresses (joined on their ids): one of the
    rules the log line suggests first, else the most severe one there."""
    proxy = route.proxy
    subjects = {route.id, route.forward.id, *(t.id for t in route.upstreams)}
    here = [
        f
        for f in findings
        if (f.upstream in subjects or f.route in subjects)
        and f.service == proxy[1]
        and (f.project or "") == proxy[0]
    ]
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
