"""Read the parts of a Dockerfile that matter here: ``COPY``/``ADD`` of files from the build context (where a
proxy's nginx config comes from when it is baked in at build time) and ``EXPOSE``.

Only the final stage counts: it is what the service runs. ``COPY --from=...`` copies from another stage or
image, which dockernet cannot see.
"""

from __future__ import annotations

import glob
import json
import os
import posixpath
import shlex

from dockernet.dialects import DIALECTS
from dockernet.errors import InputError
from dockernet.model import ImageFacts

MAX_DOCKERFILE = 1_000_000
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
        size = os.path.getsize(dockerfile)
        if size > MAX_DOCKERFILE:
            raise InputError(dockerfile, "file too large for a Dockerfile")
        with open(dockerfile, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        return None
    except OSError as e:
        raise InputError(dockerfile, f"cannot read: {e.strerror}") from e
    if b"\0" in data:
        raise InputError(dockerfile, "not a text file")
    text = data.decode("utf-8", errors="replace")
    expose: list[int] = []
    copies: list[tuple[str, str]] = []
    workdir = "/"
    base: str | None = None
    stages: dict[str, str | None] = {}
    for _line, instr in _logical_lines(text):
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
            copies.extend(_expand(context, srcs, dest))
    return ImageFacts(
        service=service,
        dockerfile=dockerfile,
        expose=tuple(dict.fromkeys(expose)),
        copies=tuple(copies),
        base=base,
    )


def _expand(context: str, srcs: list[str], dest: str) -> list[tuple[str, str]]:
    """(path in image, path on this machine) for each source; directories map as directories."""
    out: list[tuple[str, str]] = []
    matches: list[str] = []
    for src in srcs:
        if "://" in src:
            continue  # ADD from a URL
        path = os.path.normpath(os.path.join(context, src.lstrip("/")))
        found = sorted(glob.glob(path)) if any(c in src for c in "*?[") else [path]
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
