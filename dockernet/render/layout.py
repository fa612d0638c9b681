"""How the networks are drawn, and which way is chosen for a diagram of a given size.

Measured on the synthetic topologies of ``benchmarks/render_benchmark.py`` (one edge proxy routing to the
front nginx of every project, each project on its own network; numbers in docs/performance.md, "render"):

* ``dot`` with networks as clusters is the clearest picture of a compose project: every route is one
  line from proxy to target across the clusters. From about 50 containers on 6 networks on it grows into a
  tall strip (0.8 wide per 1 high at 50 containers, 0.19 at 400: 2,200 x 11,900 px) with lines from the
  edge proxy crossing every cluster on their way down.
* ``hubs`` (networks as nodes, ``dot``) is taller still (0.1 at 400) and the slowest (6-10 s at 400).
* ``sfdp`` is quick and square, but every project's proxy is pulled towards the shared network in the
  middle, where the lines tangle; labels stay readable, the structure does not.
* ``clusters`` lays every network out as a box of its own and lets Graphviz pack the boxes: no line leaves
  its box, so nothing crosses the picture, and it stays about square (5,000 x 5,000 px at 400 containers,
  rendered in 4 s). A service on several networks is drawn once in its home box and as a dashed stub in the
  others; a route is drawn in the box of the network it crosses.

So ``auto`` takes ``dot`` while a project is small enough to read as one flow, and ``clusters`` beyond.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dockernet.render.scene import Scene  # only annotations: keeps `import dockernet.cli` light


DOT_MAX_SERVICES = 30
"""Above this many containers, ``auto`` packs network boxes (``clusters``) instead of one ``dot`` flow."""
DOT_MAX_NETWORKS = 6
"""... or above this many networks."""


class Layout(StrEnum):
    """``--layout``."""

    AUTO = "auto"
    """Choose by size (see :func:`choose`)."""
    DOT = "dot"
    """One ``dot`` layout, networks as clusters: the clearest for small projects."""
    CLUSTERS = "clusters"
    """Each network laid out on its own and the boxes packed: readable at any size."""
    HUBS = "hubs"
    """``dot`` with every network as a node that its services attach to."""
    SFDP = "sfdp"
    """Force-directed (``sfdp``), networks as nodes."""


def choose(scene: Scene) -> Layout:
    """The layout for ``--layout auto``: ``dot`` for a small project, ``clusters`` for anything larger."""
    if len(scene.services) <= DOT_MAX_SERVICES and len(scene.networks) <= DOT_MAX_NETWORKS:
        return Layout.DOT
    return Layout.CLUSTERS
