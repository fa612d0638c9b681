"""What every proxy reader shares: the container-path view of a proxy's files (:class:`ConfigTree`), where
a proxy's configuration lives (:class:`Located`), and the interface of a reader (:class:`Dialect`).

A reader is pure: it gets a :class:`ConfigTree` (files on this machine seen through mounts and copies, or
files read out of a running container) and the service's facts, and gives a
:class:`~dockernet.model.Proxy` or an :class:`~dockernet.model.UnreadProxy`. The sources build the trees;
the same reader serves ``check`` (compose input) and ``scan`` (a live container).
"""

from __future__ import annotations

import fnmatch
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from dockernet.model import AnyProxy, Proxy, Route, Service, Upstream
from dockernet.model.findings import Fix

NOT_REGULAR = "not a regular file (a FIFO, a socket or a device)"
"""The message of every input error about a :class:`NotRegularFileError`."""


class NotRegularFileError(OSError):
    """The path is a FIFO, a socket or a device: dockernet reads regular files only (issue 15: a FIFO
    blocks ``open()`` for ever, ``/dev/zero`` never ends). ``filename`` is the path on this machine."""


class ConfigTree(Protocol):
    """The files a container sees, addressed by container path."""

    def read(self, container_path: str) -> tuple[str, bytes] | None:
        """(path to show on this machine, contents), or None when the path cannot be seen from here (it is
        inside the image). Raises OSError (FileNotFoundError, IsADirectoryError...) like open(2) when the
        path is visible but cannot be read, e.g. a missing file in a bind-mounted directory, and
        :class:`NotRegularFileError` for a FIFO or a device."""

    def glob(self, container_pattern: str) -> list[str] | None:
        """Container paths matching an absolute glob(3) pattern, sorted like glob(3) (byte order), or None
        when a directory the pattern lists cannot be seen from here. Raises OSError when the tree's budget
        of directory entries runs out."""


class OverlayTree:
    """A tree with some files laid over it: files the image writes at start (rendered templates) or ships
    (a default main config), which dockernet supplies because they are not on this machine."""

    def __init__(self, tree: ConfigTree, files: Mapping[str, tuple[str, bytes]]) -> None:
        self._tree = tree
        self._files = dict(files)

    def read(self, container_path: str) -> tuple[str, bytes] | None:
        """See :meth:`ConfigTree.read`; an overlaid file wins."""
        if container_path in self._files:
            return self._files[container_path]
        return self._tree.read(container_path)

    def glob(self, container_pattern: str) -> list[str] | None:
        """See :meth:`ConfigTree.glob`; overlaid files are listed too."""
        extra = sorted(p for p in self._files if fnmatch.fnmatchcase(p, container_pattern))
        found = self._tree.glob(container_pattern)
        if found is None and not extra:
            return None
        return sorted(set((found or []) + extra))


@dataclass(frozen=True)
class Peers:
    """What a proxy with a Docker provider (Traefik, caddy-docker-proxy, nginx-proxy) sees besides its own
    files: the other services (compose input: the projects checked together; live: the engine's
    containers), with the ports their images expose where that is known."""

    services: tuple[Service, ...] = ()
    exposed: Mapping[tuple[str, str], tuple[int, ...]] = field(default_factory=dict)
    """Ports from the ``EXPOSE`` of a service's image, by service key, when dockernet read its Dockerfile
    (a live container's ``expose`` already holds them)."""
    bases: Mapping[tuple[str, str], str] = field(default_factory=dict)
    """The image a service's Dockerfile builds ``FROM``, by service key, when dockernet read it (which
    nginx build runs, for its modules)."""


@dataclass(frozen=True)
class Located:
    """Where a proxy's configuration is, in its container."""

    entry: str
    """The main file (absolute container path)."""
    directory: str
    """The directory that holds it: a mount or copy at or under it makes the configuration visible, and
    it is the first thing read out of a container."""

    def covers(self, container_path: str) -> bool:
        """True when files put at ``container_path`` are part of the configuration."""
        base = self.directory.rstrip("/")
        return container_path in (self.entry, self.directory) or container_path.startswith(base + "/")


def command_words(argv: Iterable[str]) -> list[str]:
    """An entrypoint and command as words: an argument with a space (an ``sh -c`` script) is split as the
    shell would, one that does not split (an unclosed quote) is kept whole."""
    words: list[str] = []
    for arg in argv:
        try:
            words.extend(shlex.split(arg) if " " in arg else [arg])
        except ValueError:
            words.append(arg)
    return words


class Dialect(Protocol):
    """A reader of one proxy kind whose configuration is a tree of files (nginx, Caddy, HAProxy...)."""

    name: str
    """Key in :data:`dockernet.dialects.DIALECTS` and :attr:`Proxy.dialect`."""
    title: str
    """The proxy's name in messages."""

    @property
    def override_option(self) -> str | None:
        """The command-line option that points dockernet at a config by hand (``--nginx``); None for a
        proxy whose routes come only from the containers it serves (nginx-proxy): no file to point at."""

    error_page_fix: str
    """How to give users a page of your own when the proxy answers 502, for hints."""
    image_dirs: frozenset[str]
    """Directories that exist in the proxy's images, so that a Dockerfile ``COPY`` into them copies into
    the directory."""
    files_optional: bool
    """True when the proxy can be configured without any file (Traefik: flags and labels), so a service
    whose configuration directory nothing mounts is still read."""
    down_status: int
    """What the proxy answers when it cannot connect to an upstream: 502 for nginx, Traefik and Caddy, 503
    for HAProxy and Apache httpd (measured; each reader's page)."""
    dns_failure_status: int
    """What a request answers when its upstream's name does not resolve at request time: Apache httpd
    answers 500 (AH00898), the others what they answer for an upstream that is down."""

    def claims(self, service: Service) -> bool:
        """True when the service runs this proxy, by its image or its command (the sources also take a
        service whose mounts or copies reach :attr:`Located.directory`)."""

    def locate(self, service: Service) -> Located:
        """Where the service's configuration is (the command line can move it)."""

    def override_path(self, located: Located, file_name: str, head: bytes) -> str:
        """The container path where a file given with :attr:`override_option` belongs."""

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
        """The proxy's routes from ``tree`` (and, for a provider, from ``peers``). ``at_start`` is True for
        compose input: the files are what the image will see before its start scripts run (templates,
        defaults); False for a running container's files, which are final. Raises
        :class:`~dockernet.errors.InputError` where the proxy itself would refuse the configuration."""

    def dump_command(self, located: Located) -> tuple[str, ...] | None:
        """The command that makes the proxy print its whole configuration (``scan --exec``), if any."""

    def parse_dump(self, stdout: bytes) -> dict[str, bytes]:
        """The files of that dump, by container path."""

    def fix(self, proxy: Proxy, upstream: Upstream, host: str, port: int | None) -> Fix:
        """The line that names ``upstream``, rewritten to connect to ``host`` (and ``port``), for hints."""

    def resolver_fix(self, proxy: Proxy, route: Route) -> Fix:
        """How to give the route's per-request lookups Docker's embedded DNS, for hints."""

    def per_request_fix(
        self, proxy: Proxy, route: Route, upstream: Upstream, host: str, port: int | None, image: str | None
    ) -> Fix:
        """How to make the proxy look ``host`` up per request instead of once, without changing what it
        sends upstream (``image``: the proxy's image, whose version decides what it supports)."""
