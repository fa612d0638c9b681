"""Caddy's native JSON configuration (``caddy run --config caddy.json``, or what ``caddy adapt`` prints),
https://caddyserver.com/docs/json/apps/http/servers/: every ``reverse_proxy`` handler under
``apps.http.servers.*.routes`` (``subroute`` handlers included), with the server's ``listen`` addresses and
the ``host``/``path`` matchers above it. A ``dial`` is ``host:port`` or ``unix//path``, always with a port
once adapted. Lines are found by searching the file for the ``"dial"`` value (JSON has no line numbers).
"""

from __future__ import annotations

import json
from typing import Any

from dockernet.errors import InputError
from dockernet.model import Loc, Lookup, Match, Route, Upstream


def routes(display: str, data: bytes, key: tuple[str, str]) -> tuple[list[Route], list[int]]:
    """The routes and listen ports of a JSON config; InputError when it is not JSON (Caddy would not
    start)."""
    text = data.decode("utf-8", errors="replace")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(display, f"invalid JSON: {e.msg}", e.lineno) from None
    servers = (((doc or {}).get("apps") or {}).get("http") or {}).get("servers") or {}
    out: list[Route] = []
    listens: list[int] = []
    lines = text.splitlines()

    seen = {"at": 0}

    def line_of(needle: str) -> int:
        """The first line holding ``needle`` after the last handler found (handlers are walked in file
        order), else anywhere."""
        for start in (seen["at"], 0):
            for i in range(start, len(lines)):
                if needle in lines[i]:
                    if needle == '"reverse_proxy"':
                        seen["at"] = i + 1
                    return i + 1
        return 0

    for name, server in sorted(servers.items()) if isinstance(servers, dict) else ():
        entry = tuple(str(a) for a in server.get("listen") or ())
        for a in entry:
            port = a.rsplit(":", 1)[-1]
            if port.isdigit() and int(port) not in listens:
                listens.append(int(port))
        _walk(server.get("routes") or [], (), None, entry, out, display, key, line_of, name)
    return out, listens


def _walk(
    items: list[Any],
    hosts: tuple[str, ...],
    path: str | None,
    entry: tuple[str, ...],
    out: list[Route],
    display: str,
    key: tuple[str, str],
    line_of: Any,
    server: str,
) -> None:
    for route in items if isinstance(items, list) else ():
        if not isinstance(route, dict):
            continue
        h, p = hosts, path
        for m in route.get("match") or []:
            if isinstance(m, dict):
                h = tuple(m.get("host") or ()) or h
                p = (m.get("path") or [p])[0]
        for handler in route.get("handle") or []:
            if not isinstance(handler, dict):
                continue
            if handler.get("handler") == "subroute":
                _walk(handler.get("routes") or [], h, p, entry, out, display, key, line_of, server)
            elif handler.get("handler") == "reverse_proxy":
                out.append(_route(handler, h, p, entry, display, key, line_of, server))


def _route(
    handler: dict[str, Any],
    hosts: tuple[str, ...],
    path: str | None,
    entry: tuple[str, ...],
    display: str,
    key: tuple[str, str],
    line_of: Any,
    server: str,
) -> Route:
    transport = handler.get("transport") or {}
    protocol = "fastcgi" if transport.get("protocol") == "fastcgi" else "http"
    if "tls" in transport:
        protocol = "https"
    here = Loc(display, line_of('"reverse_proxy"'))
    ups: list[Upstream] = []
    for u in handler.get("upstreams") or []:
        dial = str((u or {}).get("dial", ""))
        loc = Loc(display, line_of(f'"{dial}"'))
        base = Upstream(raw=dial, loc=loc, directive="dial", protocol=protocol, lookup=Lookup.PER_CONNECTION)
        if dial.startswith("unix/"):
            ups.append(Upstream(**{**base.__dict__, "unix_path": "/" + dial.split("/", 1)[1].lstrip("/")}))
        elif "{" in dial:
            ups.append(Upstream(**{**base.__dict__, "dynamic": True}))
        else:
            host, _, port = dial.rpartition(":")
            written = port.isdigit()
            ups.append(
                Upstream(
                    **{
                        **base.__dict__,
                        "host": (host if written else dial).strip("[]") or None,
                        "port": int(port) if written else None,
                        "port_written": written,
                    }
                )
            )
    forward = ups[0] if ups else Upstream(raw="reverse_proxy", loc=here, directive="reverse_proxy")
    return Route(
        proxy=key,
        title=f"{server} {path}" if path else f"server {server}",
        match=Match(hosts=hosts, path=path, entry=entry, loc=here),
        forward=forward,
        upstreams=tuple(ups),
    )
