"""The live pipeline: a Docker engine's containers and networks, the proxies' configs read out of their
containers, the same analysis as ``check``, and the findings narrowed to what the scope checks
(``dockernet scan``, ``graph --engine``); and ``check --engine``, where the engine is only context for the
static model.

In order: connect, snapshot (lists and inspects), model (:func:`dockernet.sources.engine.build`), proxies'
configs, error logs (when asked), listening sockets; then :func:`dockernet.pipeline.analyse`, the
containers named on the findings, the scope, and the log diagnosis (:mod:`.logdiag`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from dockernet.model import Topology
from dockernet.model.findings import Finding, Report
from dockernet.model.logs import ProxyLog
from dockernet.pipeline import Analysis, analyse
from dockernet.pipeline.config import Config
from dockernet.pipeline.logdiag import diagnose_logs

if TYPE_CHECKING:
    from dockernet.sources.engine.build import Live
    from dockernet.sources.engine.client import Engine, Progress
    from dockernet.sources.engine.proxies import ProxyRead
    from dockernet.sources.engine.snapshot import Scope, Snapshot


@dataclass(frozen=True)
class ScanResult:
    """Everything a scan produced."""

    report: Report
    """The findings about what the scope checks, each naming its container."""
    analysis: Analysis
    """The analysis behind it, every finding naming its container (for diagrams: ``--png``, ``graph``)."""
    files: Mapping[str, frozenset[str]]
    """The config files read out of each container, by container name."""
    logs: tuple[ProxyLog, ...] = ()
    """The error-log diagnosis per proxy (empty unless log lines were asked for)."""


def scan_engine(
    scope: Scope,
    cfg: Config,
    host: str | None = None,
    allow_exec: bool = False,
    environ: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    log_lines: int = 0,
) -> ScanResult:
    """The whole scan (the command, ``graph --engine`` and the benchmark call it); with ``log_lines`` > 0,
    the last ``log_lines`` lines of each checked proxy's log explained (one more GET per proxy)."""
    from dockernet.sources.engine import build, client, procnet, proxies, snapshot

    session = client.connect(host, environ, allow_exec=allow_exec)
    try:
        snap = snapshot.snapshot(session, scope, progress, configs=True)
        live = build.build(snap, scope)
        read = proxies.read_proxies(session, live, progress, snap.archives)
        raw_logs = read_logs(session, live, snap, read, log_lines) if log_lines > 0 else {}
        listening = procnet.read_listening(session, live, read.configs)
    finally:
        session.close()
    topology = procnet.with_listening(_with_proxies(live.topology, read), listening)
    analysis = analyse(topology, cfg)
    # Every finding of the analysis names its container, for diagrams (graph --engine, scan --png); the
    # report keeps those about the scope.
    analysis = replace(analysis, findings=with_containers(analysis.findings, live))
    report = replace(analysis.report(), findings=live_findings(analysis.findings, live, scope))
    by_container = {
        live.containers[key]: frozenset(files) for key, files in read.files.items() if key in live.containers
    }
    logs = diagnose_logs(raw_logs, live, read, report.findings, log_lines)
    return ScanResult(report=report, analysis=analysis, files=by_container, logs=logs)


def live_analysis(cfg: Config, host: str | None = None, environ: Mapping[str, str] | None = None) -> Analysis:
    """What ``dockernet scan`` analyses (``graph --engine``): every container of the engine, configs read out
    of the proxies, no logs."""
    from dockernet.sources.engine.snapshot import Scope

    return scan_engine(Scope(), cfg, host, environ=environ, log_lines=0).analysis


def with_containers(findings: Iterable[Finding], live: Live) -> tuple[Finding, ...]:
    """Each finding naming the container of the service it is about (None when it is about no container)."""
    return tuple(
        replace(f, container=live.containers.get((f.project or "", f.service or ""))) for f in findings
    )


def live_findings(findings: Iterable[Finding], live: Live, scope: Scope) -> tuple[Finding, ...]:
    """The findings about what the scope checks (they name their containers already: :func:`with_containers`);
    the standalone pseudo-project is no project (``null``)."""
    out: list[Finding] = []
    for f in findings:
        key = (f.project or "", f.service) if f.service else None
        if not scope.everything and (key is None or key not in live.checked):
            continue
        out.append(replace(f, project=f.project or None))
    return tuple(out)


def read_logs(
    session: Engine, live: Live, snap: Snapshot, read: ProxyRead, tail: int
) -> dict[tuple[str, str], list[str] | str]:
    """The last ``tail`` log lines of each proxy whose config was looked for (a GET each, 4 at a time),
    or the reason they could not be read, by (project, service)."""
    from concurrent.futures import ThreadPoolExecutor

    from dockernet.errors import EngineError
    from dockernet.sources.engine.client import INSPECT_THREADS, NotFound

    keys = [cfg.service for cfg in read.configs if cfg.service in live.ids]

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


def _with_proxies(topology: Topology, read: ProxyRead) -> Topology:
    return replace(
        topology,
        proxies=read.configs,
        partial=tuple(dict.fromkeys(topology.partial + read.partial)),
        suppressions=read.suppressions,
    )


def engine_context(topology: Topology, host: str | None = None) -> Topology:
    """``check --engine``: the static topology with the live engine as context. Two list calls, plus one
    inspect per container on a network that the checked projects use."""
    from dockernet.sources.engine import client, context, snapshot

    nets = frozenset(n.name for p in topology.projects for n in p.networks.values())
    session = client.connect(host)
    try:
        # A scope naming no existing network inspects nothing (strict=False ignores unknown names).
        scope = snapshot.Scope(networks=nets or frozenset({""}))
        snap = snapshot.snapshot(session, scope, strict=False)
    finally:
        session.close()
    return context.context_for(topology, snap, scope)
