"""Caddy's upstream addresses (``reverse_proxy``, ``php_fastcgi``, ``to``), as Caddy 2.11 parses them
(``parseUpstreamDialAddress`` in ``modules/caddyhttp/reverseproxy/addresses.go``,
https://caddyserver.com/docs/caddyfile/directives/reverse_proxy#upstream-addresses), each fact checked with
``caddy adapt`` (docs/proxy-behaviour.md, tests/dialects/caddy/):

* ``[scheme://]host[:port]``: schemes ``http``, ``https``, ``h2c``; no port dials ``:80`` (``:443`` for
  ``https``): ``reverse_proxy app`` dials ``app:80`` (c13); a port range ``app:8000-8002`` is three upstreams;
* ``unix//path`` (and ``unix+h2c//path``) is a unix socket;
* Caddy refuses (it does not start; ``caddy run`` exits 1 without saying why, c11): a path or query after a
  scheme, ``ws://``/``wss://``, another scheme, two schemes in one directive, a placeholder with a scheme;
* a placeholder (``{http.request.host}``) is decided per request: dynamic; ``{env.NAME}`` is the
  container's environment, known here.

Caddy dials with Go's resolver on each new connection; it reads ``/etc/hosts`` before asking DNS
(https://pkg.go.dev/net#hdr-Name_Resolution), so names are :attr:`Lookup.PER_CONNECTION`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from dockernet.dialects.caddy.lexer import Token
from dockernet.model import Loc, Lookup, Upstream

_SCHEMES = {"http": "http", "https": "https", "h2c": "http"}
_DEFAULT_PORT = {"https": 443}
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_HOST_PORT = re.compile(r"^(\[[^\]]*\]|[^:\[\]]*)(?::(\d+)(?:-(\d+))?)?$")
MAX_RANGE = 64
"""Most upstreams a port range expands to here (Caddy has no limit; the rest are left out)."""


@dataclass(frozen=True)
class Refusal:
    """An address Caddy refuses when it adapts the config: it does not start."""

    loc: Loc
    written: str
    reason: str
    """Caddy's own words (``caddy adapt``)."""
    route: str | None = None
    """The id of the route it is in, if any."""


def parse(
    tok: Token,
    loc: Loc,
    directive: str,
    protocol: str,
    env: Mapping[str, str | None],
) -> list[Upstream] | Refusal:
    """The upstreams one address token stands for, or Caddy's refusal."""
    text, shown = tok.text, tok.shown

    def refuse(reason: str) -> Refusal:
        return Refusal(loc, shown, f"parsing upstream '{shown}': {reason}")

    base = Upstream(raw=shown, loc=loc, directive=directive, protocol=protocol, lookup=Lookup.PER_CONNECTION)
    if text.startswith("unix//") or text.startswith("unix+h2c//"):
        path = text.split("//", 1)[1]
        return [Upstream(**{**base.__dict__, "unix_path": "/" + path.lstrip("/"), "host": None})]
    scheme = None
    rest = text
    if "://" in text:
        scheme, rest = text.split("://", 1)
        if _PLACEHOLDER.search(text):
            return refuse(
                "due to parsing difficulties, placeholders are not allowed when an upstream address "
                "contains a scheme"
            )
        if scheme in ("ws", "wss"):
            use = "https" if scheme == "wss" else "http"
            return refuse(f"the scheme {scheme}:// is only supported in browsers; use {use}:// instead")
        if scheme not in _SCHEMES:
            return refuse(f"unsupported URL scheme {scheme}://")
        if any(c in rest for c in "/?#"):
            return refuse("for now, URLs for proxy upstreams only support scheme, host, and port components")
    variables = tuple(m.group(1) for m in _PLACEHOLDER.finditer(rest))
    if variables:
        value = _env_value(rest, env)
        if value is None:
            return [Upstream(**{**base.__dict__, "variables": variables, "dynamic": True})]
        rest = value
    proto = "https" if scheme == "https" else protocol
    default = _DEFAULT_PORT.get(scheme or "", 80)
    m = _HOST_PORT.match(rest)
    if m is None:
        # Caddy takes the whole text as a host name (``app:3000/api`` dials ``app:3000/api:80``): it fails
        # per request.
        host, first, last = rest, None, None
    else:
        host, first, last = m.group(1), m.group(2), m.group(3)
    host = host[1:-1] if host.startswith("[") else host
    ports = [default] if first is None else list(range(int(first), int(last or first) + 1))[:MAX_RANGE]
    out = [
        Upstream(
            **{
                **base.__dict__,
                "protocol": proto,
                "scheme": scheme,
                "host": host or None,
                "port": p,
                "port_written": first is not None,
                "variables": variables,
            }
        )
        for p in ports
    ]
    return out


def _env_value(text: str, env: Mapping[str, str | None]) -> str | None:
    """``text`` with its ``{env.NAME}`` placeholders replaced; None when another placeholder, or an unset
    variable, leaves it to be decided per request."""
    missing = False

    def sub(m: re.Match[str]) -> str:
        nonlocal missing
        name = m.group(1)
        value = env.get(name[4:]) if name.startswith("env.") else None
        if value is None:
            missing = True
            return ""
        return value

    out = _PLACEHOLDER.sub(sub, text)
    return None if missing else out


def scheme_of(tok: Token) -> str:
    """The transport scheme a token asks for."""
    text = tok.text
    if text.startswith("unix+h2c//"):
        return "h2c"
    if text.startswith("unix//") or "://" not in text:
        return ""
    return text.split("://", 1)[0]


def mixed_scheme(tokens: list[tuple[Token, Loc]]) -> Refusal | None:
    """Caddy's "all proxy upstreams must use the same scheme": once an address has a scheme, every later
    one must have the same (an address without one before it is fine)."""
    common = ""
    for tok, loc in tokens:
        scheme = scheme_of(tok)
        if common and scheme != common:
            return Refusal(
                loc,
                tok.shown,
                f"parsing upstream '{tok.shown}': for now, all proxy upstreams must use the same scheme "
                f"(transport protocol); expecting '{common}://' but got '{scheme}://'",
            )
        common = scheme or common
    return None
