"""The routes of a haproxy.cfg: every ``frontend`` and ``listen`` that binds a port, each ``use_backend`` and
its ``default_backend`` (a ``listen`` with servers of its own routes to them), and the ``server`` and
``server-template`` lines of the backend it names, with ``default-server`` settings
(https://docs.haproxy.org/2.6/configuration.html#4, sections 4.2 and 5).

How each server's name is looked up (docs/haproxy-reader.md, measured with HAProxy 2.6.12):

* without ``resolvers``, once at start by libc (``/etc/hosts`` counts): :attr:`Lookup.STARTUP`. A name that
  does not resolve stops HAProxy (``could not resolve address 'app'``, ``Failed to initialize server(s)
  addr.``) unless the server's ``init-addr`` ends with ``none`` (or an IP), which starts it with the server
  disabled for good: every request to it answers 503;
* with ``resolvers NAME``, by HAProxy's own DNS client through that section's ``nameserver`` lines, again
  and again (:attr:`Lookup.PER_REQUEST`); a name unknown at start leaves the server down until DNS knows it;
* a server without a port connects to the port the client connected to (the frontend's ``bind``).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from dockernet.dialects.haproxy.parse import Line, Loaded, Section
from dockernet.model import Loc, Lookup, Match, Role, Route, Upstream

PROXIES = frozenset({"frontend", "backend", "listen"})
_PORTED = re.compile(r"^(?P<host>\[[^\]]*\]|[^\[\]]*?)(?::(?P<port>[+-]?\d+(?:-\d+)?))?$")
_PATH_BEG = re.compile(r"^\{?\s*path_beg\s+(?:-i\s+)?(/\S*)\s*\}?$")
_PREFIXES = ("ipv4@", "ipv6@", "tcp@", "tcp4@", "tcp6@")


@dataclass(frozen=True)
class Refusal:
    """What ``haproxy -c`` refuses: HAProxy does not start."""

    loc: Loc
    written: str
    reason: str
    """HAProxy's own words."""


@dataclass(frozen=True)
class NoServer:
    """A frontend with no backend, or a route to a backend without servers: every request answers 503."""

    loc: Loc
    what: str
    """``frontend web``, ``backend app``."""
    route: str | None = None


@dataclass(frozen=True)
class PortLess:
    """A server without a port: HAProxy connects to the port the client connected to."""

    upstream: Upstream
    route: str
    port: int | None


@dataclass
class Result:
    routes: list[Route] = field(default_factory=list)
    listens: list[int] = field(default_factory=list)
    error_pages: set[int] = field(default_factory=set)
    refusals: list[Refusal] = field(default_factory=list)
    no_server: list[NoServer] = field(default_factory=list)
    portless: list[PortLess] = field(default_factory=list)
    tolerant: set[str] = field(default_factory=set)
    """Ids of servers whose ``init-addr`` lets HAProxy start when the name does not resolve."""


@dataclass(frozen=True)
class _Server:
    line: Line
    upstream: Upstream
    init_addr: str


def _params(words: tuple[str, ...]) -> dict[str, str]:
    """The ``server``/``default-server`` settings this reader looks at."""
    out: dict[str, str] = {}
    for i, w in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if w in ("resolvers", "init-addr"):
            out[w] = nxt
        elif w in ("ssl", "backup", "disabled", "check"):
            out[w] = "1"
        elif w in ("no-ssl", "no-backup", "enabled", "no-check"):
            out.pop(w.removeprefix("no-").replace("enabled", "disabled"), None)
    return out


def _ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _bind_port(arg: str) -> tuple[str, int | None]:
    addr = arg.split(",", 1)[0]
    for p in _PREFIXES:
        addr = addr.removeprefix(p)
    if addr.startswith(("unix@", "/", "abns@", "fd@", "sockpair@")):
        return addr, None
    host, _, port = addr.rpartition(":")
    first = port.split("-", 1)[0]
    if not first.isdigit():
        return addr, None
    host = "" if host in ("*", "", "::", "0.0.0.0") else host
    return f"{host}:{first}", int(first)


def extract(
    loaded: Loaded, proxy: tuple[str, str], resolvers: dict[str, tuple[str, ...]] | None = None
) -> Result:
    """Routes, listen ports, error pages and what HAProxy refuses, of the whole configuration."""
    result = Result()
    sections = loaded.sections
    nameservers = _resolvers(sections) if resolvers is None else resolvers
    named = {s.name for s in sections if s.kind in ("backend", "listen")}
    seen: dict[tuple[str, str], Section] = {}
    defaults: Section | None = None
    backends: dict[str, tuple[Section, Section | None]] = {}
    fronts: list[tuple[Section, Section | None]] = []
    for s in sections:
        if s.kind == "defaults":
            defaults = s
        if s.kind in PROXIES:
            for kind in ("backend", "frontend") if s.kind == "listen" else (s.kind,):
                other = seen.get((kind, s.name))
                if other is not None:
                    result.refusals.append(
                        Refusal(
                            s.loc,
                            f"{s.kind} {s.name}",
                            f"{kind} '{s.name}' has the same name as another {kind} "
                            f"({other.kind} at {other.loc.file}:{other.loc.line})",
                        )
                    )
                seen[(kind, s.name)] = s
            if s.kind in ("backend", "listen"):
                backends.setdefault(s.name, (s, defaults))
            if s.kind in ("frontend", "listen"):
                fronts.append((s, defaults))
        if s.kind in PROXIES or s.kind == "defaults":
            for ln in s.all("errorfile"):
                if ln.args and ln.args[0].isdigit():
                    result.error_pages.add(int(ln.args[0]))
            for ln in s.all("http-error"):
                if len(ln.args) > 1 and ln.args[0] == "status" and ln.args[1].isdigit():
                    result.error_pages.add(int(ln.args[1]))
    for front, dflt in fronts:
        result.routes.extend(_front_routes(front, dflt, backends, named, nameservers, proxy, result))
    # HAProxy resolves the servers of every backend when it starts, used or not (measured: an unused
    # backend with a name that does not resolve stops it), so those servers are routes too, with no entry.
    used = {r.forward.group for r in result.routes} | {f.name for f, _ in fronts}
    for name, (back, back_dflt) in backends.items():
        if name in used:
            continue
        servers = list(_servers(back, back_dflt, "http", None, nameservers, result))
        if not servers:
            continue
        forward = Upstream(
            raw=name, loc=back.loc, directive="backend", group=name, defined_in=f"backend {name}"
        )
        for srv in servers:
            if srv.init_tolerant:
                result.tolerant.add(srv.upstream.id)
        result.routes.append(
            Route(
                proxy,
                f"backend {name} (no frontend uses it)",
                Match(loc=back.loc),
                forward,
                tuple(srv.upstream for srv in servers),
                tuple(dict.fromkeys(r for srv in servers for r in srv.route_resolvers)),
            )
        )
    # A backend used by several routes is read once per route: each refusal is one.
    result.refusals = list(dict.fromkeys(result.refusals))
    return result


def _resolvers(sections: list[Section]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for s in sections:
        if s.kind != "resolvers":
            continue
        addrs: list[str] = []
        for ln in s.lines:
            if ln.keyword == "nameserver" and len(ln.args) > 1:
                addr = ln.args[1].removeprefix("udp@").removeprefix("tcp@")
                host, _, port = addr.rpartition(":")
                addrs.append(host if port == "53" else addr)
            elif ln.keyword == "parse-resolv-conf":
                # The container's /etc/resolv.conf: Docker's embedded DNS on a user-defined network.
                addrs.append("127.0.0.11")
        out[s.name] = tuple(addrs)
    return out


def _mode(section: Section, dflt: Section | None) -> str:
    for s in (section, dflt):
        if s is not None and s.all("mode"):
            return s.all("mode")[-1].args[0] if s.all("mode")[-1].args else "tcp"
    return "tcp"  # HAProxy's default mode


def _front_routes(
    front: Section,
    dflt: Section | None,
    backends: dict[str, tuple[Section, Section | None]],
    named: set[str],
    nameservers: dict[str, tuple[str, ...]],
    proxy: tuple[str, str],
    result: Result,
) -> Iterator[Route]:
    entries: list[str] = []
    ports: list[int] = []
    for ln in front.all("bind"):
        for arg in ln.args[:1]:
            for one in arg.split(","):
                entry, port = _bind_port(one)
                entries.append(entry)
                if port is not None:
                    ports.append(port)
                    if port not in result.listens:
                        result.listens.append(port)
    if not entries:
        return
    mode = _mode(front, dflt)
    client_port = ports[0] if len(set(ports)) == 1 else None
    targets: list[tuple[Line | None, str, str | None]] = []
    for ln in front.all("use_backend"):
        if not ln.args:
            continue
        cond = " ".join(ln.args[1:]) or None
        targets.append((ln, ln.args[0], cond))
    default = front.all("default_backend") or (dflt.all("default_backend") if dflt else [])
    if default and default[-1].args:
        targets.append((default[-1], default[-1].args[0], None))
    if front.kind == "listen" and not default and (front.all("server") or front.all("server-template")):
        targets.append((None, front.name, None))
    if not targets and not _answers_itself(front):
        result.no_server.append(NoServer(front.loc, f"{front.kind} {front.name}"))
        return
    for line, name, cond in targets:
        loc = line.loc if line is not None else front.loc
        directive = line.keyword if line is not None else front.kind
        path = _path(cond)
        match = Match(entry=tuple(entries), path=path, loc=loc)
        title = f"{front.kind} {front.name}" + (f" {directive} {name}" if line is not None else "")
        if cond:
            title += f" {cond}"
        if "%[" in name:
            forward = Upstream(raw=name, loc=loc, directive=directive, dynamic=True, variables=(name,))
            yield Route(proxy, title, match, forward, (forward,))
            continue
        if name not in named:
            result.refusals.append(
                Refusal(
                    loc,
                    line.written if line else name,
                    f"Proxy '{front.name}': unable to find required {directive}: '{name}'.",
                )
            )
            continue
        back, back_dflt = backends[name]
        servers = list(_servers(back, back_dflt, mode, client_port, nameservers, result))
        forward = Upstream(
            raw=name,
            loc=loc,
            directive=directive,
            group=name,
            defined_in=f"backend {name}",
            protocol="tcp" if mode == "tcp" else "http",
        )
        route_resolvers = tuple(dict.fromkeys(r for s in servers for r in s.route_resolvers))
        route = Route(
            proxy, title, match, forward, tuple(s.upstream for s in servers) or (forward,), route_resolvers
        )
        if not servers:
            route = Route(proxy, title, match, forward, ())
            result.no_server.append(NoServer(back.loc, f"{back.kind} {back.name}", route.id))
        for s in servers:
            if s.init_tolerant:
                result.tolerant.add(s.upstream.id)
            if not s.upstream.port_written and s.upstream.host and s.upstream.unix_path is None:
                result.portless.append(PortLess(s.upstream, route.id, s.upstream.port))
        yield route


def _answers_itself(front: Section) -> bool:
    """True when the section answers requests itself (a stats page, ``http-request return``, a redirect)."""
    for ln in front.lines:
        if ln.keyword in ("stats", "redirect", "monitor-uri", "errorloc302", "errorloc303"):
            return True
        if (
            ln.keyword == "http-request"
            and ln.args
            and ln.args[0] in ("return", "redirect", "deny", "tarpit")
        ):
            return True
    return False


def _path(cond: str | None) -> str | None:
    if cond is None:
        return None
    m = re.match(r"^if\s+(.*)$", cond)
    if m:
        pm = _PATH_BEG.match(m.group(1).strip())
        if pm:
            return pm.group(1)
    return cond


@dataclass(frozen=True)
class _Built:
    upstream: Upstream
    route_resolvers: tuple[str, ...]
    init_tolerant: bool


def _servers(
    back: Section,
    dflt: Section | None,
    mode: str,
    client_port: int | None,
    nameservers: dict[str, tuple[str, ...]],
    result: Result,
) -> Iterator[_Built]:
    base: dict[str, str] = {}
    for s in (dflt, back):
        if s is None:
            continue
        for ln in s.all("default-server"):
            base.update(_params(ln.args))
    mode = _mode(back, dflt) if back.all("mode") else mode
    for ln in back.lines:
        if ln.keyword not in ("server", "server-template"):
            continue
        need = 3 if ln.keyword == "server-template" else 2
        if len(ln.args) < need:
            result.refusals.append(
                Refusal(
                    ln.loc, ln.written, f"'{ln.keyword}' expects <name> and <addr>[:<port>] as arguments."
                )
            )
            continue
        addr = ln.args[need - 1]
        params = {**base, **_params(ln.args[need:])}
        built = _address(ln, addr, params, mode, client_port, nameservers, back, result)
        if built is not None:
            yield built


def _address(
    ln: Line,
    addr: str,
    params: dict[str, str],
    mode: str,
    client_port: int | None,
    nameservers: dict[str, tuple[str, ...]],
    back: Section,
    result: Result,
) -> _Built | None:
    protocol = "https" if "ssl" in params else ("tcp" if mode == "tcp" else "http")
    role = Role.DISABLED if "disabled" in params else (Role.BACKUP if "backup" in params else Role.PRIMARY)
    up = Upstream(
        raw=addr,
        loc=ln.loc,
        directive=ln.keyword,
        protocol=protocol,
        group=back.name,
        defined_in=f"backend {back.name}",
        role=role,
        variables=ln.variables,
    )
    bare = addr
    for p in _PREFIXES:
        bare = bare.removeprefix(p)
    if bare.startswith("unix@") or bare.startswith("/"):
        return _Built(replace(up, unix_path=bare.removeprefix("unix@")), (), False)
    m = _PORTED.match(bare)
    if m is None or not m.group("host"):
        return _Built(replace(up, dynamic=True, candidates=()), (), False)
    host = m.group("host").strip("[]")
    port_text = m.group("port")
    port: int | None
    written = port_text is not None and not port_text.startswith(("+", "-"))
    if written and port_text is not None:
        port = int(port_text.split("-", 1)[0])
    elif port_text is not None and client_port is not None:
        port = client_port + int(port_text)
    else:
        port = client_port
    up = replace(up, host=host, port=port, port_written=written)
    init = params.get("init-addr", "last,libc")
    tolerant = any(w == "none" or _ip(w) for w in init.split(","))
    res_name = params.get("resolvers")
    if _ip(host):
        return _Built(up, (), False)
    if res_name:
        if res_name not in nameservers:
            result.refusals.append(
                Refusal(
                    ln.loc,
                    ln.written,
                    f"'{ln.keyword} {back.name}/{ln.args[0]}' : "
                    f"unable to find required resolvers '{res_name}'",
                )
            )
            return _Built(up, (), tolerant)
        return _Built(replace(up, lookup=Lookup.PER_REQUEST), nameservers[res_name], True)
    return _Built(up, (), tolerant)
