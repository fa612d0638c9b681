"""Query helpers that several rules share (so each rule says only what it checks)."""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.analysis.graph import HOST
from dockernet.analysis.resolve import Kind, Resolution
from dockernet.rules.base import Context


def reached_services(ctx: Context) -> Iterator[tuple[Resolution, str]]:
    """(resolution, service node) for every service an upstream name or address reaches over a network."""
    for res in ctx.resolutions(Kind.SERVICE):
        for node in sorted({n for n, _ in res.reached if n != HOST and n != res.proxy}):
            yield res, node
