"""Read the parts of a Dockerfile that matter here: ``COPY``/``ADD`` of files from the build context (where a
proxy's nginx config comes from when it is baked in at build time) and ``EXPOSE``.

Only the final stage counts: it is what the service runs. ``COPY --from=...`` copies from another stage or
image, which dockernet cannot see.
"""

from __future__ import annotations

import fnmatch
import json
import os
import posixpath
import shlex

from dockernet.dialects import DIALECTS
from dockernet.dialects.base import NOT_REGULAR, NotRegularFileError
from dockernet.errors import InputError
from dockernet.model import ImageFacts
from dockernet.sources.files import read_regular

MAX_DOCKERFILE = 1_000_000
MAX_GLOB_ENTRIES = 20_000
"""Directory entries one Dockerfile's ``COPY``/``ADD`` patterns may look at, together. ``COPY */*/*/*/*/*``
with the context ``/`` walked the whole machine (past 20 s; issue 15); a real context has a few thousand."""
# Directories that exist in the proxies' images: `COPY x.conf /etc/nginx/conf.d` copies into them.
IMAGE_DIRS = frozenset(d for dialect in DIALECTS.values() for d in dialect.image_dirs)


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Instructions with their first line number; backslash continuations joined, comments dropped."""
    out: list[tuple[int, str]] = []
    buf: list[str] = []
    start = 0
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not buf and (not line or line.startswith("#")):
            continue
        if buf and line.startswith("#"):
            continue
        if not buf:
            start = n
        if line.endswith("\\"):
            buf.append(line[:-1])
            continue
        buf.append(line)
        out.append((start, " ".join(buf)))
        buf = []
    if buf:
        out.append((start, " ".join(buf)))
    return out


def _args(rest: str) -> list[str]:
    if rest.startswith("["):
        try:
            value = json.loads(rest)
            if isinstance(value, list):
                return [str(v) for v in value]
        except ValueError:
            pass
    try:
        return shlex.split(rest)
    except ValueError:
        return rest.split()


def read(service: tuple[str, str], dockerfile: str, context: str) -> ImageFacts | None:
    """Facts of the final stage, or None when the Dockerfile does not exist."""
    try:
        # Only a regular file, and at most one byte more than the limit: /dev/zero never ends, a FIFO blocks.
        data = read_regular(dockerfile, MAX_DOCKERFILE)
    except FileNotFoundError:
        return None
    except NotRegularFileError:
        raise InputError(dockerfile, NOT_REGULAR) from None
    except OSError as e:
        raise InputError(dockerfile, f"cannot read: {e.strerror}") from e
    if len(data) > MAX_DOCKERFILE:
        raise InputError(dockerfile, "file too large for a Dockerfile")
    if b"\0" in data:
        raise InputError(dockerfile, "not a text file")
    text = data.decode("utf-8", errors="replace")
    expose: list[int] = []
    copies: list[tuple[str, str]] = []
    workdir = "/"
    base: str | None = None
    stages: dict[str, str | None] = {}
    budget = [MAX_GLOB_ENTRIES]
    for line, instr in _logical_lines(text):
        word, _, rest = instr.partition(" ")
        word = word.upper()
        if word == "FROM":
            expose, copies, workdir = [], [], "/"
            words = [w for w in rest.split() if not w.startswith("--")]
            base = stages.get(words[0].lower(), words[0]) if words else None
            if len(words) >= 3 and words[1].upper() == "AS":
                stages[words[2].lower()] = base
        elif word == "WORKDIR":
            workdir = posixpath.join(workdir, rest.strip())
        elif word == "EXPOSE":
            for item in rest.split():
                port = item.split("/")[0].split("-")[0]
                if port.isdigit():
                    expose.append(int(port))
        elif word in ("COPY", "ADD"):
            args = _args(rest.strip())
            if any(a.startswith("--from") for a in args):
                continue
            args = [a for a in args if not a.startswith("--")]
            if len(args) < 2:
                continue
            *srcs, dest = args
            dest = posixpath.join(workdir, dest)
            try:
                copies.extend(_expand(context, srcs, dest, budget))
            except _GlobBudget:
                raise InputError(
                    dockerfile,
                    f"{word} patterns list more than {MAX_GLOB_ENTRIES} files of the build context",
                    line,
                ) from None
    return ImageFacts(
        service=service,
        dockerfile=dockerfile,
        expose=tuple(dict.fromkeys(expose)),
        copies=tuple(copies),
        base=base,
    )


class _GlobBudget(Exception):
    pass


def _glob(path: str, budget: list[int]) -> list[str]:
    """glob.glob(path) (``*``, ``?``, ``[...]``; hidden names only for a pattern that starts with a dot),
    walking one pattern part at a time and counting every directory entry it looks at against ``budget``.
    Raises _GlobBudget when the count runs out."""
    parts = path.split("/")
    found = ["/" if path.startswith("/") else ""]
    for i, part in enumerate(p for p in parts if p):
        last = i == len([p for p in parts if p]) - 1
        if not any(c in part for c in "*?["):
            found = [os.path.join(d, part) for d in found]
            found = [f for f in found if os.path.lexists(f)]
            continue
        nxt: list[str] = []
        for d in found:
            try:
                with os.scandir(d or ".") as entries:
                    for entry in entries:
                        budget[0] -= 1
                        if budget[0] < 0:
                            raise _GlobBudget
                        name = entry.name
                        if name.startswith(".") and not part.startswith("."):
                            continue
                        if fnmatch.fnmatchcase(name, part) and (last or entry.is_dir()):
                            nxt.append(os.path.join(d, name))
            except OSError:
                continue  # unreadable or not a directory: no match, as glob(3)
        found = nxt
    return found


def _expand(context: str, srcs: list[str], dest: str, budget: list[int]) -> list[tuple[str, str]]:
    """(path in image, path on this machine) for each source; directories map as directories."""
    out: list[tuple[str, str]] = []
    matches: list[str] = []
    for src in srcs:
        if "://" in src:
            continue  # ADD from a URL
        path = os.path.normpath(os.path.join(context, src.lstrip("/")))
        found = sorted(_glob(path, budget)) if any(c in src for c in "*?[") else [path]
        matches.extend(found)
    into_dir = (
        dest.endswith("/") or dest in IMAGE_DIRS or len(matches) > 1 or any(c in "".join(srcs) for c in "*?[")
    )
    for host in matches:
        if os.path.isdir(host):
            # COPY dir dest copies the directory's contents into dest.
            out.append((dest.rstrip("/") or "/", host))
        elif into_dir:
            out.append((posixpath.join(dest, os.path.basename(host)), host))
        else:
            out.append((dest, host))
    return out
