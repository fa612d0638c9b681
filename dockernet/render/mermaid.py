"""The scene as a Mermaid flowchart (``.mmd``): GitHub renders it inside markdown and pull-request comments
(in a ```` ```mermaid ```` block) with no binary to install.

Networks are subgraphs; a service sits in one of them (its smallest network) and dotted lines join it to its
other networks. Link colours are set by index (``linkStyle N``), so the text is deterministic as long as
the scene is. Boxes that no line touches are chained into rows by invisible links (``~~~``), else Mermaid
stacks them in one column. Large scenes drop the detail lines: GitHub refuses diagrams over 50,000
characters (Mermaid's ``maxTextSize``); above :data:`READABLE_NODES` boxes the text says it is too big to
read and how to narrow it.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import defaultdict

from dockernet.render.dot import COLOURS, NETNS_LINE, PUBLISH
from dockernet.render.scene import Edge, EdgeKind, Group, Node, NodeKind, Scene, Status

COMPACT_ABOVE = 60
"""Scenes with more nodes than this show titles only."""
GITHUB_MAX_TEXT = 50_000
"""Mermaid's default ``maxTextSize``, which GitHub keeps: longer diagrams are not drawn."""
GRID_COLUMNS = 3
"""At most this many lone boxes side by side. GitHub scales a diagram down to its text column (about 880
px) and lets the page scroll: drawn by Mermaid 11 in headless Chromium, sentry's 51 lone services in rows of
3 are 1,640 px wide (shown at 54 %, the width the routes' three ranks take anyway), in rows of 5 2,340 px
(38 %, too small to read); as one column they were 8,000 px high."""
READABLE_NODES = 80
"""Above this many boxes, the text says (``%%``) and ``graph`` notes that the diagram is too big to read
in a GitHub comment, and how to narrow it: 80 boxes in rows of 3 are some 27 rows, two screens of a GitHub
page at 54 % (docs/graph.md, "Mermaid")."""
NARROW = "narrow it with --network NAME, --service NAME or --hide-ok"

_UNSAFE = re.compile(r"[^A-Za-z0-9_]+")


def text(value: str) -> str:
    """Text inside a quoted Mermaid label (HTML labels: entities for the characters Mermaid parses)."""
    return (
        value.replace("#", "#35;")
        .replace("&", "#amp;")
        .replace('"', "#quot;")
        .replace("<", "#lt;")
        .replace(">", "#gt;")
        .replace("|", "#124;")
        .replace("\n", "<br/>")
    )


class _Ids:
    """Readable, unique Mermaid ids derived from scene ids (``service:shop/web`` -> ``service_shop_web``)."""

    def __init__(self, scene: Scene) -> None:
        self.ids: dict[str, str] = {}
        used: set[str] = set()
        for raw in sorted(
            {n.id for n in scene.nodes}
            | {"cluster:" + n.id for n in scene.networks}
            | {g.id for g in scene.groups}
        ):
            base = _UNSAFE.sub("_", raw).strip("_") or "x"
            name, n = base, 2
            while name in used:
                name, n = f"{base}_{n}", n + 1
            used.add(name)
            self.ids[raw] = name

    def __call__(self, raw: str) -> str:
        return self.ids[raw]


def _label(node: Node, compact: bool) -> str:
    lines = [f"<b>{text(node.title)}</b>"]
    if not compact:
        lines += [text(line) for line in node.details]
    if node.rules:
        lines.append(text(" ".join(node.rules)))
    return "<br/>".join(lines)


def _shape(node: Node, label: str) -> str:
    if node.kind is NodeKind.HOST:
        return f'[["{label}"]]'
    if node.kind is NodeKind.VOLUME:
        return f'[("{label}")]'
    if node.kind is NodeKind.NETWORK:
        return f'{{{{"{label}"}}}}'
    return f'("{label}")'


def _class(node: Node) -> str | None:
    if node.kind in (NodeKind.UNRESOLVED, NodeKind.SOCKET) or node.status is Status.ERROR:
        return "error"
    if node.status is Status.WARNING:
        return "warning"
    if node.kind in (NodeKind.EXTERNAL, NodeKind.ADDRESS, NodeKind.DYNAMIC, NodeKind.LOOPBACK):
        return "outside"
    if node.kind is NodeKind.SERVICE and node.data.get("proxy"):
        return "proxy"
    if node.kind is NodeKind.HOST:
        return "host"
    return None


def _arrow(edge: Edge) -> str:
    if edge.kind is EdgeKind.ATTACH:
        return "-.-"
    if edge.status is Status.UNKNOWN:
        return "-.->"
    if edge.status is Status.ERROR:
        return "==>"
    return "-->"


def too_big(scene: Scene) -> str | None:
    """Why the scene is too big to read as a Mermaid diagram, or None."""
    if len(scene.nodes) <= READABLE_NODES:
        return None
    return (
        f"{len(scene.nodes)} boxes, more than Mermaid draws readably (about {READABLE_NODES} "
        f"in a GitHub comment): {NARROW}, or draw it with -o x.html"
    )


def render(scene: Scene) -> str:
    """The Mermaid source."""
    ids = _Ids(scene)
    compact = len(scene.nodes) > COMPACT_ABOVE
    out = ["%% dockernet graph: " + scene.title.replace("\n", " ")]
    big = too_big(scene)
    if big:
        out.append("%% " + big)
    out.append("flowchart LR")
    grouped = {m for g in scene.groups for m in g.members}
    inside: dict[str | None, list[Node]] = defaultdict(list)
    for n in scene.nodes:
        if n.kind is not NodeKind.NETWORK and n.id not in grouped:
            inside[n.home].append(n)
    groups_in: dict[str | None, list[Group]] = defaultdict(list)
    for g in scene.groups:
        groups_in[g.home].append(g)
    classes: dict[str, list[str]] = defaultdict(list)

    def node_line(n: Node, indent: str) -> None:
        out.append(f"{indent}{ids(n.id)}{_shape(n, _label(n, compact))}")
        cls = _class(n)
        if cls:
            classes[cls].append(ids(n.id))

    def group_block(g: Group, indent: str) -> None:
        out.append(f'{indent}subgraph {ids(g.id)}["{text(g.title)}"]')
        for m in g.members:
            node_line(next(n for n in scene.nodes if n.id == m), indent + "  ")
        out.append(f"{indent}end")
        classes["netns"].append(ids(g.id))

    for net in scene.networks:
        details = "" if compact else " · " + " · ".join(net.details)
        rules = f" {' '.join(net.rules)}" if net.rules else ""
        out.append(
            f'  subgraph {ids("cluster:" + net.id)}["<b>{text(net.title)}</b>{text(details + rules)}"]'
        )
        # A subgraph that no line leaves is laid out on its own, top to bottom unless it says otherwise:
        # the rows of lone boxes below would become columns (51 boxes: 4,117 x 579 px).
        out.append("    direction LR")
        for n in inside.get(net.id, []):
            node_line(n, "    ")
        for g in groups_in.get(net.id, []):
            group_block(g, "    ")
        if not inside.get(net.id) and not groups_in.get(net.id):
            # Mermaid draws no empty subgraph: say who is on it (drawn in their other network) or that
            # nobody is.
            elsewhere = sorted(
                scene.node(e.source).title
                for e in scene.edges
                if e.kind is EdgeKind.ATTACH and e.target == net.id
            )
            what = "also: " + ", ".join(elsewhere) if elsewhere else "no containers"
            out.append(f'    {ids("cluster:" + net.id)}_members["{text(what)}"]')
        out.append("  end")
        classes["internal" if net.data.get("internal") else "network"].append(ids("cluster:" + net.id))
    for g in groups_in.get(None, []):
        group_block(g, "  ")
    for n in inside.get(None, []):
        node_line(n, "  ")
    links: list[str] = []
    for e in scene.edges:
        if e.kind is EdgeKind.ATTACH and e.implied:
            continue
        target = ids("cluster:" + e.target) if e.kind is EdgeKind.ATTACH else ids(e.target)
        label = e.label + ("\n" + " ".join(e.rules) if e.rules else "")
        middle = f'|"{text(label)}"|' if label else ""
        out.append(f"  {ids(e.source)} {_arrow(e)}{middle} {target}")
        links.append(_link_style(e))
    # Boxes that no line touches: Mermaid stacks them in one column (all on the first rank; sentry's 51
    # lone services made a column 8,000 px high). Invisible links (``~~~``) chain them into rows of
    # GRID_COLUMNS. They come after the visible links, whose linkStyle indexes they must not shift.
    touched = {e.source for e in scene.edges if not (e.kind is EdgeKind.ATTACH and e.implied)}
    touched |= {e.target for e in scene.edges if e.kind is not EdgeKind.ATTACH}
    for home in [*(net.id for net in scene.networks), None]:
        alone = [ids(n.id) for n in inside.get(home, []) if n.id not in touched]
        if len(alone) < 4:
            continue
        width = max(2, min(GRID_COLUMNS, math.isqrt(len(alone) - 1) + 1))
        for i in range(0, len(alone), width):
            out += [f"  {a} ~~~ {b}" for a, b in itertools.pairwise(alone[i : i + width])]
    out.append(f'  legend["{text(_legend(scene))}"]')
    classes["legend"].append("legend")
    for i, style in enumerate(links):
        if style:
            out.append(f"  linkStyle {i} {style}")
    out += _CLASS_DEFS
    for cls, members in sorted(classes.items()):
        out.append(f"  class {','.join(members)} {cls}")
    return "\n".join(out) + "\n"


def _link_style(edge: Edge) -> str:
    if edge.kind is EdgeKind.ATTACH:
        return "stroke:#a9bfdc"
    if edge.kind is EdgeKind.PUBLISH:
        return f"stroke:{PUBLISH},color:{PUBLISH}"
    colour = COLOURS[edge.status]
    width = "3px" if edge.status is Status.ERROR else "2px"
    return f"stroke:{colour},stroke-width:{width},color:{colour}"


def _legend(scene: Scene) -> str:
    """The key to what this diagram uses."""
    statuses = {e.status for e in scene.edges if e.kind is EdgeKind.ROUTE}
    lines = ["legend"]
    lines += [
        text
        for status, text in (
            (Status.OK, "green → route resolves"),
            (Status.ERROR, "red ⇒ route broken (rule ID)"),
            (Status.WARNING, "orange → route with a warning (rule ID)"),
            (Status.UNKNOWN, "dashed → decided at run time / outside Docker"),
        )
        if status in statuses
    ]
    if any(e.kind is EdgeKind.PUBLISH for e in scene.edges):
        lines.append("blue → published port (host → container)")
    if any(e.kind is EdgeKind.ATTACH and not e.implied for e in scene.edges):
        lines.append("dotted — also attached to that network")
    return "\n".join(lines)


_CLASS_DEFS = [
    "  classDef error fill:#fdecea,stroke:#c62828,stroke-width:2px,color:#b71c1c",
    "  classDef warning stroke:#e65100,stroke-width:2px",
    "  classDef outside fill:#ffffff,stroke:#757575,stroke-dasharray:4 3",
    "  classDef proxy fill:#fff8e1,stroke:#607d8b",
    "  classDef host fill:#e0e0e0,stroke:#424242",
    "  classDef network fill:#f4f8fd,stroke:#4a78b5",
    "  classDef internal fill:#f4f8fd,stroke:#4a78b5,stroke-dasharray:6 4",
    f"  classDef netns fill:#ffffff,stroke:{NETNS_LINE},stroke-dasharray:4 3",
    "  classDef legend fill:#ffffff,stroke:#bdbdbd,text-align:left",
]
