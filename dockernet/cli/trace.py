"""``dockernet trace``: follow one request (a URL, or a proxy and a location) hop by hop, from the host's
published port to the process that answers it, with the verdict of each hop and the rule and fix of the
one that breaks it. The hops are :mod:`dockernet.pipeline.trace`; the reports :mod:`dockernet.output.trace`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from dockernet.cli.common import colour, guarded, write
from dockernet.cli.options import (
    OptApache,
    OptCaddy,
    OptConfig,
    OptDebug,
    OptEngineHost,
    OptEnvFile,
    OptFile,
    OptHAProxy,
    OptNginx,
    OptOutput,
    OptProfile,
    OptProjectName,
    OptTraefik,
)
from dockernet.errors import ExitStatus, UsageError

if TYPE_CHECKING:
    from dockernet.model.trace import Trace
    from dockernet.pipeline import Analysis


def trace(
    target: Annotated[
        Optional[str],
        typer.Argument(
            metavar="URL|PROXY",
            help="The URL a client asks for (http://localhost:8080/api/), or a proxy service's name.",
            show_default=False,
        ),
    ] = None,
    location: Annotated[
        Optional[str],
        typer.Argument(
            metavar="[LOCATION]",
            help="With a proxy: the route (/api/, '= /x', a Traefik router) or a request path.",
            show_default=False,
        ),
    ] = None,
    trace_all: Annotated[bool, typer.Option("--all", help="Trace every route of every proxy.")] = False,
    project_dir: Annotated[
        Optional[list[Path]],
        typer.Option("-d", "--dir", metavar="DIR", help="Project directory (repeatable; default: here)."),
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
    engine: Annotated[
        bool,
        typer.Option("--engine", help="Trace what runs on the Docker engine (read-only), like scan."),
    ] = False,
    host: OptEngineHost = None,
    fmt: Annotated[str, typer.Option("--format", metavar="FORMAT", help="text or json.")] = "text",
    output: OptOutput = None,
    png: Annotated[
        Optional[Path],
        typer.Option("--png", metavar="FILE", help="Also draw the traced proxies and their routes as PNG."),
    ] = None,
    config_file: OptConfig = None,
    debug: OptDebug = False,
) -> None:
    """Follow a request through the proxy, hop by hop, and say which hop breaks it.

    Hops: client, published port, proxy listener, route match, upstream lookup, network, target
    container and port, listener, state. Verdicts: reachable, unreachable, ambiguous, undetermined.
    Exit status 1 when a trace is unreachable or ambiguous.

    Examples:

      dockernet trace http://localhost:8080/api/users        # the compose project here

      dockernet trace nginx /api/ -d ./shop

      dockernet trace --all --format json

      dockernet trace --engine https://shop.example/api/
    """
    from dockernet import pipeline
    from dockernet.output import trace as out
    from dockernet.pipeline import trace as tracing
    from dockernet.pipeline.config import for_run

    if fmt not in ("text", "json"):
        raise typer.Exit(_usage(f"--format {fmt}: use text or json"))

    def work() -> tuple[tuple[Trace, ...], bytes | None]:
        if not trace_all and not target:
            raise UsageError("give a URL, a proxy and a location, or --all")
        if trace_all and (target or location):
            raise UsageError("--all traces every route: leave out the URL or proxy")
        cfg = for_run(Path.cwd(), config_file)
        analysis: Analysis
        if engine or host:
            if project_dir or file:
                raise UsageError("--engine traces what runs on the engine: leave out -d and -f")
            from dockernet.pipeline.scan import live_analysis

            analysis = live_analysis(cfg, host, environ=dict(os.environ))
        else:
            from dockernet.pipeline.requests import ComposeRequest

            request = ComposeRequest.of(
                project_dir or (),
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
            )
            analysis = pipeline.analyse(pipeline.load_static(request), cfg)
        if trace_all:
            traces = tracing.trace_all(analysis)
        elif location is not None:
            assert target is not None
            traces = tracing.trace_location(analysis, target, location)
        else:
            assert target is not None
            traces = tracing.trace_url(analysis, target)
        traces = tracing.hidden(analysis, traces)
        picture = None
        if png is not None:
            from dockernet import render

            services = tuple(dict.fromkeys(t.proxy for t in traces if t.proxy))
            picture = render.draw_analysis(analysis, "png", services=services).data
        return traces, picture

    traces, picture = guarded(work, debug, output)
    from dockernet.model import safe

    traces = safe.deep(traces)
    if fmt == "json":
        write(output, out.render_json(traces))
    else:
        write(output, out.render_text(traces, colour=output is None and colour(sys.stdout)))
    if png is not None and picture is not None:
        write(png, picture)
    failing = any(t.verdict.value in ("unreachable", "ambiguous") for t in traces)
    raise typer.Exit(ExitStatus.FINDINGS if failing else ExitStatus.OK)


def _usage(message: str) -> int:
    typer.echo(f"dockernet: error: {message}", err=True)
    return int(ExitStatus.USAGE)
