"""HAProxy: the haproxy.cfg language (:mod:`.parse`), its routes and servers (:mod:`.routes`), where images
keep the file (:mod:`.locate`) and its log lines (:mod:`.errorlog`). docs/haproxy-reader.md says what is read
and how it is proven against the real binary.

:data:`DIALECT` is the reader that the sources and the rules use.
"""

from __future__ import annotations

from dataclasses import dataclass

from dockernet.dialects.base import ConfigTree, Located, Peers
from dockernet.dialects.haproxy import locate, parse, routes
from dockernet.model import AnyProxy, Proxy, Route, Service, UnreadProxy, Upstream
from dockernet.model.findings import Fix

DOWN_STATUS = 503
"""What HAProxy answers when it cannot connect to any server of a backend (refused, unknown name, no server,
every server down): 503 Service Unavailable, after its retries. A server that answers something that is not
HTTP gives 502 (measured with 2.6.12, docs/haproxy-reader.md)."""


@dataclass(frozen=True)
class Syntax:
    """What HAProxy-only rules read besides the routes (:attr:`dockernet.model.Proxy.syntax`)."""

    refusals: tuple[routes.Refusal, ...] = ()
    no_server: tuple[routes.NoServer, ...] = ()
    portless: tuple[routes.PortLess, ...] = ()
    tolerant: frozenset[str] = frozenset()
    """Ids of the servers whose ``init-addr`` lets HAProxy start when their name does not resolve."""


class HAProxy:
    """The HAProxy reader (see :class:`dockernet.dialects.base.Dialect`)."""

    name = "haproxy"
    title = "HAProxy"
    override_option = "--haproxy"
    error_page_fix = (
        "add `errorfile 503 /usr/local/etc/haproxy/errors/503.http` (and 502) with a page of your own "
        "(https://docs.haproxy.org/2.6/configuration.html#4-errorfile)"
    )
    image_dirs = frozenset({"/usr/local/etc/haproxy", "/etc/haproxy"})
    files_optional = False
    down_status = DOWN_STATUS
    dns_failure_status = DOWN_STATUS
    """With ``init-addr ... none``, a server whose name does not resolve is disabled: 503, as when down."""

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
        """The routes of every ``-f`` file. Environment variables in the file take the service's
        environment: HAProxy expands them when it reads the file."""
        entries = locate.entries(service)
        if located.entry != entries[0]:
            entries = [located.entry]
        env = {k: v for k, v in service.environment.items() if v is not None}
        loaded = parse.load(entries, tree, env)
        if isinstance(loaded, str):
            return UnreadProxy(service.key, self.name, origin, loaded)
        result = routes.extract(loaded, service.key)
        files = tuple(loaded.files.values())
        return Proxy(
            service=service.key,
            dialect=self.name,
            origin=origin,
            entry=files[0] if files else located.entry,
            files=files,
            routes=tuple(result.routes),
            listens=tuple(result.listens),
            error_pages=tuple(sorted(result.error_pages)),
            redact=tuple(loaded.redact.items()),
            syntax=Syntax(
                tuple(result.refusals),
                tuple(result.no_server),
                tuple(result.portless),
                frozenset(result.tolerant),
            ),
        )

    def dump_command(self, located: Located) -> tuple[str, ...] | None:
        """HAProxy has no command that prints its whole configuration: the files are read out of the
        container instead."""
        return None

    def parse_dump(self, stdout: bytes) -> dict[str, bytes]:
        """No dump (see :meth:`dump_command`)."""
        return {}

    def fix(self, proxy: Proxy, upstream: Upstream, host: str, port: int | None) -> Fix:
        """``server NAME app:3000``, the server's other settings kept."""
        if upstream.unix_path is not None:
            return Fix(f"{upstream.directive} ... {upstream.raw}")
        address = f"{host}:{port}" if port else host
        return Fix(f"{upstream.directive} <name> {address} (in {upstream.defined_in or 'the backend'})")

    def resolver_fix(self, proxy: Proxy, route: Route) -> Fix:
        """A ``resolvers`` section with Docker's embedded DNS."""
        return Fix(
            "add `resolvers docker` with `nameserver dns 127.0.0.11:53` and name it on the server: "
            "`server app app:3000 resolvers docker init-addr last,libc,none`"
        )

    def per_request_fix(
        self, proxy: Proxy, route: Route, upstream: Upstream, host: str, port: int | None, image: str | None
    ) -> Fix:
        """Re-resolution with Docker's DNS, and a start that does not depend on the name."""
        address = f"{host}:{port}" if port else host
        return Fix(
            f"add `resolvers docker` (`nameserver dns 127.0.0.11:53`) and write "
            f"`{upstream.directive} <name> {address} resolvers docker init-addr last,libc,none`"
        )

    def startup_miss(self, proxy: Proxy, upstream: Upstream) -> str:
        """What a name that does not resolve at start does to this server."""
        syntax = proxy.syntax
        if isinstance(syntax, Syntax) and upstream.id in syntax.tolerant:
            return f"HAProxy starts with the server disabled and answers {DOWN_STATUS} to every request"
        return "HAProxy will refuse to start: could not resolve address"


DIALECT = HAProxy()
