"""Caddy: the Caddyfile lexer (:mod:`.lexer`) and block structure (:mod:`.parse`), its routes
(:mod:`.routes`, :mod:`.upstream`), Caddy's native JSON (:mod:`.jsonconfig`) and where images keep the
file (:mod:`.locate`). docs/caddy-reader.md says what is read and how it is proven.

:data:`DIALECT` is the reader that the sources and the rules use.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from dockernet.dialects.base import ConfigTree, Located, Peers
from dockernet.dialects.caddy import jsonconfig, locate, parse, routes
from dockernet.dialects.caddy.upstream import Refusal
from dockernet.model import AnyProxy, Proxy, Route, Service, UnreadProxy, Upstream
from dockernet.model.findings import Fix

# Images whose Caddy is the stock build: it knows only the standard directives.
_STOCK = re.compile(r"^((docker\.io/)?(library/)?caddy|dockernet-test/caddy)([:@][^/]*)?$", re.IGNORECASE)
ADAPTED = "/dev/stdout/caddy-adapt.json"
"""The container path given to the output of ``caddy adapt`` (``scan --exec``)."""


@dataclass(frozen=True)
class Syntax:
    """What Caddy-only rules read besides the routes (:attr:`dockernet.model.Proxy.syntax`)."""

    sites: tuple[routes.Site, ...] = ()
    refusals: tuple[Refusal, ...] = ()
    """What Caddy refuses when it adapts the config: it does not start."""
    empty: tuple[routes.EmptyUpstreams, ...] = ()


class Caddy:
    """The Caddy reader (see :class:`dockernet.dialects.base.Dialect`)."""

    name = "caddy"
    title = "Caddy"
    override_option = "--caddy"
    error_page_fix = (
        "add a `handle_errors` block that answers 502 with a page of your own "
        "(https://caddyserver.com/docs/caddyfile/directives/handle_errors)"
    )
    image_dirs = frozenset({"/etc/caddy", "/srv", "/config", "/data"})
    files_optional = False
    down_status = 502
    dns_failure_status = 502

    def claims(self, service: Service) -> bool:
        """See :func:`.locate.claims`."""
        return locate.claims(service)

    def locate(self, service: Service) -> Located:
        """See :func:`.locate.locate`."""
        return locate.locate(service)

    def override_path(self, located: Located, file_name: str, head: bytes) -> str:
        """See :func:`.locate.override_path`."""
        return locate.override_path(located, file_name, head)

    def read(
        self,
        service: Service,
        tree: ConfigTree,
        located: Located,
        origin: str,
        *,
        at_start: bool,
        peers: Peers = Peers(),
    ) -> AnyProxy:
        """The routes of the Caddyfile (or JSON config) at ``located.entry``.

        ``{$NAME}`` placeholders take the service's environment whether the files come from compose input
        or from a running container: Caddy substitutes them each time it adapts the Caddyfile.
        """
        entry = located.entry
        found = tree.read(entry)
        if found is None:
            return UnreadProxy(service.key, self.name, origin, f"{entry} is not visible")
        display, data = found
        _, adapter = locate.options(service)
        if locate.is_json(entry, adapter) or _looks_json(data):
            found_routes, listens = jsonconfig.routes(display, data, service.key)
            return Proxy(
                service=service.key,
                dialect=self.name,
                origin=origin,
                entry=display,
                files=(display,),
                routes=tuple(found_routes),
                listens=tuple(listens),
                syntax=Syntax(),
            )
        env = {k: v for k, v in service.environment.items() if v is not None}
        loaded = parse.load(entry, tree, env)
        stock = bool(service.image and _STOCK.match(service.image)) and service.build is None
        result = routes.extract(loaded, service.key, env, standard=stock)
        return Proxy(
            service=service.key,
            dialect=self.name,
            origin=origin,
            entry=display,
            files=tuple(loaded.files.values()),
            routes=tuple(result.routes),
            listens=tuple(result.listens),
            error_pages=tuple(sorted(result.error_pages)),
            redact=tuple(result.redact.items()),
            syntax=Syntax(tuple(result.sites), tuple(result.refusals), tuple(result.empty)),
        )

    def dump_command(self, located: Located) -> tuple[str, ...]:
        """``caddy adapt`` prints the whole configuration as JSON, imports and ``{$NAME}`` resolved in the
        container itself (https://caddyserver.com/docs/command-line#caddy-adapt)."""
        return ("caddy", "adapt", "--config", located.entry)

    def parse_dump(self, stdout: bytes) -> dict[str, bytes]:
        """The adapted JSON, as one file."""
        return {ADAPTED: stdout} if stdout.strip().startswith(b"{") else {}

    def fix(self, proxy: Proxy, upstream: Upstream, host: str, port: int | None) -> Fix:
        """``reverse_proxy app:3000`` (scheme kept)."""
        if upstream.unix_path is not None:
            return Fix(f"{upstream.directive} {upstream.raw}")
        scheme = f"{upstream.scheme}://" if upstream.scheme else ""
        address = f"{host}:{port}" if port else host
        directive = upstream.directive if upstream.directive != "dial" else "reverse_proxy"
        return Fix(f"{directive} {scheme}{address}")

    def resolver_fix(self, proxy: Proxy, route: Route) -> Fix:
        """No resolver to configure: DNS is the system's, per connection (a hint in words)."""
        return Fix(f"{self.title} uses the system resolver: nothing to configure")

    def per_request_fix(
        self, proxy: Proxy, route: Route, upstream: Upstream, host: str, port: int | None, image: str | None
    ) -> Fix:
        """Caddy already looks names up on each new connection: nothing to change."""
        return Fix(f"nothing to change: Caddy looks {host} up on each new connection")


def _looks_json(data: bytes) -> bool:
    head = data.lstrip()
    if not head.startswith(b"{"):
        return False
    try:
        return isinstance(json.loads(data), dict)
    except ValueError:
        return False


DIALECT = Caddy()
