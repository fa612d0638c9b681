"""Inline suppressions: ``# dockernet: ignore[DN105]`` (or ``ignore[published-port-used, DN301]``, or a bare
``ignore`` for every rule) in a compose or nginx file, at the end of the line a finding points at or alone on
the line above it."""

from __future__ import annotations

import re
from collections.abc import Iterable

from dockernet.model import Loc
from dockernet.model.findings import Suppression
from dockernet.sources.files import read_regular

MARKER = re.compile(r"#\s*dockernet:\s*ignore(?:\[(?P<codes>[^\]]*)\])?", re.IGNORECASE)
MAX_SIZE = 20_000_000


def scan(files: Iterable[str]) -> tuple[Suppression, ...]:
    """Every suppression comment in the given files (unreadable ones are skipped: the sources report them)."""
    contents: list[tuple[str, bytes]] = []
    for path in sorted(set(files)):
        try:
            # Regular files only: a file the sources read may have been swapped for a FIFO since.
            contents.append((path, read_regular(path, MAX_SIZE)[:MAX_SIZE]))
        except OSError:
            continue
    return scan_contents(contents)


def scan_contents(files: Iterable[tuple[str, bytes]]) -> tuple[Suppression, ...]:
    """Every suppression comment in files already read, as (path, contents) pairs (live configs come out of
    containers, where the paths name no file on this machine)."""
    out: list[Suppression] = []
    for path, data in sorted(set(files)):
        if b"dockernet" not in data:
            continue
        for n, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), 1):
            m = MARKER.search(line)
            if m is None:
                continue
            codes = tuple(c.strip() for c in (m.group("codes") or "").split(",") if c.strip())
            out.append(Suppression(Loc(path, n), codes, own_line=line.lstrip().startswith("#")))
    return tuple(out)
