"""``dockernet scan``: check what is running on a Docker engine, with the proxies' configs read out of their
containers. The same rules and outputs as ``check``; registered by :func:`register`.

The command only wires stages together: the engine source (:mod:`dockernet.sources.engine`) makes the
model, :mod:`dockernet.pipeline` analyses it, and this module narrows the findings to the scope, names the
container of each live finding and shows a progress bar when a scan takes longer than a second.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from dockernet.cli import (
    Format,
    OptConfig,
    OptDebug,
    OptFailOn,
    OptFormat,
    OptIgnore,
    OptOutput,
    OptSelect,
    guarded,
    load_config,
)
from dockernet.errors import UsageError
from dockernet.model.findings import Severity

if TYPE_CHECKING:
    from dockernet.model.findings import Report
    from dockernet.model.logs import ProxyLog

PROGRESS_AFTER = 1.0
"""Seconds before the progress bar appears (quick scans print nothing but their report)."""


class ProgressBar:
    """A rich progress bar on stderr that appears only when the work takes longer than a second, and only
    on a terminal. Callable as the engine source's ``progress(phase, done, total)``, from any thread."""

    def __init__(self, enabled: bool, delay: float = PROGRESS_AFTER) -> None:
        self._enabled = enabled
        self._lock = threading.Lock()
        self._state: tuple[str, int, int] = ("connecting to the engine", 0, 0)
        self._bar: Any = None
        self._task: Any = None
        self._closed = False
        self._timer: threading.Timer | None = None
        if enabled:
            self._timer = threading.Timer(delay, self._show)
            self._timer.daemon = True
            self._timer.start()

    def _show(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with self._lock:
            if self._closed or self._bar is not None:
                return
            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            phase, done, total = self._state
            self._task = self._bar.add_task(phase, total=total or None, completed=done)
            self._bar.start()

    def __call__(self, phase: str, done: int, total: int) -> None:
        with self._lock:
            self._state = (phase, done, total)
            if self._bar is not None:
                self._bar.update(self._task, description=phase, completed=done, total=total or None)

    def close(self) -> None:
        """Remove the bar (it is transient) and stop the timer."""
        with self._lock:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
            if self._bar is not None:
                self._bar.stop()


LOG_LINES = 200
"""Default number of recent log lines read per proxy container (``--log-lines``)."""


def scan(
    host: Annotated[
        Optional[str],  # noqa: UP045 - typer needs Optional
        typer.Option(
            "-H",
            "--host",
            metavar="HOST",
            help="Engine to scan: unix:///path, tcp://host:port or ssh://user@host "
            "(default: DOCKER_HOST, then the current docker context).",
        ),
    ] = None,
    project: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--project", metavar="NAME", help="Only this compose project (repeatable)."),
    ] = None,
    network: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--network", metavar="NAME", help="Only containers on this network (repeatable)."),
    ] = None,
    container: Annotated[
        Optional[list[str]],  # noqa: UP045
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
        Optional[Path],  # noqa: UP045
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
    from dockernet.pipeline import exit_status, fail_threshold
    from dockernet.pipeline.scan import ScanResult, scan_engine
    from dockernet.sources.engine import Scope

    scope = Scope(
        projects=frozenset(project or ()),
        networks=frozenset(network or ()),
        containers=frozenset(container or ()),
    )
    bar = ProgressBar(enabled=sys.stderr.isatty() and "NO_COLOR" not in os.environ and output is None)

    def work() -> tuple[ScanResult, Severity, bytes | None]:
        cfg, _ = load_config(config_file, select, ignore)
        try:
            result = scan_engine(
                scope, cfg, host=host, allow_exec=allow_exec, progress=bar, log_lines=log_lines
            )
        finally:
            bar.close()
        threshold = fail_threshold(fail_on, cfg)
        picture = None
        if png is not None:
            from dockernet.cli.graph import draw

            picture = draw(result.analysis, "png").data
        return result, threshold, picture

    result, threshold, picture = guarded(work, debug)
    report = result.report
    emit_scan(report, fmt, output, result.logs if log_lines > 0 else None, result.files)
    if png is not None and picture is not None:
        try:
            png.write_bytes(picture)
        except OSError as e:
            typer.echo(f"dockernet: error: cannot write {png}: {e.strerror}", err=True)
            raise typer.Exit(UsageError.exit_status) from None
    raise typer.Exit(exit_status(report.findings, threshold))


def emit_scan(
    report: Report,
    fmt: Format,
    output: Path | None,
    logs: tuple[ProxyLog, ...] | None,
    container_files: Mapping[str, frozenset[str]],
) -> None:
    """:func:`dockernet.cli.emit` with the log diagnosis and the names of files read out of containers."""
    from dockernet.cli import _colour, _fail, render

    if output is None:
        sys.stdout.write(render(report, fmt, _colour(sys.stdout), logs, container_files))
        return
    try:
        output.write_text(render(report, fmt, False, logs, container_files), encoding="utf-8")
    except OSError as e:
        raise _fail(UsageError(f"cannot write {output}: {e.strerror}")) from None


def register(app: typer.Typer) -> None:
    """Add the ``scan`` command to the CLI."""
    app.command("scan")(scan)
