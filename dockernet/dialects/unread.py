"""Proxies dockernet recognises but does not read: a service that runs one of them is reported as
unread (DN305, with the reason and what would help), never passed in silence as "0 routes checked".

A kind is recognised by the repository name of the service's image (the part after the last ``/``,
without tag or digest) or by the program its command runs. A kind with a reader of its own in
:data:`dockernet.dialects.DIALECTS` is left to that reader. The kinds that are nginx underneath but write
their configuration at start (a separate docker-gen, Nginx Proxy Manager) are recognised before the nginx
reader claims them: the files that reader would see are not the ones that route.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from dockernet.dialects import DIALECTS
from dockernet.dialects.base import command_words
from dockernet.model import Service, UnreadProxy


@dataclass(frozen=True)
class Kind:
    """A proxy kind that has no reader."""

    name: str
    """The kind's key (:attr:`dockernet.model.UnreadProxy.dialect`)."""
    title: str
    """Its name in messages."""
    images: re.Pattern[str]
    """Matches the image's repository name."""
    programs: frozenset[str]
    """Program names that run it, in a command (never ``httpd``: busybox has one too)."""
    reason: str
    """Why its routes are not read."""
    hint: str
    """What the user can do; ``{service}`` is replaced by the service's name."""

    def report(self, service: Service, origin: str) -> UnreadProxy:
        """The service as an unread proxy of this kind."""
        return UnreadProxy(service=service.key, dialect=self.name, origin=origin, reason=self.reason)


def _kind(name: str, title: str, images: str, programs: str, reason: str, hint: str) -> Kind:
    return Kind(name, title, re.compile(images, re.IGNORECASE), frozenset(programs.split()), reason, hint)


_NO_READER = "dockernet has no {title} reader yet"
_BY_HAND = "check its routes by hand; if {service} is no proxy, ignore it with `# dockernet: ignore[DN305]`"

KINDS: tuple[Kind, ...] = (
    _kind(
        "docker-gen",
        "docker-gen",
        r"^docker-gen$",
        "docker-gen",
        "it writes a configuration from its own template and the other containers (nginx-proxy's "
        "separate-container setup); dockernet reads nginx-proxy's own image only",
        "read the generated file out of the running container: `dockernet scan`, or "
        "`docker compose exec {service} cat /etc/nginx/conf.d/default.conf > generated.conf` and "
        "`--nginx {service}=generated.conf`",
    ),
    _kind(
        "nginx-proxy-manager",
        "Nginx Proxy Manager",
        r"^nginx-proxy-manager$",
        "",
        "it writes its nginx configuration from its own database, at run time",
        "read it out of the running container: `dockernet scan`",
    ),
    _kind(
        "traefik",
        "Traefik",
        r"^traefik$",
        "traefik",
        _NO_READER.format(title="Traefik"),
        _BY_HAND,
    ),
    _kind("caddy", "Caddy", r"^caddy$", "caddy", _NO_READER.format(title="Caddy"), _BY_HAND),
    _kind(
        "caddy-docker-proxy",
        "caddy-docker-proxy",
        r"^caddy-docker-proxy$",
        "",
        "it writes its Caddyfile from the `caddy.*` labels of the other containers",
        _BY_HAND,
    ),
    _kind(
        "caddy-gen",
        "caddy-gen",
        r"^caddy-gen$",
        "",
        "it writes its Caddyfile at start from the `virtual.*` labels of the other containers",
        _BY_HAND,
    ),
    _kind("envoy", "Envoy", r"^envoy(-[a-z]+)?$", "envoy", _NO_READER.format(title="Envoy"), _BY_HAND),
    _kind("varnish", "Varnish", r"^varnish$", "varnishd", _NO_READER.format(title="Varnish"), _BY_HAND),
    _kind("kong", "Kong", r"^kong$", "", _NO_READER.format(title="Kong"), _BY_HAND),
)
"""The recognised kinds, tried in this order."""

_REPOSITORY = re.compile(r"(?:^|/)([^/:@]+)(?:[:@][^/]*)?$")


def recognise(service: Service, base: str | None = None) -> Kind | None:
    """The kind of proxy the service runs, by its image's repository name (or that of ``base``, the image
    its Dockerfile builds from) or its command's program; None for a kind that has a reader
    (:data:`DIALECTS`) and for a service that runs no proxy."""
    return _recognise(service.image, base, (*service.entrypoint, *service.command))


@functools.lru_cache(maxsize=1024)
def _recognise(image: str | None, base: str | None, argv: tuple[str, ...]) -> Kind | None:
    # Cached: a big project runs a few images many times.
    names = {m.group(1) for i in (image, base) if i and (m := _REPOSITORY.search(i))}
    programs = _programs(argv)
    for kind in KINDS:
        if kind.name in DIALECTS:
            continue
        if any(kind.images.search(name) for name in names) or kind.programs & programs:
            return kind
    return None


def _programs(argv: tuple[str, ...]) -> set[str]:
    """The base names of the first word of the entrypoint and command, and of each word after a shell
    separator in ``sh -c`` scripts."""
    words = command_words(argv)
    out: set[str] = set()
    first = True
    for word in words:
        if first:
            out.add(word.rsplit("/", 1)[-1])
        first = word in ("&&", ";", "||", "|", "exec", "-c", "sh", "/bin/sh", "bash")
    return out
