"""Traefik's file provider: routers and servers from the dynamic configuration files it loads
(``providers.file.filename``, or every ``.yml``/``.yaml``/``.toml`` of ``providers.file.directory``;
https://doc.traefik.io/traefik/providers/file/). A server is ``http.services.<s>.loadBalancer.servers[].url``
(https://doc.traefik.io/traefik/routing/services/#servers): Traefik dials it with Go's resolver on each new
connection (t18b: the file loads with an unknown name, the request fails), so ``/etc/hosts`` counts.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from dockernet.dialects.base import ConfigTree
from dockernet.dialects.traefik import settings
from dockernet.dialects.traefik.facts import Router, error_statuses
from dockernet.dialects.traefik.settings import Settings
from dockernet.model import Loc, Lookup, Upstream

_URL = re.compile(
    r"^(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*)://(?P<host>\[[^\]]+\]|[^/:]*)(?::(?P<port>\d+))?(?P<path>/.*)?$"
)
_DEFAULT_PORTS = {"http": 80, "https": 443, "h2c": 80}


@dataclass
class Loaded:
    """The file provider's routers and servers, and the files read."""

    routers: list[Router] = field(default_factory=list)
    servers: dict[str, list[Upstream]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    unseen: list[str] = field(default_factory=list)
    """Container paths the provider loads that cannot be seen from here."""
    error_pages: set[int] = field(default_factory=set)
    """The gateway statuses (502-504) an ``errors`` middleware answers with a page."""


def read(paths: tuple[tuple[str, bool, Loc], ...], tree: ConfigTree, entrypoints: tuple[str, ...]) -> Loaded:
    """Every dynamic file's routers and servers."""
    out = Loaded()
    for path, is_dir, _ in paths:
        files = [path]
        if is_dir:
            listed = tree.glob(posixpath.join(path, "*"))
            if listed is None:
                out.unseen.append(path)
                continue
            files = [f for f in listed if f.lower().endswith((".yml", ".yaml", ".toml"))]
        for f in files:
            try:
                found = tree.read(f)
            except OSError:
                found = None
            if found is None:
                out.unseen.append(f)
                continue
            shown, data = found
            out.files.append(shown)
            _one(Settings(settings.from_file(f, shown, data), shown), entrypoints, out)
    return out


def _one(s: Settings, entrypoints: tuple[str, ...], out: Loaded) -> None:
    for mname in s.children("http.middlewares"):
        base = f"http.middlewares.{mname}.errors.status"
        listed = [s.get(f"{base}.{i}") for i in s.children(base)] or [s.get(base)]
        for value in listed:
            if value is not None:
                out.error_pages |= error_statuses(value.text)
    for rname in s.children("http.routers"):
        base = f"http.routers.{rname}"
        rule = s.get(f"{base}.rule")
        service = s.get(f"{base}.service")
        eps = [s.get(f"{base}.entrypoints.{i}") for i in range(len(s.children(f"{base}.entrypoints")))]
        named = rule or service
        loc = named.loc if named is not None else s.loc(base, Loc(s.source))
        target = service.text if service else ""
        out.routers.append(
            Router(
                name=f"{rname}@file",
                rule=rule.text if rule else "",
                service=target if "@" in target else f"{target}@file",
                entrypoints=tuple(e.text for e in eps if e) or entrypoints,
                loc=loc,
                service_loc=service.loc if service else loc,
            )
        )
    for sname in s.children("http.services"):
        base = f"http.services.{sname}.loadbalancer.servers"
        for i in s.children(base):
            url = s.get(f"{base}.{i}.url")
            if url is not None:
                out.servers.setdefault(f"{sname}@file", []).append(upstream(url.text, url.loc))


def upstream(url: str, loc: Loc) -> Upstream:
    """A server ``url``, looked up per connection."""
    m = _URL.match(url.strip())
    if m is None:
        return Upstream(raw=url, loc=loc, directive="url", lookup=Lookup.PER_CONNECTION)
    scheme = m.group("scheme").lower()
    port = m.group("port")
    return Upstream(
        raw=url,
        loc=loc,
        directive="url",
        protocol="https" if scheme == "https" else "http",
        scheme=scheme,
        host=m.group("host").strip("[]") or None,
        port=int(port) if port else _DEFAULT_PORTS.get(scheme),
        port_written=port is not None,
        path=m.group("path"),
        lookup=Lookup.PER_CONNECTION,
    )
