"""How nginx picks the ``location`` that serves a request path
(https://nginx.org/en/docs/http/ngx_http_core_module.html#location): an exact ``=`` match; else the longest
matching prefix, final when it is ``^~``; else the first matching regular expression in configuration order;
else that longest prefix."""

from __future__ import annotations

import re
from collections.abc import Sequence

from dockernet.model import Route


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
