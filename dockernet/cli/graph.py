"""``dockernet graph``: draw the topology, with every proxy route coloured by what the rules found.

The same sources and analysis as ``check`` (or, with ``--engine``, as ``scan``); :mod:`dockernet.render`
draws it in the format the output file's extension names, and this module writes it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from dockernet.cli.common import guarded, warn, write
from dockernet.cli.options import (
    ArgDirs,
    OptApache,
    OptCaddy,
    OptConfig,
    OptDebug,
    OptEngineHost,
    OptEnvFile,
    OptFile,
    OptHAProxy,
    OptHostNginx,
    OptHostProxy,
    OptNginx,
    OptProfile,
    OptProjectName,
    OptTraefik,
)
from dockernet.errors import UsageError
from dockernet.render.layout import Layout

if TYPE_CHECKING:
    from dockernet.render import Drawing


def graph(
    dirs: ArgDirs = None,
    output: Annotated[
        Optional[Path],
        typer.Option(
            "-o",
            "--output",
            help="Diagram file; its extension is the format: .png .svg .pdf (need Graphviz), .dot .mmd "
            ".json .html. Without it: DOT on stdout.",
        ),
    ] = None,
    fmt: Annotated[
        Optional[str],
        typer.Option(
            "--format",
            metavar="FORMAT",
            help="png, svg, pdf, dot, mmd, json or html (default: from the output file's extension).",
        ),
    ] = None,
    file: OptFile = None,
    project_name: OptProjectName = None,
    env_file: OptEnvFile = None,
    profile: OptProfile = None,
    nginx: OptNginx = None,
    caddy: OptCaddy = None,
    traefik: OptTraefik = None,
    haproxy: OptHAProxy = None,
    apache: OptApache = None,
    host_nginx: OptHostNginx = None,
    host_proxy: OptHostProxy = None,
    network: Annotated[
        Optional[list[str]],
        typer.Option(
            "--network",
            metavar="NAME",
            help="Only this network: its containers and the routes in and out (repeatable).",
        ),
    ] = None,
    service: Annotated[
        Optional[list[str]],
        typer.Option(
            "--service", metavar="NAME", help="Only this service and what it connects to (repeatable)."
        ),
    ] = None,
    no_ports: Annotated[bool, typer.Option("--no-ports", help="Leave out published ports.")] = False,
    hide_ok: Annotated[
        bool, typer.Option("--hide-ok", help="Only what a warning or error is about (and its networks).")
    ] = False,
    layout: Annotated[
        Layout,
        typer.Option(
            "--layout",
            help="auto (by size), dot (networks as clusters), clusters (one box per "
            "network, packed in a grid), hubs (networks as nodes), sfdp (force-directed).",
        ),
    ] = Layout.AUTO,
    engine: Annotated[
        bool, typer.Option("--engine", help="Draw what runs on the Docker engine (read-only), like scan.")
    ] = False,
    host: OptEngineHost = None,
    config_file: OptConfig = None,
    debug: OptDebug = False,
) -> None:
    """Draw the topology: networks, containers, published ports and every proxy route, green when it
    resolves, red with the rule ID when a finding breaks it.

    Examples:

      dockernet graph -o topology.png                 # the project in the current directory

      dockernet graph ./shop --hide-ok -o broken.svg  # only what is wrong

      dockernet graph -o topology.mmd                 # Mermaid, for a pull-request comment

      dockernet graph --engine -o live.html           # what runs now, with the findings beside it
    """
    from dockernet import pipeline, render
    from dockernet.pipeline.config import for_run

    def work() -> Drawing:
        chosen = fmt.lower().lstrip(".") if fmt else (render.format_for(str(output)) if output else "dot")
        if chosen not in render.FORMATS:
            raise UsageError(f"--format {fmt}: use one of {', '.join(render.FORMATS)}")
        cfg = for_run(Path.cwd(), config_file)
        if engine or host:
            if dirs or file:
                raise UsageError("--engine draws what runs on the engine: leave out directories and -f")
            from dockernet.pipeline.scan import live_analysis

            analysis = live_analysis(cfg, host, environ=dict(os.environ))
        else:
            from dockernet.pipeline.requests import ComposeRequest

            request = ComposeRequest.of(
                dirs or (),
                file or (),
                project_name,
                env_file or (),
                profile or (),
                os.environ,
                {
                    "nginx": nginx or (),
                    "caddy": caddy or (),
                    "traefik": traefik or (),
                    "haproxy": haproxy or (),
                    "apache": apache or (),
                },
                host_proxies=host_proxy or (),
                host_nginx=host_nginx or (),
            )
            topology = pipeline.load_static(request)
            warn(topology.notices)
            analysis = pipeline.analyse(topology, cfg)
        return render.draw_analysis(
            analysis,
            chosen,
            layout,
            networks=tuple(network or ()),
            services=tuple(service or ()),
            ports=not no_ports,
            hide_ok=hide_ok,
        )

    # Graphviz missing for .png/.svg/.pdf: one line with the install commands, exit status 5
    # (ExitStatus.GRAPHVIZ_MISSING).
    drawing = guarded(work, debug, output)
    for note in drawing.notes:
        typer.echo(f"dockernet: note: {note}", err=True)
    write(output, drawing.data)
