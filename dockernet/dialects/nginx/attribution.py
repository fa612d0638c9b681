"""Which route an nginx error-log line came from, and the explained line (:class:`LogEvent`).

Route attribution uses, in order of strength:

* ``in FILE:LINE`` of configuration-time lines (``[emerg] host not found in upstream "app" in
  /etc/nginx/conf.d/default.conf:5``): the directive at that line;
* the ``upstream:`` field: the IP and port nginx connected to, mapped to a container through the live
  addresses (``{"172.19.0.4": {"app", "proj-app-1"}}``), or a unix socket path, or an upstream group name;
* the ``request:`` path and ``server:`` name, matched against the routes' ``location`` and ``server_name``
  the way nginx selects a location (exact ``=``, longest prefix, ``^~``, then regular expressions in order).
"""

from __future__ import annotations

import ipaddress
import posixpath
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

from dockernet.dialects.nginx.errorlog import Classification, LogLine, Pattern, classify, parse_line
from dockernet.dialects.nginx.locations import select_route
from dockernet.model import LOOPBACK_NAMES, Loc, Route, Upstream


@dataclass(frozen=True)
class UpstreamAddress:
    """The ``upstream:`` field of a line: where nginx connected (or tried to)."""

    scheme: str | None
    host: str | None
    """IP address (without brackets), or an upstream group name for ``no live upstreams``."""
    port: int | None
    uri: str | None
    unix_path: str | None = None

    @property
    def ip(self) -> str | None:
        """The host, normalised, when it is an IP address."""
        if self.host is None:
            return None
        try:
            return str(ipaddress.ip_address(self.host))
        except ValueError:
            return None


Addresses: TypeAlias = Mapping[str, str | Collection[str]]
"""IP address -> the container names it answers to (service, container name, aliases), or just the
service's name."""


def _names_at(addresses: Addresses, ip: str) -> set[str]:
    value = addresses.get(ip, ())
    return {value} if isinstance(value, str) else set(value)


_UPSTREAM = re.compile(
    r"^(?:(?P<scheme>[a-z][a-z0-9+.-]*)://)?"
    r"(?:unix:(?P<unix>[^:]+)(?::(?P<unix_uri>.*))?"
    r"|(?:\[(?P<ip6>[0-9A-Fa-f:.]+)\]|(?P<host>[^/:]+))(?::(?P<port>\d+))?(?P<uri>/.*)?)$"
)


def parse_upstream(value: str) -> UpstreamAddress | None:
    """Split an ``upstream:`` value: ``http://172.19.0.4:8000/x``, ``http://[::1]:3000/``,
    ``http://unix:/run/app.sock:/x``, ``fastcgi://127.0.0.1:9000``, ``http://backend/x`` (a group)."""
    m = _UPSTREAM.match(value)
    if m is None:
        return None
    if m.group("unix") is not None:
        return UpstreamAddress(m.group("scheme"), None, None, m.group("unix_uri"), m.group("unix"))
    port = int(m.group("port")) if m.group("port") else None
    return UpstreamAddress(m.group("scheme"), m.group("ip6") or m.group("host"), port, m.group("uri"))


def _same_file(logged: str, loc_file: str, paths: Mapping[str, str]) -> bool:
    """True when the file nginx names (a path in its container) is the file a Loc names."""
    if logged in paths:
        return paths[logged] == loc_file
    return logged == loc_file or posixpath.basename(logged) == posixpath.basename(loc_file)


def _target_port(t: Upstream) -> int | None:
    if t.port is not None:
        return t.port
    return {"http": 80, "https": 443, "grpc": 80, "grpcs": 443}.get(t.scheme or "")


def _target_hosts(target: Upstream) -> set[str]:
    """The host names an upstream can connect to: its own, or the values its variables take."""
    return set(target.hosts)


def _by_upstream(routes: Sequence[Route], up: UpstreamAddress, addresses: Addresses) -> list[Route]:
    out: list[Route] = []
    for route in routes:
        if up.unix_path is not None:
            if any(t.unix_path == up.unix_path for t in route.upstreams):
                out.append(route)
            continue
        if up.host is None:
            continue
        ip = up.ip
        if ip is None:
            # An upstream group's name (``no live upstreams``), or an unresolved host.
            if up.host in (route.forward.group, route.forward.host) or any(
                up.host in _target_hosts(t) for t in route.upstreams
            ):
                out.append(route)
            continue
        names = _names_at(addresses, ip)
        if ipaddress.ip_address(ip).is_loopback:
            names |= LOOPBACK_NAMES
        for t in route.upstreams:
            port = _target_port(t)
            if up.port is not None and port is not None and port != up.port:
                continue
            hosts = _target_hosts(t)
            literal = {h for h in hosts if _ip_or_none(h) == ip}
            if literal or hosts & names:
                out.append(route)
                break
    return out


def _ip_or_none(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


def _by_server(routes: Sequence[Route], line: LogLine) -> list[Route]:
    """Routes of the server block the line names (``server:`` is its first server_name)."""
    if line.server is None:
        return list(routes)
    if line.server == "":
        named = [r for r in routes if not r.match.hosts or r.match.hosts[0] in ("", '""')]
    else:
        named = [r for r in routes if r.match.hosts and r.match.hosts[0] == line.server]
    return named or list(routes)


def _by_name(routes: Sequence[Route], name: str) -> list[Route]:
    """Routes with a target whose host (or ``host:port``) is ``name``."""
    host, _, port = name.partition(":") if name.count(":") == 1 else (name, "", "")
    out = []
    for route in routes:
        for t in route.upstreams:
            if host in _target_hosts(t) and (not port or str(_target_port(t)) == port):
                out.append(route)
                break
    return out


def attribute(
    line: LogLine,
    routes: Sequence[Route],
    addresses: Addresses | None = None,
    paths: Mapping[str, str] | None = None,
    classification: Classification | None = None,
) -> tuple[Route | None, str | None]:
    """The route a line belongs to, and how it was found (``config line``, ``upstream``, ``request``,
    ``name``), or ``(None, None)`` when the line does not single one out.

    ``routes`` are the routes of the proxy that wrote the line. ``addresses`` maps the IP addresses of the
    running containers to the names they answer to (service, container name, aliases). ``paths`` maps a
    config file's path inside the container to the path in the routes' :class:`Loc` (the bind mount's
    source), for ``in FILE:LINE``; without it files are compared by base name.
    """
    addresses = addresses or {}
    paths = paths or {}
    if classification is None:
        classification = classify(line)
    if line.config_file is not None and line.config_line is not None:
        at_line = [
            r
            for r in routes
            for loc in (r.forward.loc, *(t.loc for t in r.upstreams))
            if loc.line == line.config_line and _same_file(line.config_file, loc.file, paths)
        ]
        unique = list(dict.fromkeys(at_line))
        if len(unique) == 1:
            return unique[0], "config line"
        if unique:
            routes = unique
    candidates: list[Route] = list(routes)
    how: str | None = None
    if line.upstream:
        up = parse_upstream(line.upstream)
        found = _by_upstream(candidates, up, addresses) if up is not None else []
        if found:
            candidates, how = found, "upstream"
    name = classification.get("name") if classification is not None else None
    if name is not None and how is None:
        found = _by_name(candidates, name)
        if found:
            candidates, how = found, "name"
    if line.path is not None:
        in_server = _by_server(candidates, line)
        chosen = select_route(in_server, line.path)
        if chosen is not None:
            return chosen, how or "request"
    unique = list(dict.fromkeys(candidates))
    if how is not None and len(unique) == 1:
        return unique[0], how
    return None, None


# ------------------------------------------------------------------------------------------ explain


@dataclass(frozen=True)
class LogEvent:
    """One error-log line, explained."""

    line: str
    """The line as nginx wrote it."""
    level: str
    code: str
    """The catalogue code (:data:`PATTERNS`), e.g. ``connect-refused``."""
    status: int | None
    """What the client got: 502, 504 or 499; None when the line alone fails no request, or when nginx
    refused to start (see :attr:`startup`)."""
    meaning: str
    rules: tuple[str, ...]
    """Probable dockernet rules, most likely first."""
    startup: bool = False
    """True when the line means nginx did not start: every route of that proxy is down."""
    route: Loc | None = None
    """Where the route's pass directive is written, when the line could be attributed."""
    route_id: str | None = None
    """The id of that route (:attr:`dockernet.model.Route.id`)."""
    location: str | None = None
    """The route's ``location`` (None for a server-level pass or an unattributed line)."""
    attributed_by: str | None = None
    """``config line``, ``upstream``, ``name`` or ``request``."""
    upstream: str | None = None
    """The ``upstream:`` field as logged."""
    upstream_names: tuple[str, ...] = ()
    """The container names the upstream's IP belongs to, from the live addresses."""
    request: str | None = None
    details: tuple[tuple[str, str], ...] = field(default=())
    """Named parts of the message (``name``, ``path``, ``resolver``...)."""

    def describe(self) -> str:
        """One line for people: ``location /api/: connect-refused (502): <meaning>``."""
        where = f"location {self.location}" if self.location else "unattributed"
        status = f" ({self.status})" if self.status else (" (nginx did not start)" if self.startup else "")
        return f"{where}: {self.code}{status}: {self.meaning}"


def _refine_rules(pattern: Pattern, up: UpstreamAddress | None) -> tuple[str, ...]:
    """The pattern's rules, narrowed by where nginx connected: a refused loopback address is the proxy's own
    namespace (DN101, DN203), a refused container address is the target's port or bind (not DN101)."""
    if pattern.code != "connect-refused" or up is None or up.ip is None:
        return pattern.rules
    if ipaddress.ip_address(up.ip).is_loopback:
        return tuple(r for r in pattern.rules if r in ("DN101", "DN203"))
    return tuple(r for r in pattern.rules if r not in ("DN101", "DN203"))


def explain_line(
    text: str,
    routes: Sequence[Route] = (),
    addresses: Addresses | None = None,
    paths: Mapping[str, str] | None = None,
) -> LogEvent | None:
    """The :class:`LogEvent` of one line, or None for lines that are not known nginx errors."""
    line = parse_line(text)
    if line is None:
        return None
    cls = classify(line)
    if cls is None:
        return None
    route, how = attribute(line, routes, addresses, paths, cls) if routes else (None, None)
    names: tuple[str, ...] = ()
    up = parse_upstream(line.upstream) if line.upstream else None
    if up is not None and up.ip is not None and addresses:
        names = tuple(sorted(_names_at(addresses, up.ip)))
    p = cls.pattern
    return LogEvent(
        line=line.text,
        level=line.level,
        code=p.code,
        status=p.status,
        meaning=p.meaning,
        rules=_refine_rules(p, up),
        startup=p.startup,
        route=route.forward.loc if route is not None else None,
        route_id=route.id if route is not None else None,
        location=route.match.path if route is not None else None,
        attributed_by=how,
        upstream=line.upstream,
        upstream_names=names,
        request=line.request,
        details=cls.fields,
    )


def explain(
    lines: Iterable[str],
    routes: Sequence[Route] = (),
    addresses: Addresses | None = None,
    paths: Mapping[str, str] | None = None,
) -> tuple[LogEvent, ...]:
    """Every known nginx error among ``lines``, explained and attributed to ``routes`` where possible.

    ``lines`` may be a whole ``docker logs`` output (access-log lines and nginx's notices are skipped).
    """
    out: list[LogEvent] = []
    for text in lines:
        event = explain_line(text, routes, addresses, paths)
        if event is not None:
            out.append(event)
    return tuple(out)
