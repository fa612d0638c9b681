"""The scene as Graphviz DOT source: a pure function returning a string (``.dot``); Graphviz turns it into
``.png``/``.svg``/``.pdf`` (:mod:`dockernet.render.image`).

The text is byte-identical for the same scene: nodes, clusters and edges are written in sorted order with
ids taken from the model, and no attribute depends on the machine. The graph attribute ``layout`` names
the Graphviz engine, so ``dot -Tpng topology.dot`` redraws exactly what ``dockernet graph`` drew.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping

from dockernet.render.layout import Layout
from dockernet.render.scene import Edge, EdgeKind, Group, Node, NodeKind, Scene, Status

FONT = "DejaVu Sans"

COLOURS = {
    Status.OK: "#2e7d32",
    Status.ERROR: "#c62828",
    Status.WARNING: "#e65100",
    Status.UNKNOWN: "#757575",
    Status.PLAIN: "#607d8b",
}
PUBLISH = "#3949ab"
NETWORK_LINE = "#4a78b5"
NETWORK_FILL = "#dce8f7"
CLUSTER_FILL = "#f4f8fd"
CLUSTER_LINE = "#a9bfdc"
NETNS_LINE = "#7e57c2"
DETAIL = "#546e7a"

_ENGINES = {Layout.DOT: "dot", Layout.CLUSTERS: "dot", Layout.HUBS: "dot", Layout.SFDP: "sfdp"}


def engine(layout: Layout) -> str:
    """The Graphviz program that lays out a layout."""
    return _ENGINES[layout]


def quote(text: str) -> str:
    """A DOT double-quoted string; newlines become centred line breaks."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n") + '"'


def html(text: str) -> str:
    """Text for an HTML-like label."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


class Html(str):
    """An HTML-like label that this module built (its text parts through :func:`html`): the only value
    :func:`attrs` writes unquoted. Any other string is quoted, whatever it looks like: a network named
    ``<z>, URL="javascript:..."`` stays a name."""


def attrs(values: Mapping[str, str | None]) -> str:
    """`` [a="1", b=<...>]`` in the given order; ``None`` values are left out; :class:`Html` labels raw."""
    parts = []
    for key, value in values.items():
        if value is None:
            continue
        parts.append(f"{key}={value}" if isinstance(value, Html) else f"{key}={quote(value)}")
    return f" [{', '.join(parts)}]" if parts else ""


def _node_label(node: Node) -> Html:
    title = html(node.title)
    colour = COLOURS[node.status] if node.status in (Status.ERROR, Status.WARNING) else None
    head = f"<b>{title}</b>" if colour is None else f'<font color="{colour}"><b>{title}</b></font>'
    lines = [head]
    for line in node.details:
        lines.append(f'<font point-size="9" color="{DETAIL}">{html(line)}</font>')
    if node.rules:
        lines.append(
            f'<font point-size="9" color="{COLOURS[node.status]}"><b>{" ".join(node.rules)}</b></font>'
        )
    return Html("<" + "<br/>".join(lines) + ">")


def _node_style(node: Node, layout: Layout) -> dict[str, str | None]:
    style: dict[str, str | None] = {"id": node.key, "label": _node_label(node)}
    kind = node.kind
    if kind is NodeKind.SERVICE:
        proxy = bool(node.data.get("proxy"))
        style.update(fillcolor="#fff8e1" if proxy else "white")
        if node.data.get("proxy_config") == "not visible":
            style.update(style="rounded,filled,dashed")
        state = node.data.get("state")
        if state is not None and state != "running":
            # Live: a container that is not running answers nothing.
            style.update(style="rounded,filled,dashed", fillcolor="#eeeeee")
    elif kind is NodeKind.NETWORK:
        internal = bool(node.data.get("internal"))
        bridge = bool(node.data.get("default_bridge"))
        style.update(
            shape="box",
            style="filled,dashed" if internal else "filled",
            fillcolor="#eeeeee" if bridge else NETWORK_FILL,
            color=NETWORK_LINE,
        )
        if layout in (Layout.HUBS, Layout.SFDP):
            style.update(shape="box3d" if not bridge else "box", penwidth="1.5")
    elif kind is NodeKind.HOST:
        style.update(shape="box3d", fillcolor="#e0e0e0", color="#424242")
    elif kind is NodeKind.VOLUME:
        style.update(shape="cylinder", style="filled", fillcolor="#f3ead8", color="#8d6e63")
    elif kind in (NodeKind.UNRESOLVED, NodeKind.SOCKET):
        style.update(style="rounded,filled,bold", fillcolor="#fdecea", color=COLOURS[Status.ERROR])
    elif kind is NodeKind.LOOPBACK:
        style.update(style="rounded,dashed", color=DETAIL)
    else:  # external, address, dynamic: outside what dockernet can see
        style.update(style="rounded,dashed", color=COLOURS[Status.UNKNOWN])
    if node.status in (Status.ERROR, Status.WARNING) and kind in (NodeKind.SERVICE, NodeKind.NETWORK):
        style.update(color=COLOURS[node.status], penwidth="2")
    style["tooltip"] = " · ".join((node.title, *node.details))
    return style


def _edge_label(edge: Edge) -> str:
    if edge.rules:
        return edge.label + "\n" + " ".join(edge.rules)
    return edge.label


def _edge_style(edge: Edge, layout: Layout) -> dict[str, str | None]:
    style: dict[str, str | None] = {"id": edge.key, "class": f"{edge.kind.value} {edge.status.value}"}
    if edge.kind is EdgeKind.ATTACH:
        style.update(arrowhead="none", color=CLUSTER_LINE if layout is not Layout.SFDP else NETWORK_LINE)
        if layout is Layout.DOT:
            style.update(style="dashed", penwidth="1.2", color=NETWORK_LINE)
        return style
    if edge.kind is EdgeKind.PUBLISH:
        style.update(label=edge.label, color=PUBLISH, fontcolor=PUBLISH, tooltip=edge.tooltip)
        return style
    colour = COLOURS[edge.status]
    style.update(
        label=_edge_label(edge),
        color=colour,
        fontcolor=colour,
        penwidth="2.2" if edge.status is Status.ERROR else "1.5",
        style="dashed" if edge.status is Status.UNKNOWN else None,
        tooltip=edge.tooltip + ("\n" + " ".join(edge.rules) if edge.rules else ""),
    )
    return style


def _legend(scene: Scene, layout: Layout) -> str:
    """The key to what this diagram uses (and nothing it does not)."""
    statuses = {e.status for e in scene.edges if e.kind is EdgeKind.ROUTE}
    kinds = {n.kind for n in scene.nodes}
    rows = [
        (sym, colour, text)
        for status, sym, colour, text in (
            (Status.OK, "━━▶", COLOURS[Status.OK], "route resolves"),
            (Status.ERROR, "━━▶", COLOURS[Status.ERROR], "route broken (rule ID)"),
            (Status.WARNING, "━━▶", COLOURS[Status.WARNING], "route with a warning (rule ID)"),
            (Status.UNKNOWN, "╍╍▶", COLOURS[Status.UNKNOWN], "decided at run time / outside Docker"),
        )
        if status in statuses
    ]
    if any(e.kind is EdgeKind.PUBLISH for e in scene.edges):
        rows.append(("━━▶", PUBLISH, "published port (host → container)"))
    attached = any(
        e.kind is EdgeKind.ATTACH and (layout is not Layout.DOT or not e.implied) for e in scene.edges
    )
    if attached and layout is not Layout.CLUSTERS:
        rows.append(("╍╍╍" if layout is Layout.DOT else "━━━", NETWORK_LINE, "attached to network"))
    cells = [
        f'<tr><td align="left"><font color="{colour}">{html(sym)}</font></td>'
        f'<td align="left"><font point-size="9">{html(text)}</font></td></tr>'
        for sym, colour, text in rows
    ]
    boxes = []
    if NodeKind.NETWORK in kinds:
        hub = layout in (Layout.HUBS, Layout.SFDP)
        internal = any(n.data.get("internal") for n in scene.networks)
        boxes.append(
            (NETWORK_FILL if hub else CLUSTER_FILL, "network" + (" (dashed: internal)" if internal else ""))
        )
    if any(n.kind is NodeKind.SERVICE and n.data.get("proxy") for n in scene.nodes):
        boxes.append(("#fff8e1", "proxy (nginx)"))
    if kinds & {NodeKind.UNRESOLVED, NodeKind.SOCKET}:
        boxes.append(("#fdecea", "what a broken route names"))
    cells += [
        f'<tr><td bgcolor="{fill}"> </td><td align="left"><font point-size="9">{html(text)}</font></td></tr>'
        for fill, text in boxes
    ]
    if scene.groups:
        cells.append(
            f'<tr><td><font color="{NETNS_LINE}">┆</font></td>'
            '<td align="left"><font point-size="9">shared network namespace</font></td></tr>'
        )
    if layout is Layout.CLUSTERS and any(e.kind is EdgeKind.ATTACH and not e.implied for e in scene.edges):
        cells.append(
            f'<tr><td><font color="{DETAIL}">┆↗</font></td>'
            '<td align="left"><font point-size="9">also on this network; drawn in ↗ network</font></td></tr>'
        )
    return (
        '<<table border="0" cellborder="0" cellspacing="1" cellpadding="2">'
        '<tr><td colspan="2"><b>legend</b></td></tr>' + "".join(cells) + "</table>>"
    )


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.depth = 0

    def line(self, text: str) -> None:
        self.lines.append("    " * self.depth + text)

    def open(self, text: str) -> None:
        self.line(text + " {")
        self.depth += 1

    def close(self) -> None:
        self.depth -= 1
        self.line("}")


def _graph_attrs(scene: Scene, layout: Layout) -> dict[str, str | None]:
    base: dict[str, str | None] = {
        "layout": engine(layout),
        "label": f"dockernet · {scene.title}",
        "labelloc": "t",
        "fontname": FONT,
        "fontsize": "14",
        "bgcolor": "white",
        "pad": "0.3",
        "outputorder": "edgesfirst",
    }
    if layout is Layout.SFDP:
        base.update(overlap="prism", overlap_scaling="-4", splines="false", sep="+6", K="1.2")
    elif layout is Layout.CLUSTERS:
        base.update(rankdir="LR", compound="true", nodesep="0.18", ranksep="0.5", pack="16", packmode="graph")
    else:
        base.update(rankdir="LR", newrank="true", compound="true", nodesep="0.18", ranksep="0.55")
    return base


def render(scene: Scene, layout: Layout = Layout.DOT) -> str:
    """DOT source for the scene, drawn the way ``layout`` says (never ``AUTO``: choose first)."""
    if layout is Layout.AUTO:
        raise ValueError("choose a layout first (render.layout.choose)")
    w = _Writer()
    w.open("digraph dockernet")
    w.line("graph" + attrs(_graph_attrs(scene, layout)) + ";")
    w.line(
        "node"
        + attrs(
            {
                "shape": "box",
                "style": "rounded,filled",
                "fontname": FONT,
                "fontsize": "10",
                "color": COLOURS[Status.PLAIN],
                "margin": "0.08,0.04",
            }
        )
        + ";"
    )
    w.line("edge" + attrs({"fontname": FONT, "fontsize": "8", "color": COLOURS[Status.PLAIN]}) + ";")
    if layout is Layout.CLUSTERS:
        # The legend goes in the graph's label, under the title: as a node of its own it is one more
        # component to pack, and Graphviz 2.43's packing leaves a band as high as the legend again above the
        # boxes (sentry: 1,089 pt high with the node, 841 pt without).
        legend = _legend(scene, layout)[1:-1]
        title = html(f"dockernet · {scene.title}")
        label = (
            f'<<table border="0" cellborder="0"><tr><td>{title}</td></tr><tr><td>{legend}</td></tr></table>>'
        )
        w.line("graph" + attrs({"label": label}) + ";")
    else:
        w.line(f'legend [id="legend", shape="plaintext", style="", label={_legend(scene, layout)}];')
    if layout is Layout.CLUSTERS:
        _write_grid(w, scene)
    else:
        _write_single(w, scene, layout)
    w.close()
    return "\n".join(w.lines) + "\n"


def _write_single(w: _Writer, scene: Scene, layout: Layout) -> None:
    """One layout of the whole graph: networks as clusters (DOT) or as nodes (HUBS, SFDP)."""
    clustered = layout is Layout.DOT
    # Label nodes for dot's layouts; sfdp places labels well and would be pulled about by extra nodes.
    label_nodes = layout is not Layout.SFDP
    # With networks as clusters, a service sits in one of them; a dashed line to the border of each of its
    # other networks says it is on them too (the line ends at an invisible anchor, clipped by lhead).
    edges = [e for e in scene.edges if not (e.kind is EdgeKind.ATTACH and clustered and e.implied)]
    nodes = {n.id: n for n in scene.nodes}
    labels: dict[tuple[str | None, str | None], list[str]] = defaultdict(list)
    if label_nodes:
        for e in edges:
            line = _label_node(e, e.source, e.target, layout) if e.kind is not EdgeKind.ATTACH else None
            if line is not None:
                home, group = _label_place(nodes[e.source], nodes[e.target])
                labels[(home if clustered else None, group)].append(line)
    _write_nodes(w, scene, layout, clustered, edges, labels)
    for edge in edges:
        if label_nodes and edge.kind is not EdgeKind.ATTACH:
            for line in _label_edges(edge, edge.source, edge.target, layout):
                w.line(line)
            continue
        style = _edge_style(edge, layout)
        target = edge.target
        if clustered and edge.kind is EdgeKind.ATTACH:
            target = "anchor:" + edge.target
            style.update(lhead="cluster_" + edge.target)
        w.line(f"{quote(edge.source)} -> {quote(target)}{attrs(style)};")


def _label_place(source: Node, target: Node) -> tuple[str | None, str | None]:
    """(network cluster, namespace group) an edge's label node is drawn in: the innermost one holding both
    ends, so that a line inside a cluster stays inside it."""
    if source.home != target.home:
        return (None, None)
    group = source.group if source.group is not None and source.group == target.group else None
    return (source.home, group)


def _write_node(
    w: _Writer, node: Node, layout: Layout, name: str | None = None, stub_of: str | None = None
) -> None:
    style = _node_style(node, layout)
    if stub_of is not None:
        style.update(id=None, label=_stub_label(node, stub_of), style="rounded,dashed", fillcolor=None)
    w.line(quote(name or node.id) + attrs(style) + ";")


def _stub_label(node: Node, home: str) -> Html:
    """A service drawn in a network box that is not its home: its name and where it lives."""
    return Html(
        f'<<b>{html(node.title)}</b><br/><font point-size="9" color="{DETAIL}">↗ {html(home)}</font>>'
    )


def _write_group(
    w: _Writer,
    group: Group,
    nodes: Mapping[str, Node],
    layout: Layout,
    rename: Mapping[str, str] | None = None,
    labels: Mapping[tuple[str | None, str | None], list[str]] | None = None,
    clustered: bool = True,
) -> None:
    w.open(f"subgraph {quote('cluster_' + group.id)}")
    w.line(
        "graph"
        + attrs(
            {
                "label": group.title,
                "style": "dashed,rounded",
                "color": NETNS_LINE,
                "fontcolor": NETNS_LINE,
                "fontsize": "9",
                "bgcolor": "white" if group.home else None,
            }
        )
        + ";"
    )
    for m in group.members:
        if m in nodes:
            _write_node(w, nodes[m], layout, (rename or {}).get(m))
    for line in (labels or {}).get((group.home if clustered else None, group.id), []):
        w.line(line)
    w.close()


ISOLATED_ASPECT = 2.5
"""Width over height aimed at for the block of nodes no edge touches: a 1400 x 900 screen, less the HTML's
findings panel, with the routes and the legend below the block."""


def _size(node: Node | None) -> tuple[float, float]:
    """Rough size in points of a node's box with the space around it (``_node_label``: 10 pt bold title,
    9 pt details; ``ranksep`` 0.5 in, ``nodesep`` 0.18 in). Only used to shape the grid of lone nodes."""
    if node is None:
        return 120.0 + 36, 36.0 + 13
    chars = max([len(node.title) * 6.2] + [len(line) * 5.3 for line in node.details])
    return chars + 16 + 36, 12.0 * (1 + len(node.details)) + 12 + 13


def _wrap_isolated(
    w: _Writer, names: list[str], linked: set[str], nodes: Mapping[str, Node] | None = None
) -> None:
    """Lay nodes that no edge touches out in a grid instead of one long column: invisible edges chain them
    into rows (``rankdir=LR`` makes a chain a row). Boxes are wider than high, so a grid of as many columns
    as rows is a strip 3x wider than high (sentry's 51 lone services: 3,400 x 1,100 px, fitted to a window
    at 33 %); the number of columns is chosen from the boxes' estimated size for :data:`ISOLATED_ASPECT`."""
    alone = [n for n in names if n not in linked]
    if len(alone) < 4:
        return
    sizes = [_size((nodes or {}).get(n.split("@", 1)[0])) for n in alone]
    # A column is as wide as its widest box: count the mean width high.
    cell_w = 1.15 * sum(s[0] for s in sizes) / len(sizes)
    cell_h = sum(s[1] for s in sizes) / len(sizes)
    width = max(2, min(len(alone), round(math.sqrt(ISOLATED_ASPECT * len(alone) * cell_h / cell_w))))
    for i in range(0, len(alone), width):
        row = alone[i : i + width]
        for a, b in itertools.pairwise(row):
            w.line(f"{quote(a)} -> {quote(b)} [style=invis];")


def _write_nodes(
    w: _Writer,
    scene: Scene,
    layout: Layout,
    clustered: bool,
    edges: list[Edge],
    labels: Mapping[tuple[str | None, str | None], list[str]],
) -> None:
    nodes = {n.id: n for n in scene.nodes}
    grouped = {m for g in scene.groups for m in g.members}
    linked = {e.source for e in edges} | {e.target for e in edges}
    inside: dict[str | None, list[Node]] = defaultdict(list)
    groups_in: dict[str | None, list[Group]] = defaultdict(list)
    for g in scene.groups:
        groups_in[g.home if clustered else None].append(g)
    for n in scene.nodes:
        if n.id in grouped or (clustered and n.kind is NodeKind.NETWORK):
            continue
        inside[n.home if clustered else None].append(n)
    if clustered:
        for net in scene.networks:
            _open_box(w, net)
            for n in inside.get(net.id, []):
                _write_node(w, n, layout)
            for g in groups_in.get(net.id, []):
                _write_group(w, g, nodes, layout, labels=labels)
            for line in labels.get((net.id, None), []):
                w.line(line)
            names = [n.id for n in inside.get(net.id, [])]
            if any(e.kind is EdgeKind.ATTACH and e.target == net.id for e in edges):
                w.line(f'{quote("anchor:" + net.id)} [shape="point", style="invis", width="0.01", label=""];')
            elif not names and not groups_in.get(net.id):
                w.line(f'{quote("empty@" + net.id)} [label="no containers", shape="plaintext", style=""];')
            _wrap_isolated(w, names, linked, nodes)
            w.close()
    for g in groups_in.get(None, []):
        _write_group(w, g, nodes, layout, labels=labels, clustered=clustered)
    for n in inside.get(None, []):
        _write_node(w, n, layout)
    for line in labels.get((None, None), []):
        w.line(line)


# ------------------------------------------------------------------------------------------------- grid


def _box_of(edge: Edge, nodes: Mapping[str, Node]) -> str | None:
    """The network box an edge is drawn in (grid layout)."""
    if edge.kind is EdgeKind.ROUTE and edge.via is not None:
        return edge.via
    if edge.kind is EdgeKind.PUBLISH:
        return nodes[edge.target].home
    return nodes[edge.source].home


def _write_grid(w: _Writer, scene: Scene) -> None:
    """Every network is a box laid out on its own, and Graphviz packs the boxes in a grid: no line
    crosses from one box to another. A service drawn in its home box appears in each of its other
    networks as a dashed stub (``↗ home``); a route is drawn in the box of the network it crosses."""
    nodes = {n.id: n for n in scene.nodes}
    grouped = {m for g in scene.groups for m in g.members}
    boxed: dict[str | None, list[Edge]] = defaultdict(list)
    for e in scene.edges:
        if e.kind is not EdgeKind.ATTACH:
            boxed[_box_of(e, nodes)].append(e)
    members: dict[str, list[str]] = defaultdict(list)
    for e in scene.edges:
        if e.kind is EdgeKind.ATTACH:
            members[e.target].append(e.source)
    home_title = {n.id: nodes[n.home].title for n in scene.nodes if n.home in nodes}
    for net in scene.networks:
        box = net.id
        mine = [
            n for n in scene.nodes if n.home == box and n.id not in grouped and n.kind is not NodeKind.NETWORK
        ]
        rename: dict[str, str] = {}
        stubs: list[str] = sorted(
            {m for m in members.get(box, []) if nodes[m].home != box and m not in grouped}
            | {x for e in boxed.get(box, []) for x in (e.source, e.target) if nodes[x].home != box}
            - {g for g in grouped if any(gr.home == box and g in gr.members for gr in scene.groups)}
        )
        for s in stubs:
            rename[s] = f"{s}@{box}"
        _open_box(w, net)
        names = []
        for n in mine:
            _write_node(w, n, Layout.CLUSTERS)
            names.append(n.id)
        for g in scene.groups:
            if g.home == box:
                _write_group(w, g, nodes, Layout.CLUSTERS)
        for s in stubs:
            node = nodes[s]
            if node.kind is NodeKind.SERVICE:
                _write_node(w, node, Layout.CLUSTERS, rename[s], stub_of=home_title.get(s, "no network"))
            else:
                _write_node(w, node, Layout.CLUSTERS, rename[s])
            names.append(rename[s])
        if not names and not any(g.home == box for g in scene.groups):
            w.line(f'{quote("empty@" + box)} [label="no containers", shape="plaintext", style=""];')
        box_edges = boxed.get(box, [])
        linked = {rename.get(x, x) for e in box_edges for x in (e.source, e.target)}
        _wrap_isolated(w, names, linked, nodes)
        for e in box_edges:
            _write_labelled_edge(
                w, e, rename.get(e.source, e.source), rename.get(e.target, e.target), Layout.CLUSTERS
            )
        w.close()
    # Outside every network: the host's namespace, services without a network, and what they reach.
    for g in scene.groups:
        if g.home is None:
            _write_group(w, g, nodes, Layout.CLUSTERS)
    loose = {x for e in boxed.get(None, []) for x in (e.source, e.target)}
    for n in scene.nodes:
        outside = n.home is None and n.id not in grouped and n.kind is not NodeKind.NETWORK
        if outside and (n.id in loose or n.kind is NodeKind.SERVICE):
            _write_node(w, n, Layout.CLUSTERS)
    for e in boxed.get(None, []):
        _write_labelled_edge(w, e, e.source, e.target, Layout.CLUSTERS)


def _write_labelled_edge(w: _Writer, edge: Edge, source: str, target: str, layout: Layout) -> None:
    """An edge whose label is a node of its own on the line (see :func:`_label_node`)."""
    node = _label_node(edge, source, target, layout)
    if node is not None:
        w.line(node)
    for line in _label_edges(edge, source, target, layout):
        w.line(line)


def _label_name(edge: Edge, source: str, target: str) -> str:
    return f"{source}>{target}#{edge.key}"


def _label_node(edge: Edge, source: str, target: str, layout: Layout) -> str | None:
    """The label of an edge as a plain-text node that the line passes through. Graphviz 2.4x's ``dot``
    drops edge labels when it packs components (``pack``, the grid layout), and places labels of lines
    between clusters where they read as another line's; a label that is a node sits on its own line."""
    label = _edge_style(edge, layout).get("label")
    if not label:
        return None
    text: dict[str, str | None] = {
        "label": label,
        "shape": "plaintext",
        "style": "",
        "fontsize": "8",
        "fontcolor": _edge_style(edge, layout).get("fontcolor") or COLOURS[Status.PLAIN],
        "margin": "0.02",
        "width": "0",
        "height": "0",
        "id": edge.key + "-label",
    }
    return f"{quote(_label_name(edge, source, target))}{attrs(text)};"


def _label_edges(edge: Edge, source: str, target: str, layout: Layout) -> list[str]:
    style = _edge_style(edge, layout)
    if not style.pop("label", None):
        return [f"{quote(source)} -> {quote(target)}{attrs(style)};"]
    mid = _label_name(edge, source, target)
    first = dict(style, arrowhead="none", id=edge.key + "-a")
    return [
        f"{quote(source)} -> {quote(mid)}{attrs(first)};",
        f"{quote(mid)} -> {quote(target)}{attrs(style)};",
    ]


def _open_box(w: _Writer, net: Node) -> None:
    """The cluster of a network, labelled with its name, driver, subnets and gateways."""
    internal = bool(net.data.get("internal"))
    bridge = bool(net.data.get("default_bridge"))
    w.open(f"subgraph {quote('cluster_' + net.id)}")
    style: dict[str, str | None] = {
        "label": _box_label(net),
        "labeljust": "l",
        "style": "rounded,filled" + (",dashed" if internal else ""),
        "fillcolor": "#f0f0f0" if bridge else CLUSTER_FILL,
        "color": COLOURS[net.status] if net.rules else NETWORK_LINE,
        "penwidth": "2" if net.rules else None,
        "id": net.key,
        "fontsize": "10",
        "tooltip": " · ".join((net.title, *net.details)),
    }
    w.line("graph" + attrs(style) + ";")


def _box_label(net: Node) -> Html:
    details = " · ".join(net.details)
    rules = f' <font color="{COLOURS[net.status]}"><b>{" ".join(net.rules)}</b></font>' if net.rules else ""
    return Html(
        f'<<b>{html(net.title)}</b> <font point-size="9" color="{DETAIL}">{html(details)}</font>{rules}>'
    )


def node_ids(scene: Scene) -> Iterable[str]:
    """Every node id the DOT source declares (for tests)."""
    return [n.id for n in scene.nodes]
