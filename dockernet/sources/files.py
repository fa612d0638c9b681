"""A container's view of files on this machine: bind mounts and Dockerfile copies map container paths to
host paths, so that a proxy config and everything it includes is read where the container will see it.

:class:`HostTree` is a :class:`~dockernet.dialects.base.ConfigTree`; glob patterns follow glob(3) (sorted in
byte order, ``*``, ``?``, ``[...]`` with POSIX classes), as nginx's ``include`` uses them.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from dockernet.dialects.base import NotRegularFileError

MAX_FILE = 5 * 1024 * 1024
"""Largest file read (bytes); real proxy configs are a few KB, nginx's mime.types is 5 KB."""

MAX_GLOB_ENTRIES = 20_000
"""Directory entries the globs of one tree may look at, together: ``include /etc/nginx/root/*/*/*/*/*.conf``
with ``/`` mounted on ``/etc/nginx/root`` walked the whole machine (issue 15)."""


def read_regular(path: str, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of a regular file (one more than allowed, so that the caller can say it
    is too large). Raises OSError: IsADirectoryError for a directory, :class:`NotRegularFileError` for
    anything else that is not a regular file.

    A pull request controls the paths: a FIFO would block ``open()`` for ever and ``/dev/zero`` never ends.
    The file is opened without blocking (``O_NONBLOCK`` makes ``open()`` of a FIFO return at once) and checked
    with ``fstat`` on the open descriptor, so that nothing can be swapped in between the check and the read.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
        if not stat.S_ISREG(mode):
            raise NotRegularFileError(errno.EINVAL, "not a regular file", path)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read(limit + 1)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class _Mount:
    target: str
    source: str
    is_dir: bool


def _clean_abs(path: str) -> str:
    parts = [p for p in path.split("/") if p not in ("", ".")]
    out: list[str] = []
    for p in parts:
        if p == "..":
            if out:
                out.pop()
        else:
            out.append(p)
    return "/" + "/".join(out)


class HostTree:
    """Container paths mapped to this machine like bind mounts: the longest container prefix wins, a
    mapped file maps only itself, and paths under no mapping are invisible (inside the image).

    Symbolic links inside mapped directories are followed in container space (an absolute link target is
    a container path, as it is for nginx), never into this machine's own files.
    """

    def __init__(self, mappings: Sequence[tuple[str, str]]) -> None:
        by_target: dict[str, _Mount] = {}
        for target, source in mappings:
            if not target.startswith("/"):
                continue  # compose rejects relative targets; nothing inside a container can reach them
            host = os.path.realpath(source)  # the engine resolves the source on the host at mount time
            by_target[_clean_abs(target)] = _Mount(_clean_abs(target), host, os.path.isdir(host))
        self._mounts = sorted(by_target.values(), key=lambda m: len(m.target), reverse=True)
        self._glob_budget = MAX_GLOB_ENTRIES

    # -- path plumbing

    def _mount_for(self, cpath: str) -> _Mount | None:
        for m in self._mounts:
            if m.target == "/" or cpath == m.target or cpath.startswith(m.target + "/"):
                return m
        return None

    def _host_of(self, cpath: str) -> str | None:
        m = self._mount_for(cpath)
        if m is None:
            return None
        rest = cpath[len(m.target) :] if m.target != "/" else cpath
        return m.source + rest if rest else m.source

    def _resolve(self, cpath: str) -> str:
        """The container path with ``.``, ``..`` and symlinks of mapped directories resolved (ELOOP after 40
        links, as Linux)."""
        todo = [p for p in reversed(cpath.split("/"))]
        done: list[str] = []
        hops = 0
        while todo:
            part = todo.pop()
            if part in ("", "."):
                continue
            if part == "..":
                if done:
                    done.pop()
                continue
            done.append(part)
            here = "/" + "/".join(done)
            m = self._mount_for(here)
            if m is None or here == m.target:
                continue
            host = self._host_of(here)
            if host is not None and os.path.islink(host):
                hops += 1
                if hops > 40:
                    raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), host)
                link = os.readlink(host)
                done.pop()
                if link.startswith("/"):
                    done = []
                todo.extend(reversed(link.split("/")))
        return "/" + "/".join(done)

    def _is_mount_ancestor(self, cpath: str) -> bool:
        return any(m.target.startswith(cpath.rstrip("/") + "/") for m in self._mounts)

    def host_path(self, container_path: str) -> str | None:
        """The path on this machine that a container path maps to, if any."""
        try:
            return self._host_of(self._resolve(container_path))
        except OSError:
            return None

    # -- ConfigTree

    def read(self, container_path: str) -> tuple[str, bytes] | None:
        """See :meth:`ConfigTree.read`. Reads at most ``MAX_FILE + 1`` bytes."""
        resolved = self._resolve(container_path)
        m = self._mount_for(resolved)
        if m is None:
            return None
        if not m.is_dir and resolved != m.target:
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), container_path)
        host = self._host_of(resolved)
        assert host is not None
        if os.path.isdir(host):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), container_path)
        return host, read_regular(host, MAX_FILE)

    def _exists(self, cpath: str, want_dir: bool) -> bool:
        try:
            resolved = self._resolve(cpath)
        except OSError:
            return False
        if self._is_mount_ancestor(resolved):
            return True  # mount points and their parents exist in the container
        host = self._host_of(resolved)
        if host is None:
            return False
        return os.path.isdir(host) if want_dir else os.path.exists(host)

    def _listdir(self, cdir: str) -> tuple[set[str], bool]:
        """Names in a container directory, and whether any of it is visible."""
        try:
            resolved = self._resolve(cdir)
        except OSError:
            return set(), False
        names: set[str] = set()
        visible = False
        m = self._mount_for(resolved)
        if m is not None and m.is_dir:
            visible = True
            host = self._host_of(resolved)
            if host is not None and os.path.isdir(host):
                with contextlib.suppress(OSError):  # unreadable: as good as empty
                    names.update(os.listdir(host))
        prefix = resolved.rstrip("/") + "/"
        for other in self._mounts:
            if other.target.startswith(prefix) and (m is None or len(other.target) > len(m.target)):
                names.add(other.target[len(prefix) :].split("/", 1)[0])
                visible = True  # a mount point inside an image directory: partly visible
        return names, visible

    def glob(self, container_pattern: str) -> list[str] | None:
        """See :meth:`ConfigTree.glob`. A directory of the image with single files mounted into it lists
        only those files."""
        if not container_pattern.startswith("/"):
            return None
        parts = [p for p in container_pattern.split("/") if p]
        found = [""]
        listed = False  # the candidates are directory entries (which exist, even as dangling links)
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if not _has_magic(part):
                literal = _glob_unescape(part)
                found = [f"{d}/{literal}" for d in found]
                listed = False
                continue
            match = _glob_matcher(part)
            nxt: list[str] = []
            for d in found:
                names, visible = self._listdir(d or "/")
                if not visible:
                    return None
                self._glob_budget -= len(names)
                if self._glob_budget < 0:
                    message = f"globs list more than {MAX_GLOB_ENTRIES} directory entries"
                    raise OSError(errno.E2BIG, message, container_pattern)
                for name in names:
                    path = f"{d}/{name}"
                    if match(name) and (last or self._exists(path, want_dir=True)):
                        nxt.append(path)
            found = nxt
            listed = True
        out = found if listed else [p for p in found if self._exists(p, want_dir=False)]
        return sorted(out, key=lambda p: p.encode("utf-8", errors="surrogateescape"))


def _has_magic(part: str) -> bool:
    return any(c in part for c in "*?[")


def _glob_unescape(part: str) -> str:
    return re.sub(r"\\(.)", r"\1", part, flags=re.S)


_POSIX_CLASSES = {
    "alpha": "a-zA-Z",
    "digit": "0-9",
    "alnum": "a-zA-Z0-9",
    "upper": "A-Z",
    "lower": "a-z",
    "space": r" \t\n\r\f\v",
    "xdigit": "0-9A-Fa-f",
    "punct": re.escape("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
}


def _glob_matcher(part: str) -> _Matcher:
    """fnmatch(3) with FNM_PERIOD, as glob(3) uses it for one path component.

    Built as a regex whose segments between ``*`` are atomic leftmost searches, so a hostile pattern with
    many stars cannot backtrack exponentially.
    """
    segments: list[str] = []
    cur: list[str] = []
    i = 0
    while i < len(part):
        c = part[i]
        if c == "\\" and i + 1 < len(part):
            cur.append(re.escape(part[i + 1]))
            i += 2
        elif c == "*":
            segments.append("".join(cur))
            cur = []
            while i < len(part) and part[i] == "*":
                i += 1
        elif c == "?":
            cur.append(".")
            i += 1
        elif c == "[":
            cls, i = _bracket(part, i)
            cur.append(cls)
        else:
            cur.append(re.escape(c))
            i += 1
    segments.append("".join(cur))
    if len(segments) == 1:
        regex = segments[0]
    else:
        middle = "".join(f"(?>.*?{s})" for s in segments[1:-1])
        regex = f"{segments[0]}{middle}.*{segments[-1]}"
    compiled = re.compile(f"(?s:{regex})\\Z")
    leading_dot = part.startswith(".") or part.startswith("\\.")

    def match(name: str) -> bool:
        if name.startswith(".") and not leading_dot:
            return False
        return compiled.match(name) is not None

    return match


class _Matcher(Protocol):
    def __call__(self, name: str) -> bool: ...


def _bracket(part: str, i: int) -> tuple[str, int]:
    """A ``[...]`` expression at ``part[i]``: (regex, index after it); a lone ``[`` is literal."""
    j = i + 1
    negate = j < len(part) and part[j] in "!^"
    if negate:
        j += 1
    items: list[str] = []
    first = True
    while j < len(part):
        c = part[j]
        if c == "]" and not first:
            body = "".join(items)
            return (f"[^{body}]" if negate else f"[{body}]"), j + 1
        first = False
        if c == "[" and part.startswith("[:", j):
            end = part.find(":]", j + 2)
            name = part[j + 2 : end] if end > 0 else ""
            if name in _POSIX_CLASSES:
                items.append(_POSIX_CLASSES[name])
                j = end + 2
                continue
        if c == "\\" and j + 1 < len(part):
            c = part[j + 1]
            j += 1
        if j + 2 < len(part) and part[j + 1] == "-" and part[j + 2] != "]":
            hi = part[j + 2]
            if hi == "\\" and j + 3 < len(part):
                hi = part[j + 3]
                j += 1
            if ord(hi) >= ord(c):
                items.append(f"{re.escape(c)}-{re.escape(hi)}")
            j += 3
            continue
        items.append(re.escape(c))
        j += 1
    return re.escape("["), i + 1
