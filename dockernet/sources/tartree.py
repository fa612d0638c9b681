"""Config trees read out of a container: tar archives from the engine's archive endpoint (the ``docker cp``
path), and the dump of ``nginx -T``.

Both implement the nginx reader's :class:`~dockernet.sources.nginx.ConfigTree`: container paths in,
``(container path, bytes)`` out. The display path *is* the container path: findings name the container
separately.

Tar members are untrusted input (a container can put anything in its file system, and a compromised one
can answer with anything): nothing is ever written to disk, a member whose name leaves the requested path
(``../../etc/passwd``, an absolute name) is ignored and reported, symbolic links are followed only in
container space and at most :data:`MAX_SYMLINKS` deep, and sizes are capped (:data:`MAX_ARCHIVE` per
archive stream, :data:`MAX_MEMBERS` members, :data:`MAX_MEMBER` per file). A truncated or unreadable tar
keeps what was read before the damage and adds a problem; the scan marks its result partial.
"""

from __future__ import annotations

import errno
import fnmatch
import io
import os
import posixpath
import tarfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass

MAX_ARCHIVE = 16 * 1024 * 1024
"""Most bytes read from one archive stream; the rest is not read (the tree is then partial)."""
MAX_MEMBERS = 5000
"""Most tar members kept from one archive (``/etc/nginx`` of the official image has about 20)."""
MAX_MEMBER = 5 * 1024 * 1024
"""Largest file kept (the nginx reader's own limit)."""
MAX_FETCHES = 32
"""Most archive requests one tree makes for includes outside the first fetched directory."""
MAX_SYMLINKS = 40
"""Symbolic links followed while resolving one path (Linux's MAXSYMLINKS)."""


@dataclass(frozen=True)
class Fetched:
    """One archive answer: the tar bytes (up to :data:`MAX_ARCHIVE`) and whether the stream was cut."""

    data: bytes
    truncated: bool = False


Fetcher = Callable[[str], "Fetched | None"]
"""Fetch the archive of one container path; None when the path does not exist in the container."""


@dataclass
class _Node:
    kind: str
    """``file``, ``dir``, ``link``, ``big`` (a file over the size limit) or ``other`` (device, fifo)."""
    data: bytes = b""
    target: str = ""
    """Link target as stored in the archive (``link``)."""


def clean(path: str) -> str:
    """An absolute, normalised container path (``..`` never climbs above ``/``)."""
    out: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if out:
                out.pop()
        else:
            out.append(part)
    return "/" + "/".join(out)


def _under(path: str, root: str) -> bool:
    return root == "/" or path == root or path.startswith(root + "/")


class TarTree:
    """Container files known from archive answers, fetched lazily path by path.

    ``read`` and ``glob`` follow the ConfigTree contract: a path under a fetched directory that is not in
    the archive does not exist (``FileNotFoundError``, as for nginx); a path no fetch covers is fetched on
    first use; what cannot be fetched (limits, errors) is unseen (None), with a problem recorded.
    """

    def __init__(self, fetch: Fetcher, label: str = "container") -> None:
        self._fetch = fetch
        self._label = label
        self._nodes: dict[str, _Node] = {}
        self._roots: dict[str, bool] = {}
        """Fetched container paths -> complete (False when the archive was cut or damaged)."""
        self._fetches = 0
        self.problems: list[str] = []
        """What went wrong, one line each, for the scan's ``partial`` list."""
        self.read_files: dict[str, bytes] = {}
        """Every file handed to the reader, by display path (for inline suppressions)."""

    # ------------------------------------------------------------------------------------- loading

    def prefetch(self, path: str) -> None:
        """Fetch ``path`` now (a directory or a file), unless a fetch already covers it."""
        self._ensure(clean(path))

    def add_archive(self, root: str, fetched: Fetched) -> None:
        """Add the members of one archive of container path ``root``."""
        root = clean(root)
        parent = posixpath.dirname(root)
        complete = not fetched.truncated
        if fetched.truncated:
            self.problems.append(
                f"{self._label}: the archive of {root} is larger than {MAX_ARCHIVE // (1024 * 1024)} MB; "
                "only its first part was read"
            )
        kept = 0
        try:
            with tarfile.open(fileobj=io.BytesIO(fetched.data), mode="r|") as tar:
                for member in tar:
                    if kept >= MAX_MEMBERS:
                        self.problems.append(
                            f"{self._label}: the archive of {root} has more than {MAX_MEMBERS} entries; "
                            "the rest was ignored"
                        )
                        complete = False
                        break
                    name = member.name
                    path = clean(posixpath.join(parent, name))
                    if name.startswith("/") or not _under(path, root) or ".." in name.split("/"):
                        self.problems.append(
                            f"{self._label}: ignored archive entry {name!r}, which is outside {root}"
                        )
                        continue
                    kept += 1
                    node = self._member(tar, member, root, parent)
                    if node is None:
                        complete = False
                        continue
                    self._nodes[path] = node
        except (tarfile.TarError, EOFError, OSError, ValueError) as e:
            self.problems.append(
                f"{self._label}: the archive of {root} is damaged or truncated ({e}); "
                "only the entries before the damage were read"
            )
            complete = False
        self._roots[root] = complete
        if root not in self._nodes and complete:
            # An empty but complete answer still says the path exists (as an empty directory).
            self._nodes[root] = _Node("dir")

    def _member(self, tar: tarfile.TarFile, member: tarfile.TarInfo, root: str, parent: str) -> _Node | None:
        if member.isdir():
            return _Node("dir")
        if member.issym():
            return _Node("link", target=member.linkname)
        if member.islnk():
            # A hard link names another member of the same archive.
            target = clean(posixpath.join(parent, member.linkname))
            other = self._nodes.get(target)
            if other is None or not _under(target, root):
                self.problems.append(
                    f"{self._label}: ignored hard link {member.name!r} to {member.linkname!r}"
                )
                return _Node("other")
            return other
        if not member.isfile():
            return _Node("other")
        if member.size > MAX_MEMBER:
            return _Node("big")
        handle = tar.extractfile(member)
        data = handle.read() if handle is not None else b""
        if len(data) != member.size:
            self.problems.append(f"{self._label}: {member.name!r} is cut short in the archive of {root}")
            return None
        return _Node("file", data=data)

    def _covering(self, path: str) -> str | None:
        """The fetched root that covers ``path``, the longest one."""
        best: str | None = None
        for root in self._roots:
            if _under(path, root) and (best is None or len(root) > len(best)):
                best = root
        return best

    def _ensure(self, path: str) -> str | None:
        """Make sure some fetch covers ``path``; the covering root, or None when it cannot be fetched.

        A path under a cut archive that the archive does not hold is fetched on its own.
        """
        root = self._covering(path)
        if root is not None and (self._roots[root] or path in self._nodes):
            return root
        if root is None and path.count("/") < 2:
            # Never archive / or a top-level directory (/usr, /etc) to answer one include.
            self.problems.append(f"{self._label}: {path} was not read (a whole top-level directory)")
            self._roots[path] = False
            return None
        if self._fetches >= MAX_FETCHES:
            if root is None:
                self.problems.append(
                    f"{self._label}: more than {MAX_FETCHES} archive requests; {path} was not read"
                )
                self._roots[path] = False
            return root
        self._fetches += 1
        fetched = self._fetch(path)
        if fetched is None:  # 404: the path does not exist in the container
            self._roots[path] = True
            return path
        self.add_archive(path, fetched)
        return path

    # ------------------------------------------------------------------------------------- lookup

    def _resolve(self, path: str) -> tuple[str, _Node | None, bool]:
        """Follow symbolic links in container space: (resolved path, node or None, complete).

        ``complete`` is False when the answer may be wrong because an archive was cut or a limit hit.
        Components above a fetched root were resolved by the engine (it follows links in the parents of
        the path it archives); links inside archives are followed here.
        """
        hops = 0
        parts = [p for p in clean(path).split("/") if p]
        while True:
            full = "/" + "/".join(parts)
            if not parts or any(_under(root, full) and root != full for root in self._roots):
                # "/" and the parents of a fetched path: directories the engine resolved for us.
                return full, _Node("dir"), True
            root = self._ensure(full)
            if root is None:
                return full, None, False
            complete = self._roots[root]
            restart = False
            for i in range(len(parts)):
                current = "/" + "/".join(parts[: i + 1])
                if not _under(current, root):
                    continue
                node = self._nodes.get(current)
                if node is None:
                    return full, None, complete
                last = i == len(parts) - 1
                if node.kind == "link":
                    hops += 1
                    if hops > MAX_SYMLINKS:
                        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), path)
                    base = node.target
                    if not base.startswith("/"):
                        base = posixpath.join(posixpath.dirname(current), base)
                    parts = [p for p in clean(base).split("/") if p] + parts[i + 1 :]
                    restart = True
                    break
                if not last and node.kind != "dir":
                    return full, None, True  # ENOTDIR: nginx sees no such file
            if not restart:
                return full, self._nodes.get(full), True

    def read(self, container_path: str) -> tuple[str, bytes] | None:
        """(container path, contents); None when it could not be fetched; OSError like open(2)."""
        path = clean(container_path)
        resolved, node, complete = self._resolve(path)
        if node is None:
            if not complete:
                return None
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), container_path)
        if node.kind == "dir":
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), container_path)
        if node.kind == "big":
            self.problems.append(f"{self._label}: {resolved} is larger than {MAX_MEMBER // (1024 * 1024)} MB")
            raise OSError(errno.EFBIG, os.strerror(errno.EFBIG), container_path)
        if node.kind != "file":
            raise OSError(errno.EACCES, os.strerror(errno.EACCES), container_path)
        self.read_files[path] = node.data
        return path, node.data

    def glob(self, container_pattern: str) -> list[str] | None:
        """Container paths matching an absolute glob pattern, byte-sorted; None when a listed directory
        could not be fetched."""
        pattern = clean(container_pattern)
        parts = [p for p in pattern.split("/") if p]
        # The literal directories before the first wildcard are opened directly, as glob(3) does.
        first = next((n for n, part in enumerate(parts) if _has_magic(part)), len(parts))
        found = ["/" + "/".join(parts[:first])]
        for n, part in enumerate(parts):
            if n < first:
                continue
            last = n == len(parts) - 1
            nxt: list[str] = []
            for base in found:
                if not _has_magic(part):
                    nxt.append(posixpath.join(base, part))
                    continue
                names = self._listdir(base)
                if names is None:
                    return None
                for name in names:
                    if name.startswith(".") and not part.startswith("."):
                        continue  # glob(3): a leading dot must be matched explicitly
                    if fnmatch.fnmatchcase(name, part):
                        nxt.append(posixpath.join(base, name))
            found = nxt
            if not last:
                found = [p for p in found if self._is_dir(p)]
        out = []
        for p in found:
            _, node, complete = self._resolve(p)
            if node is None and not complete:
                return None
            if node is not None:
                out.append(p)
        return sorted(out, key=lambda s: s.encode("utf-8", "surrogateescape"))

    def _is_dir(self, path: str) -> bool:
        _, node, _ = self._resolve(path)
        return node is not None and node.kind == "dir"

    def _listdir(self, directory: str) -> list[str] | None:
        resolved, node, complete = self._resolve(directory)
        if node is None:
            return None if not complete else []
        if node.kind != "dir":
            return []
        # A parent of a fetched path is known only by that path: fetch the directory itself.
        root = self._ensure(resolved)
        if root is None or not self._roots.get(root, False):
            return None
        prefix = resolved.rstrip("/") + "/"
        return sorted(
            {p[len(prefix) :].split("/", 1)[0] for p in self._nodes if p.startswith(prefix) and p != prefix}
        )


def _has_magic(part: str) -> bool:
    return any(c in part for c in "*?[")


class DumpTree:
    """The files of a proxy's own dump of its configuration (``nginx -T``): exactly what the proxy read,
    so a glob matches what it matched."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self._files: dict[str, bytes] = {}
        for path, data in files.items():
            self._files.setdefault(clean(path), data)
        self.read_files: dict[str, bytes] = {}

    def read(self, container_path: str) -> tuple[str, bytes] | None:
        """(container path, contents); None for a file nginx did not read."""
        path = clean(container_path)
        if path not in self._files:
            return None
        self.read_files[path] = self._files[path]
        return path, self._files[path]

    def glob(self, container_pattern: str) -> list[str] | None:
        """The dumped files that match."""
        pattern = clean(container_pattern)
        return sorted(p for p in self._files if _glob_match(p, pattern))


def _glob_match(path: str, pattern: str) -> bool:
    a, b = path.split("/"), pattern.split("/")
    return len(a) == len(b) and all(fnmatch.fnmatchcase(x, y) for x, y in zip(a, b, strict=True))


def files_of(trees: Iterable[TarTree | DumpTree]) -> dict[str, bytes]:
    """Every file the reader read from these trees."""
    out: dict[str, bytes] = {}
    for tree in trees:
        out.update(tree.read_files)
    return out
