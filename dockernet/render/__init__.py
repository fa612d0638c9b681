"""Diagrams of the topology: ``dockernet graph``.

One run's graph, resolutions and findings (:func:`draw_analysis`) become a
:class:`~dockernet.render.scene.Scene` (what to show), which each format draws (:func:`draw`): :mod:`.dot`
(Graphviz DOT, and through Graphviz PNG/SVG/PDF), :mod:`.mermaid`, :mod:`.json` (networkx node-link) and
:mod:`.html` (the SVG beside the findings). :mod:`.layout` decides how networks are drawn. Every function
here returns the drawing; only the CLI writes files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING

from dockernet.errors import UsageError
from dockernet.render.layout import Layout, choose

EXTENSIONS = {
    ".png": "png",
    ".svg": "svg",
    ".pdf": "pdf",
    ".dot": "dot",
    ".gv": "dot",
    ".mmd": "mmd",
    ".mermaid": "mmd",
    ".json": "json",
    ".html": "html",
    ".htm": "html",
}
FORMATS = ("png", "svg", "pdf", "dot", "mmd", "json", "html")
NEEDS_GRAPHVIZ = frozenset({"png", "svg", "pdf"})

if TYPE_CHECKING:  # only annotations: keeps `import dockernet.cli` light
    from dockernet.pipeline import Analysis
    from dockernet.render.scene import Scene


def format_for(path: str) -> str:
    """The format a file name asks for, by its extension."""
    ext = PurePath(path).suffix.lower()
    if ext not in EXTENSIONS:
        known = ", ".join(sorted(EXTENSIONS))
        raise UsageError(f"{path}: unknown diagram format {ext or '(no extension)'}; use one of {known}")
    return EXTENSIONS[ext]


@dataclass(frozen=True)
class Drawing:
    """A finished diagram."""

    data: bytes
    layout: Layout
    """The layout used (``AUTO`` resolved)."""
    notes: tuple[str, ...] = ()
    """Things the user should know (e.g. the HTML has no picture because Graphviz is missing)."""


def draw(scene: Scene, fmt: str, layout: Layout = Layout.AUTO) -> Drawing:
    """The scene in format ``fmt`` (one of :data:`FORMATS`). PNG, SVG and PDF need Graphviz and raise
    :class:`~dockernet.render.image.GraphvizMissing` without it; the HTML then says so inside."""
    from dockernet.model import safe
    from dockernet.render import dot, image

    scene = safe.deep(scene, safe.visible_in_picture)
    chosen = choose(scene) if layout is Layout.AUTO else layout
    if fmt == "dot":
        return Drawing(dot.render(scene, chosen).encode(), chosen)
    if fmt == "mmd":
        from dockernet.render import mermaid

        text = mermaid.render(scene)
        notes: tuple[str, ...] = ()
        if len(text) > mermaid.GITHUB_MAX_TEXT:
            notes = (
                f"the Mermaid text is {len(text):,} characters; GitHub draws at most "
                f"{mermaid.GITHUB_MAX_TEXT:,}: {mermaid.NARROW}",
            )
        elif big := mermaid.too_big(scene):
            notes = (f"the Mermaid diagram has {big}",)
        return Drawing(text.encode(), chosen, notes)
    if fmt == "json":
        from dockernet.render import json as json_out

        return Drawing(json_out.render(scene, chosen).encode(), chosen)
    if fmt in NEEDS_GRAPHVIZ:
        return Drawing(image.render(dot.render(scene, chosen), fmt, dot.engine(chosen)), chosen)
    if fmt == "html":
        from dockernet.render import html

        engine = dot.engine(chosen)
        if not image.available(engine):
            missing = (f"the HTML has the findings but no picture: {image.INSTALL_HINT}",)
            return Drawing(html.render(scene, None).encode(), chosen, missing)
        svg = image.render(dot.render(scene, chosen), "svg", engine).decode()
        return Drawing(html.render(scene, svg).encode(), chosen)
    raise UsageError(f"unknown diagram format {fmt}; use one of {', '.join(FORMATS)}")


def draw_analysis(
    analysis: Analysis,
    fmt: str,
    layout: Layout = Layout.AUTO,
    networks: tuple[str, ...] = (),
    services: tuple[str, ...] = (),
    ports: bool = True,
    hide_ok: bool = False,
    base: str | None = None,
) -> Drawing:
    """The diagram of an analysis (``graph``, ``scan --png``): its scene, narrowed to ``networks`` and
    ``services`` when given, drawn by :func:`draw`."""
    from dockernet.model import safe
    from dockernet.render.build import build
    from dockernet.render.scene import Options

    opts = Options(networks=networks, services=services, ports=ports, hide_ok=hide_ok, base=base)
    scene = build(analysis.topo, analysis.resolved, analysis.findings, opts)
    return draw(safe.deep(scene, safe.redactor(analysis.topo.topology)), fmt, layout)
