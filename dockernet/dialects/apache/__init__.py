"""Apache httpd (mod_proxy): the configuration reader (:mod:`.parse`) and its routes. docs/apache-reader.md
says what is read and what was measured on Debian's apache2 2.4.71.

:data:`DIALECT` is the reader that the sources and the rules use.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from dockernet.dialects.apache import parse
from dockernet.dialects.base import ConfigTree, Located, Peers
from dockernet.model import AnyProxy, Proxy, Route, Service, UnreadProxy, Upstream
from dockernet.model.findings import Fix

_IMAGE = re.compile(r"(^|/)(httpd|apache2?)([:@][^/]*)?$", re.IGNORECASE)
_DEBIAN_IMAGE = re.compile(r"(^|/)apache2([:@][^/]*)?$|^dockernet-test/httpd([:@][^/]*)?$", re.IGNORECASE)
_PROGRAMS = {"apache2", "apache2ctl", "apachectl", "httpd-foreground"}


@dataclass(frozen=True)
class Syntax:
    """What Apache-only rules read besides the routes (:attr:`dockernet.model.Proxy.syntax`)."""

    refusals: tuple[parse.Refusal, ...] = ()
    """What makes httpd refuse the configuration: it does not start."""
    missing: tuple[parse.MissingModule, ...] = ()
    """Routes whose scheme needs a module that is not loaded: each request answers 500."""


class Apache:
    """The Apache httpd reader (see :class:`dockernet.dialects.base.Dialect`)."""

    name = "apache"
    title = "Apache httpd"
    override_option = "--apache"
    error_page_fix = (
        "add `ErrorDocument 502 /502.html` (and 503, 500) with a page of your own "
        "(https://httpd.apache.org/docs/2.4/mod/core.html#errordocument)"
    )
    image_dirs = frozenset(
        {"/usr/local/apache2/conf", "/etc/apache2", "/var/www/html", "/usr/local/apache2/htdocs"}
    )
    files_optional = False
    down_status = 503
    """What httpd answers when a connection is refused (AH00957, measured on 2.4.71)."""
    dns_failure_status = 500
    """What httpd answers when a name does not resolve (AH00898, measured on 2.4.71): not 502."""

    def claims(self, service: Service) -> bool:
        """By the image's repository name (``httpd``, ``apache2``, ``ubuntu/apache2``) or the command."""
        if service.image and _IMAGE.search(service.image):
            return True
        words = " ".join(service.entrypoint + service.command).split()
        return any(posixpath.basename(w) in _PROGRAMS for w in words[:1] + words[1:])

    def locate(self, service: Service) -> Located:
        """The official image: ``/usr/local/apache2/conf/httpd.conf``; Debian's package (``apache2``
        images, dockernet-test/httpd, a command running ``apache2``): ``/etc/apache2/apache2.conf``."""
        if self._debian(service):
            return Located(parse.DEBIAN_MAIN, "/etc/apache2")
        return Located(parse.OFFICIAL_MAIN, "/usr/local/apache2/conf")

    def _debian(self, service: Service) -> bool:
        if service.image and _DEBIAN_IMAGE.search(service.image):
            return True
        if service.image and _IMAGE.search(service.image):
            return False
        words = " ".join(service.entrypoint + service.command).split()
        return any(posixpath.basename(w) in ("apache2", "apache2ctl") for w in words)

    def override_path(self, located: Located, file_name: str, head: bytes) -> str:
        """``--apache SERVICE=FILE``: a ``<VirtualHost>`` file is a site, else the main file."""
        if b"<VirtualHost" in head and located.entry == parse.DEBIAN_MAIN:
            return f"/etc/apache2/sites-enabled/{posixpath.basename(file_name)}"
        return located.entry

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
        """The routes of the configuration tree at ``located.entry`` (image defaults where not visible)."""
        env = {k: v for k, v in service.environment.items() if v is not None}
        debian = located.entry == parse.DEBIAN_MAIN
        with_proxy = bool(service.image and service.image.startswith("dockernet-test/httpd"))
        fallback = parse.defaults(debian, with_proxy)
        try:
            result = parse.load(located.entry, tree, fallback, env, service.key)
        except parse.NotVisible as e:
            return UnreadProxy(service.key, self.name, origin, str(e))
        return Proxy(
            service=service.key,
            dialect=self.name,
            origin=origin,
            entry=result.entry,
            files=tuple(result.files),
            routes=tuple(result.routes),
            listens=tuple(result.listens),
            error_pages=tuple(sorted(result.error_pages)),
            syntax=Syntax(tuple(result.refusals), tuple(result.missing)),
        )

    def dump_command(self, located: Located) -> tuple[str, ...] | None:
        """httpd prints no whole configuration: the files are read out of the container."""
        return None

    def parse_dump(self, stdout: bytes) -> dict[str, bytes]:
        """No dump (see :meth:`dump_command`)."""
        return {}

    def fix(self, proxy: Proxy, upstream: Upstream, host: str, port: int | None) -> Fix:
        """``ProxyPass /app/ http://app:3000/`` (scheme and path kept)."""
        scheme = upstream.scheme or "http"
        address = f"{host}:{port}" if port else host
        path = upstream.path or ""
        unix = f"unix:{upstream.unix_path}|" if upstream.unix_path else ""
        return Fix(f"{unix}{scheme}://{address}{path} in {upstream.directive}")

    def resolver_fix(self, proxy: Proxy, route: Route) -> Fix:
        """No resolver to configure: httpd uses the system resolver."""
        return Fix(f"{self.title} uses the system resolver: nothing to configure")

    def per_request_fix(
        self, proxy: Proxy, route: Route, upstream: Upstream, host: str, port: int | None, image: str | None
    ) -> Fix:
        """httpd resolves when a worker first connects; ``disablereuse=On`` resolves on each connection."""
        return Fix(
            f"add `disablereuse=On` to the {upstream.directive} of {host}: httpd resolves it per connection"
        )


DIALECT = Apache()
