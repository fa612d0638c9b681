"""What a diagram shows, independent of how it is drawn: the scene.

Every format (DOT, Mermaid, JSON, HTML) draws the same :class:`Scene`, so they agree on what is shown and
the filtering options (``--network``, ``--service``, ``--no-ports``, ``--hide-ok``) are decided once, where
they are tested. :mod:`.build` makes the scene from the graph, the resolutions and the findings of one run,
and :mod:`.selection` keeps what the options ask for:

* every network (name, driver, subnets, gateways; ``internal`` marked; the default bridge said to have no
  DNS) and every service (image, live state, address and aliases per network);
* published ports as edges from the ``host`` node;
* services that share a network namespace (``network_mode: service:x``, ``container:x``, ``host``) as one
  group;
* one edge per upstream address of every proxy route, to what it reaches. A route that reaches nothing gets
  a node of its own for what it names (an unknown name, the proxy's own loopback, a socket nobody shares...),
  so the mistake is visible. Unix-socket routes pass through the volume that holds the socket.

Secrets: service environments and labels may hold secrets; nothing here reads them.

Determinism: ids come from names in the model (never from memory addresses) and every collection is sorted,
so the same input gives the same scene and byte-identical output.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import Enum, StrEnum
from typing import Any

from dockernet.analysis.graph import Topo
from dockernet.analysis.resolve import Resolved
from dockernet.model import AnyProxy
from dockernet.model.findings import Finding
from dockernet.model.loc import relpath

MAX_NETWORK_LINES = 6
"""A service on more networks than this lists the first ones and ``+ N more``."""


class Status(Enum):
    """How an element is drawn."""

    PLAIN = "plain"
    """Structure: networks, attachments, ports."""
    OK = "ok"
    """A route that resolves and no finding breaks."""
    WARNING = "warning"
    """A warning finding is about it."""
    ERROR = "error"
    """An error finding is about it: the route fails."""
    UNKNOWN = "unknown"
    """What it reaches is decided at run time or outside Docker."""

    @property
    def rank(self) -> int:
        """Higher is worse (used to pick the status of an element several findings are about)."""
        return {"plain": 0, "ok": 1, "unknown": 2, "warning": 3, "error": 4}[self.value]


class NodeKind(StrEnum):
    """What a node stands for."""

    SERVICE = "service"
    NETWORK = "network"
    HOST = "host"
    VOLUME = "volume"
    UNRESOLVED = "unresolved"
    """A name an upstream uses that resolves to nothing."""
    LOOPBACK = "loopback"
    """The proxy's own loopback, when nothing else is in its namespace."""
    SOCKET = "socket"
    """A unix socket that no other service can see."""
    ADDRESS = "address"
    """An IP literal or an ``extra_hosts`` entry that matches no container."""
    EXTERNAL = "external"
    """A name outside Docker (public DNS)."""
    DYNAMIC = "dynamic"
    """An address made of nginx variables whose values are unknown."""


class EdgeKind(StrEnum):
    """What an edge stands for."""

    ATTACH = "attach"
    """service -> network."""
    PUBLISH = "publish"
    """host -> service: a published port."""
    ROUTE = "route"
    """proxy -> target (or proxy -> volume -> target for unix sockets)."""


@dataclass(frozen=True)
class Options:
    """What to show."""

    networks: tuple[str, ...] = ()
    """Focus on these networks (engine name or compose key): their members and the routes in and out."""
    services: tuple[str, ...] = ()
    """Focus on these services (name, ``project/name`` or container name) and their direct neighbours."""
    ports: bool = True
    """Show published ports (host -> service)."""
    hide_ok: bool = False
    """Only what a warning or error is about, and the networks it sits on."""
    base: str | None = None
    """Directory that file names in tooltips are relative to (default: the working directory)."""


@dataclass(frozen=True)
class Node:
    """One box of the diagram."""

    id: str
    """Stable id: ``service:<project>/<name>``, ``network:<name>``, ``host``, ``volume:<name>``,
    ``unresolved:<name>``..."""
    kind: NodeKind
    title: str
    details: tuple[str, ...] = ()
    """Lines under the title."""
    status: Status = Status.PLAIN
    rules: tuple[str, ...] = ()
    """IDs of the warnings and errors about the node itself."""
    home: str | None = None
    """The network (node id) the node is drawn inside when networks are clusters; None: outside all."""
    group: str | None = None
    """The shared network namespace (group id) the node belongs to."""
    findings: tuple[int, ...] = ()
    """Indexes into :attr:`Scene.findings` of the findings about the node itself."""
    data: Mapping[str, Any] = field(default_factory=dict)
    """Structured facts for the JSON format (JSON types only, no secrets)."""

    @property
    def key(self) -> str:
        """Short, stable id usable in SVG/HTML ids and Mermaid."""
        return "n" + _digest(self.id)


@dataclass(frozen=True)
class Edge:
    """One line of the diagram."""

    id: str
    """Stable id: ``<kind>|<source>|<target>|<n>``."""
    source: str
    target: str
    kind: EdgeKind
    label: str = ""
    """Lines separated by newlines."""
    status: Status = Status.PLAIN
    rules: tuple[str, ...] = ()
    """IDs of the warnings and errors that break or question the edge."""
    implied: bool = False
    """An attachment that drawing the source inside the target network already says."""
    via: str | None = None
    """For a route: the network (node id) its packets cross, when it crosses one that is drawn."""
    findings: tuple[int, ...] = ()
    tooltip: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Short, stable id usable in SVG/HTML ids and Mermaid."""
        return "e" + _digest(self.id)


@dataclass(frozen=True)
class Group:
    """Services that share one network namespace."""

    id: str
    """``netns:<owner node id>``; ``netns:host`` for the host's namespace."""
    title: str
    members: tuple[str, ...]
    home: str | None = None


@dataclass(frozen=True)
class Scene:
    """Everything one diagram shows, sorted."""

    title: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    groups: tuple[Group, ...]
    findings: tuple[Finding, ...]
    """All findings of the run (the HTML lists them); nodes and edges point into this by index."""
    partial: tuple[str, ...] = ()
    base: str | None = None
    """Directory that file names are shown relative to (None: the working directory)."""

    def node(self, node_id: str) -> Node:
        """A node by id."""
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)

    @property
    def networks(self) -> tuple[Node, ...]:
        """The network nodes."""
        return tuple(n for n in self.nodes if n.kind is NodeKind.NETWORK)

    @property
    def services(self) -> tuple[Node, ...]:
        """The service nodes."""
        return tuple(n for n in self.nodes if n.kind is NodeKind.SERVICE)

    def where(self, index: int) -> str:
        """``file:line`` of a finding, relative to :attr:`base`; live findings name their container."""
        f = self.findings[index]
        path = f.loc.file if f.container else shown(f.loc.file, self.base)
        if f.container and not path.startswith(f"{f.container}:"):
            path = f"{f.container}:{path}"
        return path + (f":{f.loc.line}" if f.loc.line else "")

    def targets_of(self, index: int) -> tuple[str, ...]:
        """Keys of the edges and nodes a finding is about (for highlighting)."""
        edges = tuple(e.key for e in self.edges if index in e.findings)
        nodes = tuple(n.key for n in self.nodes if index in n.findings)
        return edges + nodes


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:10]


@dataclass
class Draft:
    """Mutable working state while building (:mod:`.build`); frozen into a Scene at the end
    (:mod:`.selection`)."""

    topo: Topo
    resolved: Resolved
    findings: tuple[Finding, ...]
    base: str | None
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: dict[str, Edge] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    attached: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    """service node -> network nodes."""
    members: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    """network node -> service nodes attached to it."""
    route_edges: dict[tuple[str, str], list[tuple[str, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    """(proxy node, upstream id or route id) -> [(edge id, looked-up host)]: what findings join on."""
    proxies: dict[str, AnyProxy] = field(default_factory=dict)
    """Proxies by their service's node id."""
    multi_project: bool = False
    vias: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """route edge id -> the networks it can cross."""

    def add_edge(self, edge: Edge) -> Edge:
        n = 0
        while f"{edge.id}|{n}" in self.edges:
            n += 1
        edge = replace(edge, id=f"{edge.id}|{n}")
        self.edges[edge.id] = edge
        return edge


def shown(path: str, base: str | None) -> str:
    """A host path as a diagram shows it: relative to ``base`` (the projects' common directory) when it is
    below it, else its file name. Diagrams are pasted into docs and reviews: they never carry the
    absolute paths of the machine that drew them."""
    rel = relpath(path, base)
    return os.path.basename(rel) if os.path.isabs(rel) else rel
