"""How nginx picks the ``location`` that serves a request path
(https://nginx.org/en/docs/http/ngx_http_core_module.html#location): an exact ``=`` match; else the longest
matching prefix, final when it is ``^~``; else the first matching regular expression in configuration order;
else that longest prefix."""

from __future__ import annotations

import re
from collections.abc import Sequence

from dockernet.dialects.nginx.syntax import Directive
from dockernet.model import Route, Upstream


def _split_location(location: str | None) -> tuple[str, str]:
    """(modifier, pattern) of a ``location`` argument string: ``("=", "/x")``, ``("", "/api/")``."""
    if location is None:
        return "", "/"
    loc = location.strip()
    for mod in ("^~", "~*", "=", "~"):
        if loc.startswith(mod) and not loc.startswith("/"):
            return mod, loc[len(mod) :].strip()
    if loc.startswith("@"):
        return "@", loc
    return "", loc


def location_matches(location: str | None, path: str) -> bool:
    """True when a request for ``path`` can be handled by ``location`` (None: a server-level pass)."""
    mod, pattern = _split_location(location)
    if mod == "@":
        return False
    if mod == "=":
        return path == pattern
    if mod in ("~", "~*"):
        try:
            return re.search(pattern, path, re.IGNORECASE if mod == "~*" else 0) is not None
        except re.error:
            return False
    return path.startswith(pattern)


def select_route(routes: Sequence[Route], path: str) -> Route | None:
    """The route nginx picks for ``path`` among ``routes`` of one server, by its location rules:
    an exact ``=`` match; else the longest matching prefix, final when it is ``^~``; else the first
    matching regular expression in configuration order; else that longest prefix."""
    exact = [
        r for r in routes if _split_location(r.match.path)[0] == "=" and location_matches(r.match.path, path)
    ]
    if exact:
        return exact[0]
    prefixes = [
        r
        for r in routes
        if _split_location(r.match.path)[0] in ("", "^~") and location_matches(r.match.path, path)
    ]
    best = max(prefixes, key=lambda r: len(_split_location(r.match.path)[1]), default=None)
    if best is not None and _split_location(best.match.path)[0] == "^~":
        return best
    regexes = [r for r in routes if _split_location(r.match.path)[0] in ("~", "~*")]
    regexes.sort(key=lambda r: (r.match.loc.file, r.match.loc.line))
    for r in regexes:
        if location_matches(r.match.path, path):
            return r
    return best


def passed_path(location: Directive | None, forward: Upstream, path: str) -> str | None:
    """The path nginx sends upstream for a request ``path`` (decoded and normalised, as nginx keeps it)
    that ``location`` serves with the pass ``forward``; None when dockernet cannot tell (a rewrite other
    than ``rewrite REGEX REPLACEMENT break``, ``return``, ``if``, a URI part with variables).

    https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass: a static URI part replaces the
    part of the path that matched the location; a URI part with variables replaces the whole path; with
    no URI part the path is sent as it is, or as a ``rewrite ... break`` changed it (a URI part is then
    ignored). The request's arguments follow in every case, and are left out here.
    """
    uri = path
    rewritten = False
    for d in location.block or () if location is not None else ():
        if d.name in ("return", "if", "break"):
            return None
        if d.name != "rewrite":
            continue
        if len(d.args) != 3 or d.args[2] != "break" or "?" in d.args[1]:
            return None
        try:
            m = re.search(d.args[0], uri)
        except re.error:
            return None
        if m is not None:
            uri = _substitute(d.args[1], m)
            rewritten = True
            break
    if forward.variables:
        if forward.path is None:
            return uri
        return None if "$" in forward.path else forward.path
    if forward.path is None or rewritten:
        return uri
    mod, pattern = _split_location(" ".join(location.args) if location is not None else None)
    if mod not in ("", "^~", "="):
        return None
    return forward.path + uri[len(pattern) :]


def _substitute(replacement: str, m: re.Match[str]) -> str:
    """A rewrite's replacement with its captures ``$1``..``$9`` filled in (no other variables)."""
    return re.sub(
        r"\$(\d)",
        lambda g: m.group(int(g.group(1))) or "" if int(g.group(1)) <= (m.re.groups) else "",
        replacement,
    )
