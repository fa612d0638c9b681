"""Which ``server`` and which ``location`` nginx picks for one request, read from the whole configuration
(``dockernet trace``), including the locations that pass nothing upstream.

* The server (https://nginx.org/en/docs/http/request_processing.html,
  https://nginx.org/en/docs/http/server_names.html): among the servers that listen on the port the request
  arrived at, the exact ``server_name``; else the longest wildcard starting with ``*``; else the longest
  wildcard ending with ``*``; else the first regular expression (``~``) in configuration order; else the
  ``default_server`` of that port, else the first server listening on it.
* The location (https://nginx.org/en/docs/http/ngx_http_core_module.html#location, and
  ``ngx_http_core_find_location()`` in src/http/ngx_http_core_module.c): an exact ``=`` match is final;
  else the longest matching prefix, whose own nested locations are searched next; ``^~`` on that prefix
  skips the regular expressions; else the first matching regular expression in configuration order; else
  that longest prefix.

The path is matched normalised as nginx does before it: ``%XX`` decoded, ``.`` and ``..`` resolved and
repeated slashes merged (``merge_slashes on``, the default).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote

from dockernet.dialects.nginx.syntax import Directive
from dockernet.model import Loc


@dataclass(frozen=True)
class Listen:
    """One ``listen`` of a server."""

    address: str | None
    """The bind address (None: every address)."""
    port: int
    default: bool
    """``default_server`` (or ``default``)."""


@dataclass(frozen=True)
class Picked:
    """The server and location nginx picks for a request, and why."""

    server: Directive | None
    """None when no ``server`` listens on the port."""
    server_why: str
    location: Directive | None
    """None when the server has no location the path matches (nginx then serves the server's own root)."""
    location_why: str
    loopback_only: bool = False
    """True when every matching ``listen`` binds a loopback address: a request from outside the container
    (a published port) reaches no socket."""

    @property
    def loc(self) -> Loc | None:
        """Where the picked location (else server) is written."""
        d = self.location or self.server
        return d.loc if d is not None else None


def listens(server: Directive) -> list[Listen]:
    """A server's ``listen`` addresses; ``*:80`` when it has none (nginx runs as root in the images)."""
    out: list[Listen] = []
    for d in server.block or ():
        if d.name != "listen" or not d.args or d.args[0].startswith("unix:"):
            continue
        addr, port = _address(d.args[0])
        out.append(Listen(addr, port, any(a in ("default_server", "default") for a in d.args[1:])))
    return out or [Listen(None, 80, False)]


def _address(arg: str) -> tuple[str | None, int]:
    if arg.isdigit():
        return None, int(arg)
    if arg.startswith("["):
        host, _, rest = arg[1:].partition("]")
        return (None if host == "::" else host), int(rest[1:]) if rest.startswith(":") else 80
    host, colon, port = arg.rpartition(":")
    if not colon:
        return (None if arg == "*" else arg), 80
    return (None if host in ("*", "0.0.0.0") else host), int(port) if port.isdigit() else 80


def servers(directives: Sequence[Directive]) -> list[Directive]:
    """Every ``http`` server, in configuration order (a ``conf.d`` file read alone counts as ``http``)."""
    if not any(d.name == "http" for d in directives):
        return [d for d in directives if d.name == "server" and d.block is not None]
    return [
        s
        for top in directives
        if top.name == "http" and top.block is not None
        for s in top.block
        if s.name == "server" and s.block is not None
    ]


def normalise(path: str) -> str:
    """The path as nginx matches it: decoded, dot segments resolved, slashes merged."""
    path = unquote(path.split("?", 1)[0].split("#", 1)[0]) or "/"
    out: list[str] = []
    for part in re.sub("/+", "/", path).split("/")[1:]:
        if part == "..":
            if out:
                out.pop()
        elif part != ".":
            out.append(part)
    merged = "/" + "/".join(out)
    if path.endswith(("/.", "/..")) and not merged.endswith("/"):
        merged += "/"
    return merged


def pick(directives: Sequence[Directive], port: int, host: str, path: str) -> Picked:
    """The server listening on ``port`` (the container port) for ``Host: host``, and its location for
    ``path``."""
    candidates = [(s, [ln for ln in listens(s) if ln.port == port]) for s in servers(directives)]
    candidates = [(s, lns) for s, lns in candidates if lns]
    if not candidates:
        return Picked(None, f"no server listens on port {port}", None, "")
    server, why = _server(candidates, host.lower().rstrip("."))
    reachable = [ln for s, lns in candidates if s is server for ln in lns]
    loopback = all(ln.address is not None and _is_loopback(ln.address) for ln in reachable)
    location, location_why = find_location(server.block or (), normalise(path))
    return Picked(server, why, location, location_why, loopback_only=loopback)


def _is_loopback(address: str) -> bool:
    return address.startswith("127.") or address in ("::1", "localhost")


def _server(candidates: list[tuple[Directive, list[Listen]]], host: str) -> tuple[Directive, str]:
    names = [
        (s, a.lower())
        for s, _ in candidates
        for d in s.block or ()
        if d.name == "server_name"
        for a in d.args
    ]
    for s, name in names:
        if name == host or (name.startswith(".") and host == name[1:]):
            return s, f"server_name {name} is the request's host"
    best: tuple[int, Directive, str] | None = None
    for s, name in names:
        suffix = name[1:] if name.startswith("*.") else name if name.startswith(".") else None
        if suffix is not None and host.endswith(suffix) and (best is None or len(suffix) > best[0]):
            best = (len(suffix), s, name)
    if best is None:
        for s, name in names:
            if name.endswith(".*") and host.startswith(name[:-1]) and (best is None or len(name) > best[0]):
                best = (len(name), s, name)
    if best is not None:
        return best[1], f"server_name {best[2]} is the longest wildcard matching the host"
    for s, name in names:
        if name.startswith("~") and _search(name[1:], host, re.IGNORECASE):
            return s, f"server_name {name} is the first regular expression matching the host"
    for s, lns in candidates:
        if any(ln.default for ln in lns):
            return s, f'no server_name matches "{host}": the default_server of the port answers'
    return candidates[0][0], f'no server_name matches "{host}": the first server on the port answers'


def _search(pattern: str, text: str, flags: int = 0) -> bool:
    # PCRE and Python agree on the patterns configs use; named groups are written (?<name>) in PCRE.
    try:
        return (
            re.search(
                pattern.replace("(?<", "(?P<").replace("(?P<=", "(?<=").replace("(?P<!", "(?<!"), text, flags
            )
            is not None
        )
    except re.error:
        return False


def _split(d: Directive) -> tuple[str, str]:
    args = d.args
    if len(args) >= 2 and args[0] in ("=", "^~", "~", "~*"):
        return args[0], args[1]
    arg = args[0] if args else ""
    for mod in ("^~", "~*", "=", "~"):
        if arg.startswith(mod) and len(arg) > len(mod):
            return mod, arg[len(mod) :]
    return ("@" if arg.startswith("@") else ""), arg


def find_location(block: Sequence[Directive], path: str) -> tuple[Directive | None, str]:
    """The location of ``block`` (a server's or a location's) that serves ``path``, and why."""
    found, why, _final = _find(block, path)
    return found, why


def _find(block: Sequence[Directive], path: str) -> tuple[Directive | None, str, bool]:
    locations = [d for d in block if d.name == "location" and d.block is not None and d.args]
    best: Directive | None = None
    best_len = -1
    for d in locations:
        mod, pattern = _split(d)
        if mod == "=" and path == pattern:
            return d, f"location = {pattern} matches the path exactly", True
        if mod in ("", "^~") and path.startswith(pattern) and len(pattern) > best_len:
            best, best_len = d, len(pattern)
    why = ""
    if best is not None:
        mod, pattern = _split(best)
        why = f"location {' '.join(best.args)} is the longest prefix matching the path"
        nested, nested_why, final = _find(best.block or (), path)
        if final:
            return nested, nested_why + f" (nested in location {' '.join(best.args)})", True
        if nested is not None:
            best, why = nested, nested_why + f" (nested in location {' '.join(best.args)})"
        if mod == "^~":
            return best, why + "; ^~ skips the regular expressions", True
    for d in locations:
        mod, pattern = _split(d)
        if mod in ("~", "~*") and _search(pattern, path, re.IGNORECASE if mod == "~*" else 0):
            inner, inner_why, _ = _find(d.block or (), path)
            if inner is not None:
                return inner, inner_why + f" (nested in location {' '.join(d.args)})", True
            return d, f"location {' '.join(d.args)} is the first regular expression matching the path", True
    if best is not None:
        return (
            best,
            why
            + (
                "; no regular expression matches"
                if any(_split(d)[0] in ("~", "~*") for d in locations)
                else ""
            ),
            False,
        )
    return None, "", False
