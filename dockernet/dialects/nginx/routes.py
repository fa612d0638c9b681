"""The routes of an nginx configuration: every place where nginx sends traffic upstream, and to where.

Input is the directive tree of :func:`dockernet.sources.nginx.load`. Every way nginx connects upstream is
modelled: ``proxy_pass`` (http and stream), ``fastcgi_pass``, ``uwsgi_pass``, ``scgi_pass``, ``grpc_pass``,
``memcached_pass``, and the ``server`` lines of ``upstream`` blocks
(https://nginx.org/en/docs/http/ngx_http_upstream_module.html#server).

Address forms follow nginx's ``ngx_parse_url()``: an optional scheme, ``unix:/path`` (for ``proxy_pass``
the socket path ends at the next ``:``, the rest is the URI), ``[v6]:port``, ``host:port``, and for
``proxy_pass`` a URI part that starts at the first ``/`` or ``?`` after the host, a lone ``/`` included.
Default ports are nginx's: 80 for ``http://`` and for upstream ``server`` lines, 443 for ``https://``;
``grpc_pass``, ``fastcgi_pass``, ``uwsgi_pass``, ``scgi_pass``, ``memcached_pass`` and stream addresses
have none (nginx refuses them without a port: "no port in upstream"), so their port stays None.

Variables: ``set`` and ``map``/``geo``/``split_clients`` give literal values, which are substituted into the
pass argument to list what it can be (:attr:`Upstream.candidates`). A value naming an ``upstream`` block is
found among the groups without DNS ("the name is searched among the described server groups, and, if not
found, is determined using a resolver",
https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass); such values contribute the group's
servers to :attr:`Route.upstreams`. :meth:`RoutesResult.finds_upstream` answers the same question for any
address, including nginx's implicit groups (a static ``proxy_pass http://app:3000`` elsewhere makes
``app:3000`` a group name too).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum

from dockernet.dialects.nginx.syntax import Directive
from dockernet.dialects.nginx.variables import Values, collect_tables, variables_in
from dockernet.model import NOWHERE, Candidate, Loc, Lookup, Match, Role, Route, Upstream


class PassKind(Enum):
    """The nginx directive that sends traffic upstream."""

    PROXY = "proxy_pass"
    FASTCGI = "fastcgi_pass"
    UWSGI = "uwsgi_pass"
    SCGI = "scgi_pass"
    GRPC = "grpc_pass"
    MEMCACHED = "memcached_pass"
    UPSTREAM_SERVER = "server"


# What each directive speaks upstream when no scheme says otherwise.
_PROTOCOL = {
    PassKind.PROXY: "http",
    PassKind.FASTCGI: "fastcgi",
    PassKind.UWSGI: "uwsgi",
    PassKind.SCGI: "scgi",
    PassKind.GRPC: "grpc",
    PassKind.MEMCACHED: "memcached",
    PassKind.UPSTREAM_SERVER: "http",
}

_PASS = {k.value: k for k in PassKind if k is not PassKind.UPSTREAM_SERVER}
# Schemes each pass directive accepts (case-insensitive, like ngx_strncasecmp in each module).
_SCHEMES: dict[PassKind, tuple[str, ...]] = {
    PassKind.PROXY: ("http", "https"),
    PassKind.GRPC: ("grpc", "grpcs"),
    PassKind.UWSGI: ("uwsgi", "suwsgi"),
}
_DEFAULT_PORT = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Group:
    """An ``upstream`` block."""

    name: str
    context: str
    """``http`` or ``stream``: the two kinds of groups live in separate namespaces."""
    servers: tuple[Upstream, ...]
    loc: Loc
    resolvers: tuple[str, ...] = ()
    """A ``resolver`` inside the block (nginx 1.27.3+), for ``server ... resolve``."""
    zone: str | None = None


@dataclass(frozen=True)
class RoutesResult:
    """Everything :func:`extract` found."""

    routes: tuple[Route, ...]
    listens: tuple[int, ...]
    """Ports nginx listens on (``listen``; 80 for an http ``server`` without one), sorted."""
    error_pages: tuple[int, ...]
    """Status codes that have an ``error_page`` somewhere, sorted."""
    upstreams: tuple[Group, ...] = ()
    implicit_upstreams: tuple[tuple[str, str, int], ...] = ()
    """(context, host, port) of the groups nginx creates for static addresses (``ngx_http_upstream_add``)."""
    rewrite_break: frozenset[str] = frozenset()
    """Ids of the routes whose location has ``rewrite ... break`` (the URI is rewritten before the pass)."""
    values: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)
    """The literal values each route's address can take after variable substitution, by route id (for
    routes whose address has variables and whose values could all be listed)."""
    groups: Mapping[tuple[str, str], Group] = field(default_factory=dict, compare=False, repr=False)

    def group(self, name: str, context: str = "http") -> Group | None:
        """The ``upstream`` block of that name (names are case-insensitive, as in nginx)."""
        return self.groups.get((context, name.lower()))

    def finds_upstream(self, address: str, context: str = "http") -> bool:
        """Whether nginx finds an address (a variable's value: ``http://app``, ``app:3000``) among its
        groups at run time, and so needs no resolver for it (``ngx_http_upstream_init_request``): an
        ``upstream`` block matches a host without a port, an implicit group matches host and port."""
        host, port, explicit = _host_port(address)
        if host is None:
            return False
        if not explicit and self.group(host, context) is not None:
            return True
        return (context, host.lower(), port) in self.implicit_upstreams if port is not None else False


def _host_port(address: str) -> tuple[str | None, int | None, bool]:
    """(host, port, port written) of an address with an optional scheme; the scheme's default port."""
    scheme = None
    if "://" in address:
        scheme, address = address.split("://", 1)
        scheme = scheme.lower()
    authority = re.split(r"[/?]", address, maxsplit=1)[0]
    host, port_text = _split_authority(authority)
    if not host or address.lower().startswith("unix:"):
        return None, None, False
    if port_text is None:
        return host, _DEFAULT_PORT.get(scheme or "http"), False
    return host, _port(port_text), True


def _split_authority(authority: str) -> tuple[str, str | None]:
    """``[::1]:80`` -> (``::1``, ``80``); ``app:3000`` -> (``app``, ``3000``); the port text is None when
    absent. nginx splits at the first ``:`` (``ngx_parse_inet_url``)."""
    if authority.startswith("["):
        close = authority.find("]")
        if close < 0:
            return authority, None
        after = authority[close + 1 :]
        return authority[1:close], after[1:] if after.startswith(":") else None
    host, colon, port = authority.partition(":")
    return host, port if colon else None


def _port(text: str) -> int | None:
    if text.isdigit() and 0 < int(text) <= 65535:
        return int(text)
    return None


def parse_target(raw: str, kind: PassKind, loc: Loc, *, stream: bool = False) -> Upstream:
    """One address as nginx parses it for a pass directive (``kind``) or an upstream ``server`` line."""
    variables = variables_in(raw)
    base = Upstream(
        raw,
        loc,
        kind.value,
        protocol="tcp" if stream else _PROTOCOL[kind],
        variables=variables,
        dynamic=bool(variables),
        lookup=Lookup.PER_REQUEST if variables else Lookup.STARTUP,
    )
    scheme = None
    rest = raw
    for candidate in () if stream else _SCHEMES.get(kind, ()):
        if raw[: len(candidate) + 3].lower() == candidate + "://":
            scheme, rest = candidate, raw[len(candidate) + 3 :]
            break
    http_proxy = kind is PassKind.PROXY and not stream
    if http_proxy and scheme is None:
        # "invalid URL prefix" unless the scheme comes from a variable: nothing can be said statically.
        return base
    if rest[:5].lower() == "unix:":
        path, uri = rest[5:], None
        if http_proxy:  # ngx_parse_unix_domain_url() with uri_part: the path ends at the next ":"
            path, colon, tail = path.partition(":")
            uri = tail if colon else None
        return replace(base, scheme=scheme, protocol=scheme or base.protocol, unix_path=path, path=uri)
    uri = None
    authority = rest
    if http_proxy:
        cut = re.search(r"[/?]", rest)
        if cut:
            authority, uri = rest[: cut.start()], rest[cut.start() :]
    host, port_text = _split_authority(authority)
    if port_text is not None:
        port, explicit = _port(port_text), True
    else:
        explicit = False
        if kind is PassKind.UPSTREAM_SERVER:
            port = None if stream else 80  # "If a port is not specified, the port 80 is used."
        else:
            port = _DEFAULT_PORT.get(scheme or "") if http_proxy else None
    # A host written without variables is looked up once at start, even when the URI has variables.
    dynamic = bool(variables) and (not host or "$" in host)
    return replace(
        base,
        scheme=scheme,
        protocol=scheme or base.protocol,
        host=host or None,
        port=port,
        port_written=explicit,
        path=uri,
        dynamic=dynamic,
        lookup=Lookup.PER_REQUEST if dynamic else Lookup.STARTUP,
    )


def _server_target(d: Directive, group: str, stream: bool) -> Upstream | None:
    if not d.args:
        return None
    t = parse_target(d.args[0], PassKind.UPSTREAM_SERVER, d.loc, stream=stream)
    params = set(d.args[1:])
    role = Role.DISABLED if "down" in params else Role.BACKUP if "backup" in params else Role.PRIMARY
    return replace(
        t,
        group=group,
        defined_in=f"upstream {group}",
        role=role,
        # ``resolve`` re-resolves the name through the resolver while nginx runs.
        lookup=Lookup.PER_REQUEST if "resolve" in params else Lookup.STARTUP,
    )


def _resolver_args(d: Directive) -> tuple[str, ...]:
    # resolver address ... [valid=time] [ipv4=on|off] [ipv6=on|off] [status_zone=zone]
    return tuple(a for a in d.args if "=" not in a)


# ------------------------------------------------------------------------------------------ walk


@dataclass(frozen=True)
class _Scope:
    """What is in force at one point of the http (or stream) tree."""

    stream: bool
    server: Directive | None = None
    locations: tuple[Directive, ...] = ()
    resolver: Directive | None = None
    ifs: tuple[Directive, ...] = ()
    hosts: tuple[str, ...] = ()
    """The server's ``server_name`` arguments, read once per server (every route used to rescan the server
    block: 10,000 locations took 11 s, 49,000 took 220 s; issue 15)."""
    entry: tuple[str, ...] = ()
    """The server's ``listen`` addresses, read once per server."""
    server_state: Mapping[str, set[str]] | None = None
    """The ``set`` values the server's own rewrite directives leave (:meth:`Values.possible`), read once."""


def _children(d: Directive | None, top: Sequence[Directive]) -> Sequence[Directive]:
    return top if d is None else (d.block or ())


def _listen_port(arg: str) -> int | None:
    """The port of a ``listen`` address: ``80``, ``[::]:80``, ``127.0.0.1:8080``, ``*:80``; a bare host
    listens on 80; ``unix:`` sockets have none."""
    if arg.startswith("unix:"):
        return None
    if arg.isdigit():
        return _port(arg)
    if arg.startswith("["):
        _, port = _split_authority(arg)
        return _port(port) if port is not None else 80
    _, colon, port = arg.rpartition(":")
    return _port(port) if colon else 80


def extract(
    directives: Sequence[Directive],
    proxy_key: tuple[str, str],
    *,
    environment: Mapping[str, str | None] | None = None,
) -> RoutesResult:
    """Routes, listen ports, error_page codes and upstream groups of a whole configuration.

    ``environment`` is the proxy container's environment: a ``$NAME`` that no ``set``/``map`` defines and
    that is not one of nginx's own variables takes its value from there, because configs written that way
    go through ``envsubst`` before nginx starts (the official image's templates, or a start script).
    """
    env = dict(environment or {})
    if not any(d.name in ("http", "stream", "events") for d in directives) and any(
        d.name in ("server", "upstream") for d in directives
    ):
        # A conf.d file read on its own: nginx includes such files inside http {}.
        directives = (Directive("http", (), NOWHERE, tuple(directives)),)
    groups: dict[tuple[str, str], Group] = {}
    routes: list[tuple[Route, str, tuple[str, ...]]] = []
    rewrite_break: set[str] = set()
    listens: set[int] = set()
    error_pages: set[int] = set()
    implicit: dict[tuple[str, str, int], None] = {}

    for d in _walk_all(directives):
        if d.name == "error_page":
            for arg in d.args[:-1]:
                if arg.isdigit() and 300 <= int(arg) <= 599:
                    error_pages.add(int(arg))

    for context in ("http", "stream"):
        stream = context == "stream"
        for top in (d for d in directives if d.name == context and d.block is not None):
            assert top.block is not None
            for up in (d for d in top.block if d.name == "upstream" and d.block is not None and d.args):
                groups[(context, up.args[0].lower())] = _upstream(up, context, stream)

    for context in ("http", "stream", "mail"):
        stream = context != "http"
        for top in (d for d in directives if d.name == context and d.block is not None):
            assert top.block is not None
            tables = collect_tables(top.block)
            values = Values(tables, env)
            http_resolver = _last(top.block, "resolver")
            for server in (d for d in top.block if d.name == "server" and d.block is not None):
                listen_args = tuple(d.args[0] for d in server.block or () if d.name == "listen" and d.args)
                for arg in listen_args:
                    if (port := _listen_port(arg)) is not None:
                        listens.add(port)
                if not listen_args and context == "http":
                    listens.add(80)  # "listen *:80 | *:8000" default, and nginx runs as root in images
                if context == "mail":
                    continue
                block = server.block or ()
                scope = _Scope(
                    stream,
                    server,
                    (),
                    _last(block, "resolver") or http_resolver,
                    hosts=tuple(a for s in block if s.name == "server_name" for a in s.args),
                    entry=listen_args,
                    server_state=values.possible([block], None),
                )
                for pass_d, sc in _passes(server, scope):
                    route, values_of, rewrite = _route(pass_d, sc, proxy_key, context, groups, values)
                    routes.append((route, context, values_of))
                    if rewrite:
                        rewrite_break.add(route.id)
                    t = route.forward
                    if not t.variables and t.group is None and t.host and t.port is not None:
                        implicit.setdefault((context, t.host.lower(), t.port), None)

    result = RoutesResult(
        routes=(),
        listens=tuple(sorted(listens)),
        error_pages=tuple(sorted(error_pages)),
        upstreams=tuple(groups.values()),
        implicit_upstreams=tuple(implicit),
        rewrite_break=frozenset(rewrite_break),
        values={r.id: v for r, _, v in routes if v},
        groups=groups,
    )
    return replace(result, routes=tuple(_with_group_values(r, c, v, result) for r, c, v in routes))


def _walk_all(directives: Sequence[Directive]) -> Iterator[Directive]:
    stack = list(reversed(directives))
    while stack:
        d = stack.pop()
        yield d
        if d.block:
            stack.extend(reversed(d.block))


def _last(block: Sequence[Directive], name: str) -> Directive | None:
    found = None
    for d in block:
        if d.name == name:
            found = d
    return found


def _upstream(up: Directive, context: str, stream: bool) -> Group:
    servers: list[Upstream] = []
    resolvers: tuple[str, ...] = ()
    zone = None
    for d in up.block or ():
        if d.name == "server":
            t = _server_target(d, up.args[0], stream)
            if t is not None:
                servers.append(t)
        elif d.name == "resolver":
            resolvers = _resolver_args(d)
        elif d.name == "zone" and d.args:
            zone = d.args[0]
    return Group(up.args[0], context, tuple(servers), up.loc, resolvers, zone)


def _passes(block_owner: Directive, scope: _Scope) -> Iterator[tuple[Directive, _Scope]]:
    """Every pass directive under a server, with the scope in force there."""
    for d in block_owner.block or ():
        if d.name in _PASS and (not scope.stream or d.name == "proxy_pass"):
            yield d, scope
        elif d.block is None:
            continue
        elif d.name == "location" and not scope.stream:
            resolver = _last(d.block, "resolver") or scope.resolver
            inner = replace(scope, locations=(*scope.locations, d), ifs=(), resolver=resolver)
            yield from _passes(d, inner)
        elif d.name in ("if", "limit_except") and not scope.stream:
            inner = replace(scope, ifs=(*scope.ifs, d) if d.name == "if" else scope.ifs)
            yield from _passes(d, inner)


def _route(
    d: Directive,
    scope: _Scope,
    proxy_key: tuple[str, str],
    context: str,
    groups: Mapping[tuple[str, str], Group],
    values: Values,
) -> tuple[Route, tuple[str, ...], bool]:
    """The route of one pass directive, the literal values its address can take, and whether its location
    rewrites the URI with ``rewrite ... break``."""
    kind = _PASS[d.name]
    raw = d.args[0] if d.args else ""
    target = parse_target(raw, kind, d.loc, stream=scope.stream)
    targets: tuple[Upstream, ...] = (target,)
    group = None
    if not target.variables and target.host and not target.port_written and target.unix_path is None:
        group = groups.get((context, target.host.lower()))
    if group is not None:
        target = replace(target, port=None, group=group.name)
        targets = group.servers
    location = scope.locations[-1] if scope.locations else None
    server = scope.server
    assert server is not None
    value_list: tuple[str, ...] = ()
    if target.variables:
        own_if = scope.ifs[-1] if scope.ifs else None
        if location is not None and scope.server_state is not None:
            # The ifs of a route in a location are the location's: the server's state holds for it.
            state = values.possible([location.block or ()], own_if, scope.server_state)
        else:
            sequences = [server.block or ()]
            if location is not None:
                sequences.append(location.block or ())
            state = values.possible(sequences, own_if)
        value_list = values.expand(raw, state) or ()
    rewrite_break = location is not None and any(
        r.name == "rewrite" and len(r.args) == 3 and r.args[2] == "break" for r in location.block or ()
    )
    resolver = scope.resolver
    path = " ".join(location.args) if location is not None else None
    route = Route(
        proxy=proxy_key,
        title=f"location {path}" if path else "server",
        match=Match(
            hosts=scope.hosts,
            path=path,
            entry=scope.entry,
            loc=location.loc if location is not None else server.loc,
        ),
        forward=target,
        upstreams=targets,
        resolvers=_resolver_args(resolver) if resolver is not None else (),
        resolver_loc=resolver.loc if resolver is not None else NOWHERE,
    )
    return route, value_list, rewrite_break


def _with_group_values(
    route: Route, context: str, value_list: tuple[str, ...], result: RoutesResult
) -> Route:
    """A variable pass whose values name ``upstream`` blocks or implicit groups reaches their servers
    without DNS; values that do not keep the pass directive itself as an upstream (resolved per request),
    with every value as one of its candidates."""
    t = route.forward
    if not t.variables:
        return route
    if t.dynamic and value_list:
        names = {g.name for g in result.upstreams}
        t = replace(t, candidates=tuple(_candidate(v, t.port, names) for v in value_list))
        route = replace(route, forward=t, upstreams=(t,))
    if not value_list:
        return route
    targets: list[Upstream] = []
    dynamic = False
    for value in value_list:
        host, port, explicit = _host_port(value)
        group = result.group(host, context) if host is not None and not explicit else None
        if group is not None:
            targets.extend(s for s in group.servers if s not in targets)
        elif (
            host is not None
            and port is not None
            and (context, host.lower(), port) in result.implicit_upstreams
        ):
            fixed = parse_target(value, _PASS[t.directive], t.loc, stream=context == "stream")
            targets.append(replace(fixed, variables=(), dynamic=False, lookup=Lookup.STARTUP))
        else:
            dynamic = True
    if dynamic:
        targets.insert(0, t)
    return replace(route, upstreams=tuple(targets))


def _candidate(value: str, default_port: int | None, groups: set[str]) -> Candidate:
    """One value of a variable address as the resolver looks it up: ``host[:port]`` after the scheme and
    before the path; a value that is an ``upstream`` block's name needs no DNS."""
    hostport = value.split("://", 1)[-1].split("/", 1)[0]
    host, port = hostport, default_port
    if hostport.startswith("["):
        host = hostport[1 : hostport.find("]")]
        rest = hostport[hostport.find("]") + 1 :]
        if rest.startswith(":") and rest[1:].isdigit():
            port = int(rest[1:])
    elif hostport.count(":") == 1:
        host, _, p = hostport.partition(":")
        if p.isdigit():
            port = int(p)
    return Candidate(host, port, group=hostport in groups)
