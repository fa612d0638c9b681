"""The routes of a Caddyfile: every ``reverse_proxy`` and ``php_fastcgi``, where requests reach it (the
site's addresses and ports, the path of the ``handle``/``handle_path``/``route`` or the directive's own
matcher) and the addresses it dials (:mod:`.upstream`).

Site addresses follow https://caddyserver.com/docs/caddyfile/concepts#addresses: ``[scheme://][host][:port]``;
no port listens on ``http_port`` (80) for ``http://`` and on ``https_port`` (443) otherwise, with
``auto_https off`` too (measured with ``caddy adapt`` 2.11.7). A site with a host name that can have a public
certificate, no ``http://``, no ``tls internal`` and automatic HTTPS on makes Caddy ask an ACME CA for a
certificate (https://caddyserver.com/docs/automatic-https).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from dockernet.dialects.caddy import upstream as up
from dockernet.dialects.caddy.lexer import Token
from dockernet.dialects.caddy.parse import Block, Directive, Loaded
from dockernet.model import Loc, Match, Route, Upstream

# The standard directives of Caddy 2.11 (caddy adapt knows these and refuses others: "unrecognized
# directive"), https://caddyserver.com/docs/caddyfile/directives.
STANDARD = frozenset(
    [
        "abort",
        "acme_server",
        "basic_auth",
        "basicauth",
        "bind",
        "copy_response",
        "copy_response_headers",
        "encode",
        "error",
        "file_server",
        "forward_auth",
        "fs",
        "handle",
        "handle_errors",
        "handle_path",
        "header",
        "intercept",
        "invoke",
        "log",
        "log_append",
        "log_name",
        "log_skip",
        "map",
        "method",
        "metrics",
        "php_fastcgi",
        "push",
        "redir",
        "request_body",
        "request_header",
        "respond",
        "reverse_proxy",
        "rewrite",
        "root",
        "route",
        "skip_log",
        "templates",
        "tls",
        "tracing",
        "try_files",
        "uri",
        "vars",
    ]
)
_BLOCKS = frozenset({"handle", "handle_path", "route"})
_NOT_IN_SUBJECT = set("()[]{}<> \t\n\"\\!@#$%^&|;'+=")
_INTERNAL = (".localhost", ".local", ".internal", ".home.arpa")
_ADDRESS = re.compile(r"^(?:([a-z0-9+.-]+)://)?(\[[^\]]*\]|[^:/\[\]]*)(?::([^/]*))?(/.*)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Site:
    """One address of a site block."""

    address: str
    """As written (placeholders kept)."""
    host: str
    port: int | None
    loc: Loc
    acme: bool = False
    """True when Caddy will ask an ACME CA for this host's certificate."""
    scheme: str = ""


@dataclass(frozen=True)
class EmptyUpstreams:
    """A ``reverse_proxy`` with no upstream at all: every request answers 503 (c08b)."""

    route: str
    """The route's id."""
    loc: Loc
    directive: str
    vanished: tuple[str, ...] = ()
    """The ``{$NAME}`` placeholders on its line that became nothing."""


@dataclass
class Result:
    routes: list[Route] = field(default_factory=list)
    listens: list[int] = field(default_factory=list)
    error_pages: set[int] = field(default_factory=set)
    sites: list[Site] = field(default_factory=list)
    refusals: list[up.Refusal] = field(default_factory=list)
    empty: list[EmptyUpstreams] = field(default_factory=list)
    redact: dict[str, str] = field(default_factory=dict)
    """Host names an environment value gave, with the placeholder written there."""


@dataclass(frozen=True)
class _Options:
    http_port: int = 80
    https_port: int = 443
    auto_https: str = "on"
    local_certs: bool = False


def extract(
    loaded: Loaded,
    key: tuple[str, str],
    env: Mapping[str, str | None],
    *,
    standard: bool,
) -> Result:
    """The routes of every site; ``standard`` is True for the official image, whose Caddy knows only the
    standard directives (a custom build may add others)."""
    w = _Walker(loaded, key, env, standard, _options(loaded.options))
    seen: set[str] = set()
    for site in loaded.sites:
        for k in site.keys:
            if k.text.lower() in seen:
                w.refuse(k, f"ambiguous site definition: {k.shown}")
            seen.add(k.text.lower())
        w.site(site)
    return w.out


def _options(block: Block | None) -> _Options:
    if block is None:
        return _Options()
    values: dict[str, str] = {d.name.text: d.args[0].text for d in block.body if d.args}
    names = {d.name.text for d in block.body}

    def port(name: str, default: int) -> int:
        return int(values[name]) if values.get(name, "").isdigit() else default

    return _Options(
        http_port=port("http_port", 80),
        https_port=port("https_port", 443),
        auto_https=values.get("auto_https", "on"),
        local_certs="local_certs" in names,
    )


def cert_subject(host: str) -> bool:
    """certmagic's ``SubjectQualifiesForCert``: an empty host (``:443``) needs none; otherwise no leading
    or trailing dot, a wildcard only as the left-most label, none of ``()[]{}<>`` and the like."""
    if not host:
        return True
    if host.startswith(".") or host.endswith("."):
        return False
    if "*" in host and not (host.startswith("*.") or host == "*"):
        return False
    return not (set(host) & _NOT_IN_SUBJECT)


def public_name(host: str) -> bool:
    """Caddy (certmagic ``SubjectQualifiesForPublicCert``) would get a public certificate for ``host``:
    not empty, not an IP address, not ``localhost`` nor under ``.localhost``, ``.local``, ``.internal``,
    ``.home.arpa``, no placeholder."""
    h = host.lower().rstrip(".")
    if not h or "{" in h or h == "localhost" or h.endswith(_INTERNAL) or h == "*":
        return False
    try:
        ipaddress.ip_address(h.strip("[]"))
        return False
    except ValueError:
        return True


class _Walker:
    def __init__(
        self,
        loaded: Loaded,
        key: tuple[str, str],
        env: Mapping[str, str | None],
        standard: bool,
        opts: _Options,
    ) -> None:
        self.loaded, self.key, self.env, self.standard, self.opts = loaded, key, env, standard, opts
        self.out = Result()

    def loc(self, tok: Token) -> Loc:
        return Loc(self.loaded.files.get(tok.file, tok.file), tok.line)

    def refuse_key(self, tok: Token, site: Site) -> None:
        """What Caddy refuses in a site address: a directive's name (a site without braces whose address
        vanished), or, on an HTTPS site, a host that no certificate can have (``n8n.<domain>``)."""
        if tok.text in STANDARD:
            self.out.refusals.append(
                up.Refusal(
                    site.loc,
                    tok.shown,
                    f"parsed '{tok.text}' as a site address, but it is a known directive; directives must "
                    "appear in a site block",
                )
            )
        elif site.port != self.opts.http_port and site.scheme != "http" and not cert_subject(site.host):
            self.out.refusals.append(
                up.Refusal(site.loc, tok.shown, f"subject does not qualify for certificate: '{site.host}'")
            )

    def site(self, block: Block) -> None:
        tls_off = any(
            d.name.text == "tls" and (not d.args or d.args[0].text == "internal" or len(d.args) >= 2)
            for d in block.body
        )
        sites = [self.address(k, tls_off) for k in block.keys]
        for tok, s in zip(block.keys, sites, strict=True):
            if tok.env and s.host and s.host not in tok.written:
                self.out.redact.setdefault(s.host, tok.written)
        for tok, s in zip(block.keys, sites, strict=True):
            self.refuse_key(tok, s)
        self.out.sites.extend(sites)
        for s in sites:
            if s.port is not None and s.port not in self.out.listens:
                self.out.listens.append(s.port)
        hosts = tuple(dict.fromkeys(s.host for s in sites if s.host))
        entry = tuple(dict.fromkeys(f":{s.port}" for s in sites if s.port is not None))
        where = f"site {', '.join(s.address for s in sites)}"
        match = Match(hosts=hosts, entry=entry, loc=self.loc(block.keys[0]))
        self.walk(block.body, match, where)

    def address(self, tok: Token, tls_off: bool) -> Site:
        m = _ADDRESS.match(tok.text)
        scheme, host, port_text = (m.group(1), m.group(2), m.group(3)) if m else (None, tok.text, None)
        host = (host or "").strip("[]")
        o = self.opts
        if port_text and port_text.isdigit():
            port: int | None = int(port_text)
        elif port_text:
            port = None
        else:
            port = o.http_port if (scheme or "").lower() == "http" else o.https_port
        acme = (
            (scheme or "").lower() != "http"
            and port != o.http_port
            and public_name(host)
            and o.auto_https not in ("off", "disable_certs")
            and not o.local_certs
            and not tls_off
        )
        return Site(tok.shown, host, port, self.loc(tok), acme, (scheme or "").lower())

    def walk(
        self, body: tuple[Directive, ...], match: Match, where: str, outer: frozenset[str] = frozenset()
    ) -> None:
        """Routes of a block. Named matchers are scoped to the block that defines them and the blocks
        inside it; defining one that is already visible, or using one that is not, is refused (measured
        with ``caddy adapt``)."""
        visible = set(outer)
        for d in body:
            if d.name.text.startswith("@"):
                if d.name.text in visible:
                    self.refuse(d.name, f"matcher is defined more than once: {d.name.text}")
                visible.add(d.name.text)
        matchers = frozenset(visible)
        for d in body:
            name = d.name.text
            if name.startswith("@") or name == "}":
                continue
            uses = name in _BLOCKS or name in ("reverse_proxy", "php_fastcgi")
            if uses and d.args and d.args[0].text.startswith("@") and d.args[0].text not in matchers:
                self.refuse(d.args[0], f"unrecognized matcher name: {d.args[0].text}")
            if name in _BLOCKS:
                path = d.args[0].shown if d.args and _is_matcher(d.args[0].text) else None
                inner = Match(match.hosts, path or match.path, match.entry, self.loc(d.name))
                self.walk(d.block or (), inner, f"{name} {path}" if path else where, matchers)
            elif name == "handle_errors":
                self.out.error_pages.update(_error_codes(d.args))
            elif name in ("reverse_proxy", "php_fastcgi"):
                self.proxy(d, match, where)
            elif self.standard and name not in STANDARD:
                self.refuse(d.name, f"unrecognized directive: {name}")

    def refuse(self, tok: Token, reason: str) -> None:
        self.out.refusals.append(up.Refusal(self.loc(tok), tok.shown, reason))

    def proxy(self, d: Directive, match: Match, where: str) -> None:
        name = d.name.text
        args = list(d.args)
        path = match.path
        if args and _is_matcher(args[0].text):
            path = args.pop(0).shown
            where = f"{name} {path}"
        tokens = [(t, self.loc(t)) for t in args]
        from_to: set[int] = set()  # tokens of `to` lines: a hint rewrites that line
        protocol = "fastcgi" if name == "php_fastcgi" else "http"
        dynamic: Directive | None = None
        for sub in d.block or ():
            sub_name = sub.name.text
            if sub_name == "to":
                if not sub.args:
                    self.refuse(sub.name, "wrong argument count or unexpected line ending after 'to'")
                tokens.extend((t, self.loc(t)) for t in sub.args)
                from_to.update(id(t) for t in sub.args)
            elif sub_name == "dynamic":
                dynamic = sub
            elif sub_name == "transport" and sub.args:
                if sub.args[0].text == "fastcgi":
                    protocol = "fastcgi"
                elif any(s.name.text == "tls" for s in sub.block or ()):
                    protocol = "https"
        if any(up.scheme_of(t) == "https" for t, _ in tokens):
            protocol = "https"
        # Caddy parses the addresses in order and stops at the first it refuses: a bad address, or one whose
        # scheme differs from the ones before it.
        refused: up.Refusal | None = None
        upstreams: list[Upstream] = []
        for i, (tok, loc) in enumerate(tokens):
            got = up.parse(tok, loc, "to" if id(tok) in from_to else name, protocol, self.env)
            if not isinstance(got, up.Refusal):
                got = up.mixed_scheme(tokens[: i + 1]) or got
            if isinstance(got, up.Refusal):
                refused = got
                break  # the route is kept so that the finding can name it
            upstreams.extend(got)
            for u in got if tok.env else ():
                if u.host and u.host not in tok.written:
                    self.out.redact.setdefault(u.host, tok.written)
        if dynamic is not None:
            raw = " ".join(t.shown for t in (dynamic.name, *dynamic.args))
            upstreams.append(
                Upstream(
                    raw=raw, loc=self.loc(dynamic.name), directive="dynamic", protocol=protocol, dynamic=True
                )
            )
        line_loc = self.loc(d.name)
        forward = (
            upstreams[0] if upstreams else Upstream(raw=name, loc=line_loc, directive=name, protocol=protocol)
        )
        route = Route(
            proxy=self.key,
            title=where,
            match=Match(match.hosts, path, match.entry, match.loc if path == match.path else line_loc),
            forward=forward,
            upstreams=tuple(upstreams),
        )
        self.out.routes.append(route)
        if refused is not None:
            self.out.refusals.append(replace(refused, route=route.id))
        elif not upstreams:
            gone = tuple(
                v.written for f, v in self.loaded.vanished if f == d.name.file and v.line == d.name.line
            )
            self.out.empty.append(EmptyUpstreams(route.id, line_loc, name, gone))


def _is_matcher(text: str) -> bool:
    """Caddy's matcher token: ``*``, a path (``/api/*``) or a named matcher (``@api``)."""
    return text == "*" or text.startswith("/") or text.startswith("@")


def _error_codes(args: tuple[Token, ...]) -> set[int]:
    """The statuses a ``handle_errors`` block serves: all of them without arguments, else each code or
    ``5xx`` class given."""
    if not args:
        return {502, 503, 504}
    out: set[int] = set()
    for a in args:
        t = a.text.lower()
        if t.isdigit():
            out.add(int(t))
        elif t == "5xx":
            out.update({502, 503, 504})
    return out
