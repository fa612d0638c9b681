"""``dockernet scan``: check what is running on a Docker engine, with the proxies' configs read out of their
containers. The same rules and outputs as ``check``; registered by :func:`register`.

The command only wires stages together: the engine source (:mod:`dockernet.sources.engine`) makes the
model, :mod:`dockernet.pipeline` analyses it, and this module narrows the findings to the scope, names the
container of each live finding and shows a progress bar when a scan takes longer than a second.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
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
    exit_status,
    guarded,
    load_config,
)
from dockernet.errors import UsageError
from dockernet.model import Loc, Route, Topology
from dockernet.model.findings import Finding, Severity

if TYPE_CHECKING:
    from dockernet.model.findings import Report
    from dockernet.model.logs import LinkedFinding, ProxyLog
    from dockernet.pipeline import Analysis
    from dockernet.pipeline.config import Config
    from dockernet.sources.engine import Engine, Live, Progress, ProxyRead, Scope, Snapshot
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
    from dockernet.sources.suppressions import scan_contents

    return scan_contents(files)


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


LOG_LINES = 200
"""Default number of recent log lines read per proxy container (``--log-lines``)."""


@dataclass(frozen=True)
class ScanResult:
    """Everything a scan produced: the report (findings narrowed to the scope), the analysis behind it (for
    ``--png``), the files read out of each container, and the error-log diagnosis per proxy."""

    report: Report
    analysis: Analysis
    files: Mapping[str, frozenset[str]]
    logs: tuple[ProxyLog, ...] = ()


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
    result = scan_engine(scope, cfg, host, allow_exec, environ, progress, log_lines=0)
    return result.report, result.files


def scan_engine(
    scope: Scope,
    cfg: Config,
    host: str | None = None,
    allow_exec: bool = False,
    environ: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    log_lines: int = LOG_LINES,
) -> ScanResult:
    """:func:`run_scan` with the analysis and, with ``log_lines`` > 0, the last ``log_lines`` lines of each
    checked proxy's log explained (one more GET per proxy)."""
    from dockernet import pipeline
    from dockernet.sources import engine

    session = engine.connect(host, environ, allow_exec=allow_exec)
    try:
        snap = engine.snapshot(session, scope, progress, configs=True)
        live = engine.build(snap, scope)
        read = engine.read_proxies(session, live, progress, snap.archives)
        raw_logs = read_logs(session, live, snap, read, log_lines) if log_lines > 0 else {}
        listening = engine.read_listening(session, live, read.configs)
    finally:
        session.close()
    topology = engine.with_listening(_with_proxies(live.topology, read), listening)
    inline = inline_suppressions((p, d) for files in read.files.values() for p, d in files.items())
    analysis = pipeline.analyse(topology, cfg, inline=inline)
    report = replace(analysis.report(), findings=live_findings(analysis.findings, live, scope))
    # Every finding of the analysis names its container too, for diagrams (graph --engine, scan --png).
    analysis = replace(
        analysis,
        findings=tuple(
            replace(f, container=live.containers.get((f.project or "", f.service or "")))
            for f in analysis.findings
        ),
    )
    by_container = {
        live.containers[key]: frozenset(files) for key, files in read.files.items() if key in live.containers
    }
    logs = diagnose_logs(raw_logs, live, read, report.findings, log_lines)
    return ScanResult(report=report, analysis=analysis, files=by_container, logs=logs)


def read_logs(
    session: Engine, live: Live, snap: Snapshot, read: ProxyRead, tail: int
) -> dict[tuple[str, str], list[str] | str]:
    """The last ``tail`` log lines of each proxy whose config was looked for (a GET each, 4 at a time),
    or the reason they could not be read, by (project, service)."""
    from concurrent.futures import ThreadPoolExecutor

    from dockernet.errors import EngineError
    from dockernet.sources.engine import INSPECT_THREADS, NotFound

    keys = [cfg.proxy for cfg in read.configs if cfg.proxy in live.ids]

    def one(key: tuple[str, str]) -> list[str] | str:
        cid = live.ids[key]
        tty = bool(((snap.inspects.get(cid) or {}).get("Config") or {}).get("Tty"))
        try:
            return session.logs(cid, tail, tty=tty)
        except NotFound:
            return "the container disappeared during the scan"
        except EngineError as e:
            return str(e)

    if not keys:
        return {}
    with ThreadPoolExecutor(max_workers=min(INSPECT_THREADS, len(keys))) as pool:
        return dict(zip(keys, pool.map(one, keys), strict=True))


def live_addresses(topology: Topology) -> dict[str, set[str]]:
    """IP address -> the names the container with that address answers to (service, container name,
    aliases, DNS names): what dockernet.logs maps an ``upstream:`` address with."""
    out: dict[str, set[str]] = {}
    for project in topology.projects:
        for svc in project.services.values():
            for att in svc.networks:
                if att.ip:
                    names = out.setdefault(att.ip, set())
                    names.update({svc.name, *att.aliases, *att.dns_names})
                    if svc.container_name:
                        names.add(svc.container_name)
    return out


def _hhmmss(time: str | None) -> str | None:
    return time.split(" ", 1)[1] if time and " " in time else time


def _target_text(route: Route) -> str:
    d = route.directive
    if d.unix_path is not None:
        return f"unix:{d.unix_path}"
    host = d.host or d.upstream or d.raw
    return f"{host}:{d.port}" if d.port and d.port_explicit else host


def _upstream_text(value: str | None, names: tuple[str, ...]) -> str | None:
    """``172.19.0.4:8000 (app)``: the address nginx connected to, without the URI (which can hold a token)."""
    from dockernet.dialects.nginx.errorlog import parse_upstream

    up = parse_upstream(value) if value else None
    if up is None:
        return None
    if up.unix_path is not None:
        text = f"unix:{up.unix_path}"
    elif up.host is None:
        return None
    else:
        host = f"[{up.host}]" if ":" in up.host else up.host
        text = f"{host}:{up.port}" if up.port else host
    shown = [n for n in names if not re.fullmatch(r"[0-9a-f]{12}", n)]  # the engine's short-ID alias
    return f"{text} ({', '.join(shown)})" if shown else text


def diagnose_logs(
    raw: Mapping[tuple[str, str], list[str] | str],
    live: Live,
    read: ProxyRead,
    findings: Iterable[Finding],
    tail: int,
) -> tuple[ProxyLog, ...]:
    """Each proxy's log lines classified (dockernet.logs), attributed to its routes through the live
    addresses, grouped by route and kind, and linked to the finding at that route (same file and line)."""
    from dockernet.dialects.nginx.errorlog import explain_line, parse_line
    from dockernet.model.logs import LogGroup, ProxyLog
    from dockernet.output.logs import short_message

    addresses = live_addresses(live.topology)
    configs = {cfg.proxy: cfg for cfg in read.configs}
    found = tuple(findings)
    out: list[ProxyLog] = []
    for key in sorted(raw):
        container = live.containers.get(key, key[1])
        project = key[0] or None
        lines = raw[key]
        if isinstance(lines, str):
            out.append(ProxyLog(container, project, key[1], 0, error=lines))
            continue
        cfg = configs.get(key)
        routes = cfg.routes if cfg else ()
        groups: dict[tuple[str, Loc | None], list[Any]] = {}
        for text in lines:
            event = explain_line(text, routes, addresses)
            if event is None:
                continue
            parsed = parse_line(text)
            groups.setdefault((event.code, event.route), []).append((event, parsed.time if parsed else None))
        made: list[LogGroup] = []
        for (code, loc), events in groups.items():
            first, last = events[0], events[-1]
            ev = last[0]
            route = next((r for r in routes if r.directive.loc == loc), None) if loc else None
            made.append(
                LogGroup(
                    code=code,
                    message=short_message(code, ev.details),
                    status=ev.status,
                    startup=ev.startup,
                    meaning=ev.meaning,
                    rules=ev.rules,
                    count=len(events),
                    first=_hhmmss(first[1]),
                    last=_hhmmss(last[1]),
                    location=ev.location,
                    route=loc,
                    target=_target_text(route) if route else None,
                    upstreams=tuple(
                        dict.fromkeys(
                            u for e, _ in events if (u := _upstream_text(e.upstream, e.upstream_names))
                        )
                    ),
                    finding=_linked(route, ev.rules, key, found) if route else None,
                )
            )
        made.sort(key=lambda g: (g.route is None, g.route or Loc(""), -g.count, g.code))
        out.append(ProxyLog(container, project, key[1], len(lines), tuple(made)))
    return tuple(out)


def _linked(
    route: Route, probable: tuple[str, ...], proxy: tuple[str, str], findings: tuple[Finding, ...]
) -> LinkedFinding | None:
    """The finding at the route's pass directive or one of its upstream servers: one of the rules the log
    line suggests first, else the most severe one there."""
    from dockernet.model.logs import LinkedFinding

    locs = {route.directive.loc, *(t.loc for t in route.targets)}
    here = [f for f in findings if f.loc in locs and f.service == proxy[1] and (f.project or "") == proxy[0]]
    if not here:
        return None
    here.sort(
        key=lambda f: (
            probable.index(f.rule) if f.rule in probable else len(probable),
            -f.severity.rank,
            f.rule,
        )
    )
    best = here[0]
    return LinkedFinding(best.rule, best.loc.file, best.loc.line)


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
        threshold = Severity(fail_on.value) if fail_on else (cfg.fail_on or Severity.ERROR)
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
    raise typer.Exit(exit_status(report, threshold))


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
