"""Where an object came from: every model object a finding can point at carries a :class:`Loc`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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
