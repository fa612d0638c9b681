"""Find the proxies among a project's services and read their configuration, with the readers of
:data:`dockernet.dialects.DIALECTS`.

A service is a proxy when a reader claims it (by its image or its command), or when its configuration
reaches the reader's configuration directory by one of the ways real projects use:

* a bind mount of a file or directory (into ``/etc/nginx/...``, or the path its command passes with ``-c``);
* a ``COPY``/``ADD`` in the Dockerfile of its ``build:`` context;
* ``--nginx SERVICE=PATH`` on the command line.

Container paths are mapped back to files on this machine through those mounts and copies, so that
``include /etc/nginx/conf.d/*.conf;`` reads the mounted conf.d. A service that runs a proxy whose config
cannot be seen is reported as unread (:class:`~dockernet.model.UnreadProxy`), never as an error.
:func:`claimant` is also how a live scan decides which containers are proxies.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import replace

from dockernet.dialects import DIALECTS, unread
from dockernet.dialects.base import NOT_REGULAR, Dialect, Located, NotRegularFileError, Peers
from dockernet.errors import InputError
from dockernet.model import AnyProxy, ImageFacts, NetworkMode, Project, Service, UnreadProxy
from dockernet.model.loc import relpath
from dockernet.sources import dockerfile
from dockernet.sources.files import MAX_FILE, HostTree, read_regular


def claimant(service: Service, paths: Sequence[str] = ()) -> tuple[Dialect, Located] | None:
    """The reader of the proxy a service runs, and where its configuration is: the first reader that
    claims the service by its image or command, else the first whose configuration directory one of
    ``paths`` (container paths of its mounts and copies) reaches; None when the service is no proxy."""
    for dialect in DIALECTS.values():
        if dialect.claims(service):
            return dialect, dialect.locate(service)
    for dialect in DIALECTS.values():
        located = dialect.locate(service)
        if any(located.covers(p) for p in paths):
            return dialect, located
    return None


def _mappings(service: Service, image: ImageFacts | None) -> list[tuple[str, str]]:
    """(container path, host path) pairs: Dockerfile copies first, bind mounts over them.

    A bind mount whose source does not exist here is left out: Docker would mount an empty directory that
    something else fills at run time (certbot, an init script), so its contents cannot be seen.
    """
    out: list[tuple[str, str]] = []
    if image is not None:
        out.extend(image.copies)
    out.extend(
        (m.target, m.source)
        for m in service.volumes
        if m.type == "bind" and m.source and os.path.exists(m.source)
    )
    return out


def find(
    project: Project,
    images: Mapping[tuple[str, str], ImageFacts],
    overrides: Mapping[str, tuple[str, str]],
    peers: Peers = Peers(),
) -> list[AnyProxy]:
    """The proxies among a project's services; ``overrides`` maps a service name to a reader and a config
    file given on the command line (``--nginx SERVICE=PATH``); ``peers`` is every service checked
    together, for proxies that take routes from other containers."""
    out: list[AnyProxy] = []
    for service in project.services.values():
        proxy = _find_one(service, images.get(service.key), overrides.get(service.name), peers)
        if proxy is not None:
            out.append(proxy)
    return out


def _find_one(
    service: Service, image: ImageFacts | None, given: tuple[str, str] | None, peers: Peers
) -> AnyProxy | None:
    mappings = _mappings(service, image)
    origin = ""
    if given is not None:
        reader, override = given
        dialect = DIALECTS[reader]
        option = f"--{reader}"  # as typed: the CLI names each option after its reader
        located = dialect.locate(service)
        try:
            head = read_regular(override, MAX_FILE)[:MAX_FILE]
        except NotRegularFileError:
            raise InputError(override, f"{NOT_REGULAR} (given with {option})") from None
        except IsADirectoryError:
            raise InputError(override, f"is a directory (given with {option})") from None
        except OSError:
            raise InputError(override, f"no such file (given with {option})") from None
        place = dialect.override_path(located, os.path.basename(override), head)
        mappings.append((place, os.path.abspath(override)))
        origin = option
    else:
        kind = unread.recognise(service, image.base if image is not None else None)
        if kind is not None:
            return kind.report(service, "image")
        found = None
        if image is not None and image.base:
            # ``build:`` with ``FROM nginxproxy/nginx-proxy``: a reader that needs no file claims it by
            # the image it is built from, before any file it copies claims it for another reader.
            based = replace(service, image=image.base)
            found = next(
                ((d, d.locate(based)) for d in DIALECTS.values() if d.files_optional and d.claims(based)),
                None,
            )
        found = found or claimant(service, [c for c, _ in mappings])
        if found is None:
            return None
        dialect, located = found
    visible = [c for c, _ in mappings if located.covers(c)]
    if not visible and dialect.files_optional:
        return dialect.read(
            service, HostTree(mappings), located, origin or "compose", at_start=True, peers=peers
        )
    if not visible:
        if service.network_mode is NetworkMode.NONE:
            return None
        missing = [
            m
            for m in service.volumes
            if m.type == "bind" and m.source_exists is False and located.covers(m.target)
        ]
        if missing:
            m = missing[0]
            reason = f"the source of its mount on {m.target} does not exist here: {relpath(m.source or '')}"
        else:
            where = f"inside the image {service.image}" if service.image else "inside the image it builds"
            reason = f"it is neither mounted nor copied in: {where}, or written at start"
        return UnreadProxy(service=service.key, dialect=dialect.name, origin="image", reason=reason)
    if not origin:
        from_copy = image is not None and any(c in dict(image.copies) for c in visible)
        origin = "Dockerfile COPY" if from_copy else "bind mount"
    return dialect.read(service, HostTree(mappings), located, origin, at_start=True, peers=peers)


def read_images(project: Project) -> list[ImageFacts]:
    """Dockerfile facts of every service with a ``build:`` section."""
    out: list[ImageFacts] = []
    for service in project.services.values():
        if service.build is not None:
            facts = dockerfile.read(service.key, service.build.dockerfile, service.build.context)
            if facts is not None:
                out.append(facts)
    return out
