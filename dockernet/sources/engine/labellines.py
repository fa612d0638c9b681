"""Where a running container's proxy labels are written: a live container has its labels but not their
lines, while the compose files that made it (``com.docker.compose.project.config_files``) are often on this
machine. A finding about a Traefik label then points at the line to fix, as ``check`` does.

Only labels a proxy reader takes routes from are looked up (``traefik.``), by their text: the first line of
the file that names the label as a key (``key:`` in a mapping, ``key=`` in a list). A file that is not here,
or too large, gives nothing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping

from dockernet.model import Loc
from dockernet.sources.files import MAX_FILE

PREFIXES = ("traefik.",)


def label_locs(files: Iterable[str], labels: Iterable[str]) -> Mapping[str, Loc]:
    """Label key -> where it is written, for the proxy labels found in ``files``."""
    wanted = [k for k in labels if k.lower().startswith(PREFIXES)]
    out: dict[str, Loc] = {}
    if not wanted:
        return out
    for path in files:
        lines = _lines(path)
        for key in wanted:
            if key in out:
                continue
            pattern = re.compile(rf"""(^|[\s"'-]){re.escape(key)}\s*["']?\s*[:=]""")
            for number, line in enumerate(lines, 1):
                if pattern.search(line):
                    out[key] = Loc(path, number)
                    break
    return out


def _lines(path: str) -> tuple[str, ...]:
    try:
        if os.path.getsize(path) > MAX_FILE:
            return ()
        with open(path, encoding="utf-8", errors="replace") as fh:
            return tuple(fh.read().splitlines())
    except OSError:
        return ()
