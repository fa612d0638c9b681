"""How the networks are drawn, and which way is chosen for a diagram of a given size.

Measured on the synthetic topologies of ``benchmarks/render_benchmark.py`` (docs/performance.md, "render"):
PLACEHOLDER until measured.
"""

from __future__ import annotations

from enum import StrEnum

from dockernet.render.scene import Scene


class Layout(StrEnum):
    """``--layout``."""

    AUTO = "auto"
    """Choose by size (see :func:`choose`)."""
    DOT = "dot"
    """One ``dot`` layout, networks as clusters: the clearest for small projects."""
    CLUSTERS = "clusters"
    """Each network laid out on its own and the boxes packed in a grid: readable at any size."""
    HUBS = "hubs"
    """``dot`` with every network as a node that its services attach to."""
    SFDP = "sfdp"
    """Force-directed (``sfdp``), networks as nodes."""


def choose(scene: Scene) -> Layout:
    """The layout for ``--layout auto``."""
    if len(scene.services) <= 40 and len(scene.networks) <= 8:
        return Layout.DOT
    return Layout.CLUSTERS
