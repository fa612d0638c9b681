"""``dockernet scan``: check what is running on a Docker engine, with the proxies' configs read out of their
containers. The same rules and outputs as ``check``; the live pipeline is :mod:`dockernet.pipeline.scan`.

This module reads the options, shows a progress bar when a scan takes longer than a second, writes the
report (and the ``--png`` drawing) and exits with the status of the findings.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from dockernet.cli.common import colour, emit, guarded, write
from dockernet.cli.options import (
    Format,
    OptConfig,
    OptDebug,
    OptFailOn,
    OptFormat,
    OptIgnore,
    OptOutput,
    OptSelect,
)
from dockernet.cli.progress import ProgressBar

if TYPE_CHECKING:
    from dockernet.model.findings import Severity
    from dockernet.pipeline.scan import ScanResult

LOG_LINES = 200
"""Default number of recent log lines read per proxy container (``--log-lines``)."""


def scan(
    host: Annotated[
        Optional[str],
        typer.Option(
            "-H",
            "--host",
            metavar="HOST",
            help="Engine to scan: unix:///path, tcp://host:port or ssh://user@host "
            "(default: DOCKER_HOST, then the current docker context).",
        ),
    ] = None,
    project: Annotated[
        Optional[list[str]],
        typer.Option("--project", metavar="NAME", help="Only this compose project (repeatable)."),
    ] = None,
    network: Annotated[
        Optional[list[str]],
        typer.Option("--network", metavar="NAME", help="Only containers on this network (repeatable)."),
    ] = None,
    container: Annotated[
        Optional[list[str]],
        typer.Option("--container", metavar="NAME", help="Only this container, by name or ID (repeatable)."),
    ] = None,
    allow_exec: Annotated[
        bool,
        typer.Option(
            "--exec",
            help="Allow `nginx -T` through docker exec when a config cannot be read with the archive "
            "endpoint (a scan is otherwise read-only).",
        ),
    ] = False,
    log_lines: Annotated[
        int,
        typer.Option(
            "--log-lines",
            metavar="N",
            min=0,
            help="Read the last N lines of each proxy's log and explain nginx's upstream errors per route "
            "(0: do not read logs).",
        ),
    ] = LOG_LINES,
    png: Annotated[
        Optional[Path],
        typer.Option("--png", metavar="FILE", help="Also draw what was scanned, with the findings, as PNG."),
    ] = None,
    fmt: OptFormat = Format.text,
    output: OptOutput = None,
    fail_on: OptFailOn = None,
    select: OptSelect = None,
    ignore: OptIgnore = None,
    config_file: OptConfig = None,
    debug: OptDebug = False,
) -> None:
    """Check what runs on a Docker engine: containers, networks, and the nginx configs inside the proxies.

    Read-only: only GET requests reach the engine (unless --exec). Live findings name the container, and
    a config file as its path inside the container.

    Examples:

      dockernet scan                           # everything on the engine

      dockernet scan --project shop --format json

      dockernet scan --host ssh://me@staging --container shop-nginx-1

      dockernet scan --project shop --png topology.png
    """
    from dockernet import pipeline, render
    from dockernet.pipeline.config import for_run
    from dockernet.pipeline.scan import scan_engine
    from dockernet.sources.engine.snapshot import Scope

    scope = Scope(
        projects=frozenset(project or ()),
        networks=frozenset(network or ()),
        containers=frozenset(container or ()),
    )
    # Like colour: a terminal and no NO_COLOR; and never when the report goes to a file.
    bar = ProgressBar(enabled=colour(sys.stderr) and output is None)

    def work() -> tuple[ScanResult, Severity, bytes | None]:
        cfg = for_run(Path.cwd(), config_file, select or (), ignore or ())
        try:
            result = scan_engine(
                scope, cfg, host=host, allow_exec=allow_exec, progress=bar, log_lines=log_lines
            )
        finally:
            bar.close()
        picture = render.draw_analysis(result.analysis, "png").data if png is not None else None
        return result, pipeline.fail_threshold(fail_on, cfg), picture

    result, threshold, picture = guarded(work, debug, output)
    emit(result.report, fmt, output, result.logs if log_lines > 0 else None, result.files)
    if png is not None and picture is not None:
        write(png, picture)
    raise typer.Exit(pipeline.exit_status(result.report.findings, threshold))
