"""What several formats share: relative paths, counts."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from dockernet.model.findings import Finding, Severity


@dataclass(frozen=True)
class Report:
    """The findings of one run, plus what was checked, for summaries."""

    findings: tuple[Finding, ...]
    projects: int = 0
    proxies: int = 0
    routes: int = 0
    partial: tuple[str, ...] = ()
    """Why the result is incomplete, if it is."""
    files: tuple[str, ...] = ()
    """Every file that was read."""


def relpath(path: str, base: str | None = None) -> str:
    """A path relative to the working directory when it is below it; other paths stay as they are."""
    if not path or not os.path.isabs(path):
        return path
    return _relpath(path, base or os.getcwd())


@lru_cache(maxsize=4096)
def _relpath(path: str, base: str) -> str:
    # Cached: a report names the same few files thousands of times.
    rel = os.path.relpath(path, base)
    return path if rel.startswith("..") else rel


def counts(findings: Sequence[Finding]) -> dict[str, int]:
    """Number of findings per severity, every severity present."""
    c = Counter(f.severity for f in findings)
    return {s.value: c.get(s, 0) for s in Severity}


def plural(n: int, word: str) -> str:
    """``1 error``, ``2 errors``."""
    return f"{n} {word}{'' if n == 1 else 's'}"
