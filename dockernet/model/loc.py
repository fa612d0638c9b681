"""Paths as people read them: a location's file relative to the working directory (outputs and diagrams)."""

from __future__ import annotations

import os
from functools import lru_cache


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
