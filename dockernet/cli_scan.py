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
from collections.abc import Iterable, Mapping
from dataclasses import replace
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
    emit,
    exit_status,
    guarded,
    load_config,
)
from dockernet.findings import Finding, Severity
from dockernet.model import Loc, Topology

if TYPE_CHECKING:
    from dockernet.config import Config
    from dockernet.output.common import Report
    from dockernet.sources.engine import Live, Progress, ProxyRead, Scope
    from dockernet.sources.suppressions import Suppression

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


def inline_suppressions(files: Iterable[tuple[str, bytes]]) -> tuple[Suppression, ...]:
    """The ``# dockernet: ignore[...]`` comments of config files read out of containers (the pipeline's
    own scan reads files on this machine, where these paths name other files)."""
    from dockernet.sources.suppressions import MARKER, Suppression

    out: list[Suppression] = []
    for path, data in sorted(set(files)):
        if b"dockernet" not in data:
            continue
        for n, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), 1):
            m = MARKER.search(line)
            if m is None:
                continue
            codes = tuple(c.strip() for c in (m.group("codes") or "").split(",") if c.strip())
            out.append(Suppression(Loc(path, n), codes, own_line=line.lstrip().startswith("#")))
    return tuple(out)


def live_findings(findings: Iterable[Finding], live: Live, scope: Scope) -> tuple[Finding, ...]:
    """The findings about what the scope checks, each naming its container; the standalone pseudo-project
    is no project (``null``)."""
    out: list[Finding] = []
    for f in findings:
        key = (f.project or "", f.service) if f.service else None
        if not scope.everything and (key is None or key not in live.checked):
            continue
        container = live.containers.get(key) if key else None
        out.append(replace(f, container=container, project=f.project or None))
    return tuple(out)


def for_display(report: Report, container_files: Mapping[str, frozenset[str]]) -> Report:
    """The report with in-container paths written ``container:/path`` (text and GitHub annotations, where
    a bare ``/etc/nginx/...`` would name this machine's file); JSON keeps ``file`` and ``container``."""
    shown: list[Finding] = []
    for f in report.findings:
        if f.container and f.loc.file in container_files.get(f.container, frozenset()):
            f = replace(f, loc=Loc(f"{f.container}:{f.loc.file}", f.loc.line))
        shown.append(f)
    return replace(report, findings=tuple(shown))


def run_scan(
    scope: Scope,
    cfg: Config,
    host: str | None = None,
    allow_exec: bool = False,
    environ: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> tuple[Report, Mapping[str, frozenset[str]]]:
    """The whole scan as a function (the command and the benchmark call it): the report, and the files
    read out of each container by container name."""
    from dockernet import pipeline
    from dockernet.sources import engine

    session = engine.connect(host, environ, allow_exec=allow_exec)
    try:
        snap = engine.snapshot(session, scope, progress, configs=True)
        live = engine.build(snap, scope)
        read = engine.read_proxies(session, live, progress, snap.archives)
    finally:
        session.close()
    topology = _with_proxies(live.topology, read)
    inline = inline_suppressions((p, d) for files in read.files.values() for p, d in files.items())
    analysis = pipeline.analyse(topology, cfg, inline=inline)
    report = analysis.report()
    report = replace(report, findings=live_findings(report.findings, live, scope))
    by_container = {
        live.containers[key]: frozenset(files) for key, files in read.files.items() if key in live.containers
    }
    return report, by_container


def _with_proxies(topology: Topology, read: ProxyRead) -> Topology:
    return replace(
        topology,
        proxies=read.configs,
        partial=tuple(dict.fromkeys(topology.partial + read.partial)),
    )


def engine_context(topology: Topology, host: str | None = None) -> Topology:
    """``check --engine``: the static topology with the live engine as context. Two list calls, plus one
    inspect per container on a network that the checked projects use."""
    from dockernet.sources import engine

    nets = frozenset(n.name for p in topology.projects for n in p.networks.values())
    session = engine.connect(host)
    try:
        # A scope naming no existing network inspects nothing (strict=False ignores unknown names).
        scope = engine.Scope(networks=nets or frozenset({""}))
        snap = engine.snapshot(session, scope, strict=False)
    finally:
        session.close()
    return engine.context_for(topology, snap, scope)


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
    """
    from dockernet.sources.engine import Scope

    scope = Scope(
        projects=frozenset(project or ()),
        networks=frozenset(network or ()),
        containers=frozenset(container or ()),
    )
    bar = ProgressBar(enabled=sys.stderr.isatty() and "NO_COLOR" not in os.environ and output is None)

    def work() -> tuple[Report, Mapping[str, frozenset[str]], Severity]:
        cfg, _ = load_config(config_file, select, ignore)
        try:
            report, files = run_scan(scope, cfg, host=host, allow_exec=allow_exec, progress=bar)
        finally:
            bar.close()
        threshold = Severity(fail_on.value) if fail_on else (cfg.fail_on or Severity.ERROR)
        return report, files, threshold

    report, files, threshold = guarded(work, debug)
    shown = for_display(report, files) if fmt in (Format.text, Format.github) else report
    emit(shown, fmt, output)
    raise typer.Exit(exit_status(report, threshold))


def register(app: typer.Typer) -> None:
    """Add the ``scan`` command to the CLI."""
    app.command("scan")(scan)
