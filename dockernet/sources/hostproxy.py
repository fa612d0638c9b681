"""Proxies that run on the Docker host itself, not in a container: ``--host-nginx PATH`` and
``--host-proxy KIND=PATH``.

A host proxy is a :class:`~dockernet.model.Service` of :data:`~dockernet.model.HOST_PROJECT` in the host's
network namespace (``network_mode: host``, on no Docker network), read by the same reader as a proxy in a
container (any kind of :data:`dockernet.dialects.DIALECTS`, by name: nothing here knows one kind from
another). Where its files are:

* ``check`` (a copy of the host's files, given on the command line): the given file goes where the reader
  says that proxy keeps it (nginx: ``/etc/nginx/nginx.conf`` for a whole configuration), and the directory
  of the given file stands for the directory of that place, so that ``include sites-enabled/*;`` reads the
  ``sites-enabled`` beside the given file, as it would on the host;
* ``scan`` on the engine's own host (:mod:`.hostfacts`): the host's own files, at their own paths.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Sequence

from dockernet.dialects import DIALECTS
from dockernet.dialects.base import NOT_REGULAR, NotRegularFileError
from dockernet.errors import InputError, UsageError
from dockernet.model import HOST_PROJECT, AnyProxy, Loc, NetworkMode, Service
from dockernet.sources.files import MAX_FILE, HostTree, read_regular

HOST_ORIGIN = "on the host"
"""The :attr:`~dockernet.model.Proxy.origin` prefix of every host proxy (``on the host (--host-nginx)``)."""


def parse(values: Sequence[str], nginx: Sequence[str] = ()) -> tuple[tuple[str, str], ...]:
    """(kind, path) pairs from ``--host-proxy KIND=PATH`` values and ``--host-nginx PATH`` values; a
    :class:`~dockernet.errors.UsageError` for a malformed value or a kind no reader reads."""
    out = [("nginx", path) for path in nginx]
    for value in values:
        kind, sep, path = value.partition("=")
        if not sep or not kind or not path:
            raise UsageError(f'--host-proxy takes KIND=PATH, got "{value}"')
        if kind not in DIALECTS:
            raise UsageError(f'--host-proxy {value}: no reader for "{kind}" (kinds: {", ".join(DIALECTS)})')
        out.append((kind, path))
    return tuple(out)


def host_service(kind: str, name: str, loc: Loc, command: tuple[str, ...] = ()) -> Service:
    """The service that stands for a proxy of ``kind`` running on the host."""
    return Service(
        project=HOST_PROJECT, name=name, loc=loc, network_mode=NetworkMode.HOST, command=command or (kind,)
    )


def names(kinds: Sequence[str]) -> list[str]:
    """A service name per host proxy: its kind (``nginx``), numbered when a kind comes twice."""
    out: list[str] = []
    for kind in kinds:
        n = sum(1 for k in kinds[: len(out)] if k == kind)
        out.append(kind if n == 0 else f"{kind}-{n + 1}")
    return out


def from_files(given: Sequence[tuple[str, str]]) -> tuple[tuple[Service, AnyProxy], ...]:
    """The host proxies given on the command line, each read from its file (:func:`parse`)."""
    out: list[tuple[Service, AnyProxy]] = []
    for (kind, path), name in zip(given, names([k for k, _ in given]), strict=True):
        dialect = DIALECTS[kind]
        option = "--host-nginx" if kind == "nginx" else f"--host-proxy {kind}=..."
        head = _head(path, option)
        full = os.path.abspath(path)
        service = host_service(kind, name, Loc(full, 1))
        located = dialect.locate(service)
        place = dialect.override_path(located, os.path.basename(full), head)
        tree = HostTree([(posixpath.dirname(place), os.path.dirname(full)), (place, full)])
        # A part of a configuration (an nginx server block) goes into the proxy's default main file, as
        # the readers do for a container's image; a whole one is final: nothing runs before the proxy.
        proxy = dialect.read(
            service, tree, located, f"{HOST_ORIGIN} ({option})", at_start=place != located.entry
        )
        out.append((service, proxy))
    return tuple(out)


def _head(path: str, option: str) -> bytes:
    try:
        return read_regular(path, MAX_FILE)[:MAX_FILE]
    except NotRegularFileError:
        raise InputError(path, f"{NOT_REGULAR} (given with {option})") from None
    except IsADirectoryError:
        raise InputError(path, f"is a directory (given with {option})") from None
    except OSError:
        raise InputError(path, f"no such file (given with {option})") from None
