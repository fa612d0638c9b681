"""Where an object came from (every model object a finding can point at carries a :class:`Loc`), and paths
as people read them (:func:`relpath`, for outputs and diagrams)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType


@dataclass(frozen=True, order=True)
class Loc:
    """Where an object came from."""

    file: str
    """Path of the file on this machine (absolute), or inside a container for live configs."""
    line: int = 0
    """1-based line; 0 when unknown."""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


NOWHERE = Loc("", 0)


def frozen_map(data: Mapping[str, str | None] | None = None) -> Mapping[str, str | None]:
    """A read-only mapping, for dataclass fields."""
    return MappingProxyType(dict(data or {}))


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
