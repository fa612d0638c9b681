"""nginx: its configuration syntax (:mod:`.syntax`), its routes (:mod:`.routes`), where images keep its
files (:mod:`.locate`), hints in its syntax (:mod:`.fix`) and its error log (:mod:`.errorlog`).

:data:`DIALECT` is the reader that the sources and the rules use.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, replace

from dockernet.dialects.base import ConfigTree, Located, OverlayTree, Peers
from dockernet.dialects.nginx import directives, dump, fix, locate, routes, syntax, validate
from dockernet.errors import InputError
from dockernet.model import AnyProxy, Loc, Proxy, Route, Service, UnreadProxy, Upstream
from dockernet.model.findings import Fix
from dockernet.model.loc import relpath


@dataclass(frozen=True)
class Syntax:
    """What nginx-only rules read besides the routes (:attr:`dockernet.model.Proxy.syntax`)."""

    directives: tuple[syntax.Directive, ...]
    """The whole configuration, includes expanded."""
    rewrite_break: frozenset[str] = frozenset()
    """Ids of the routes whose location rewrites the URI with ``rewrite ... break`` before the pass."""
    refusal: validate.Refusal | None = None
    """Why nginx will refuse to start with this configuration (its first error), if it will: a syntax or
    include error (then :attr:`directives` is empty), or what :func:`.validate.first_refusal` finds."""
    checked_with: str = ""
    """The directive table :attr:`refusal` was looked for with (:mod:`.directives`); empty when the
    image's modules are unknown and only the syntax and includes were checked."""


def _visible(tree: ConfigTree, entry: str) -> bool | None:
    """None when the main file is not visible from here; True when it is, even when it cannot be read
    (a missing file in a mounted directory, a symlink loop): :func:`syntax.load` says why, as nginx does."""
    try:
        return None if tree.read(entry) is None else True
    except OSError:
        return True


class Nginx:
    """The nginx reader (see :class:`dockernet.dialects.base.Dialect`)."""

    name = "nginx"
    title = "nginx"
    override_option = "--nginx"
    error_page_fix = "add `error_page 502 503 504 /50x.html;` with a location that serves it"
    image_dirs = frozenset(
        {"/etc/nginx", "/etc/nginx/conf.d", "/etc/nginx/sites-enabled", "/etc/nginx/templates"}
    )
    """Directories that exist in nginx images: ``COPY x.conf /etc/nginx/conf.d`` copies into them."""
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
        """The configuration from its main file, includes expanded, and its routes.

        For compose input (``at_start``) the official image's start-up is applied first: templates are
        rendered with the service's environment, and the image's own ``nginx.conf`` stands in when none is
        mounted; ``$NAME`` values that nginx does not define come from the environment, as configs written
        for ``envsubst`` expect. A running container's files are final, so neither is done for them.
        """
        entry = located.entry
        environment = service.environment if at_start else {}
        if at_start:
            rendered = locate.render_templates(service, tree)
            if rendered and origin == "bind mount":
                origin = "template"
            tree = OverlayTree(tree, rendered)
            if _visible(tree, entry) is None:
                if entry != locate.MAIN:
                    return UnreadProxy(service.key, self.name, origin, f"{entry} (nginx -c) is not visible")
                default = (f"<{service.image or 'image'}>{locate.MAIN}", locate.IMAGE_MAIN)
                tree = OverlayTree(tree, {**rendered, locate.MAIN: default})
        if _visible(tree, entry) is None:
            reason = f"{entry} could not be read from the container"
            return UnreadProxy(service.key, self.name, origin, reason)
        try:
            found = tree.read(entry)
        except OSError:
            found = None  # load() says why, as nginx would: no nginx.conf in a mounted directory, a loop
        shown = found[0] if found is not None else entry
        try:
            conf = syntax.load(entry, tree)
        except InputError as e:
            if syntax.own_limit(e):
                raise
            # nginx refuses it: a finding (DN401), and the other proxies and projects are still checked.
            refused = validate.Refusal(e.message, Loc(e.file, e.line))
            return Proxy(
                service=service.key,
                dialect=self.name,
                origin=origin,
                entry=shown,
                files=(shown,),
                syntax=Syntax((), refusal=refused),
            )
        assert found is not None  # load() read it just now
        # A service built from a Dockerfile runs its FROM image's nginx (plus what it copies in).
        base = peers.bases.get(service.key)
        profile = directives.profile_for(base if service.build is not None and base else service.image)
        refusal = None
        if profile is not None:
            absent = _absent_includes(conf, profile, service)
            refusal = validate.first_refusal(
                conf.directives,
                profile,
                entry=found[0],
                absent_includes=absent,
                command_line=_command_line(service) if at_start else (),
            )
        result = routes.extract(conf.directives, service.key, environment=environment)
        hidden = [
            u
            for u in conf.unseen_includes
            if posixpath.basename(u.path) not in locate.IMAGE_FILES and not u.loc.file.startswith("<")
        ]  # (an include in the image's own nginx.conf, which dockernet stands in for, is the image's)
        if not result.routes and hidden and refusal is None:
            # The routes are in files nginx will read and dockernet cannot: not "0 routes, all fine".
            first = hidden[0]
            reason = (
                f"no route in the files it can see; {first.path} (included at {relpath(first.loc.file)}:"
                f"{first.loc.line}) is inside the image or written at start"
            )
            return UnreadProxy(service.key, self.name, origin, reason)
        return Proxy(
            service=service.key,
            dialect=self.name,
            origin=origin,
            entry=found[0],
            files=conf.files,
            routes=result.routes,
            listens=result.listens,
            error_pages=result.error_pages,
            syntax=Syntax(
                conf.directives,
                result.rewrite_break,
                refusal,
                profile.name if profile is not None else "",
            ),
        )

    def dump_command(self, located: Located) -> tuple[str, ...]:
        """See :func:`.dump.command`."""
        return dump.command(located)

    def parse_dump(self, stdout: bytes) -> dict[str, bytes]:
        """See :func:`.dump.parse_dump`."""
        return dump.parse_dump(stdout)

    def fix(self, proxy: Proxy, upstream: Upstream, host: str, port: int | None) -> Fix:
        """See :func:`.fix.fix`."""
        return fix.fix(_directives(proxy), upstream, host, port)

    def resolver_fix(self, proxy: Proxy, route: Route) -> Fix:
        """See :func:`.fix.resolver_fix`."""
        return fix.resolver_fix(_directives(proxy), route)

    def per_request_fix(
        self, proxy: Proxy, route: Route, upstream: Upstream, host: str, port: int | None, image: str | None
    ) -> Fix:
        """See :func:`.fix.per_request_fix`."""
        return fix.per_request_fix(_directives(proxy), proxy.routes, route, upstream, host, port, image)


def _directives(proxy: Proxy) -> tuple[syntax.Directive, ...]:
    return proxy.syntax.directives if isinstance(proxy.syntax, Syntax) else ()


def _command_line(service: Service) -> tuple[syntax.Directive, ...]:
    """The directives of ``nginx -g`` the container starts with, placed at the service in the compose
    file (nginx says "in command line"); none when they do not parse."""
    text = locate.global_directives(service)
    if not text:
        return ()
    try:
        parsed = syntax.parse_text(text, service.loc.file)
    except InputError:
        return ()
    return tuple(replace(d, loc=service.loc, end_line=service.loc.line) for d in parsed)


def _absent_includes(
    conf: syntax.NginxConfig, profile: directives.Profile, service: Service
) -> dict[tuple[str, int], str]:
    """Includes of a single file in /etc/nginx that the image does not have and that nothing mounted or
    copied can provide: nginx fails to open them. Elsewhere (a certbot volume...) a file may be made at run
    time, and a glob may match nothing."""
    out = {}
    for unseen in conf.unseen_includes:
        path = unseen.path
        if re.search(r"[*?[]", path) or not path.startswith("/etc/nginx/"):
            continue
        if path.removeprefix("/etc/nginx/") in profile.image_files:
            continue
        if any(path == m.target or path.startswith(m.target.rstrip("/") + "/") for m in service.volumes):
            continue
        out[(unseen.loc.file, unseen.loc.line)] = path
    return out


DIALECT = Nginx()
