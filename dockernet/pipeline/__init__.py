"""The run, stage by stage: sources -> model -> graph -> resolution -> rules -> findings.

Each stage only reads what the previous one produced; the CLI calls these functions and the outputs. What
the commands share lives here: loading compose input (:mod:`.requests`), analysing, the exit threshold and
status. :mod:`.scan` is the live pipeline (``scan``, ``check --engine``, ``graph --engine``),
:mod:`.logdiag` explains the proxies' error logs, :mod:`.triage` and :mod:`.baseline` decide what is shown.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from dockernet import rules
from dockernet.analysis import graph, resolve
from dockernet.dialects.base import Peers
from dockernet.errors import ExitStatus, UsageError
from dockernet.model import AnyProxy, Project, Proxy, Topology, safe
from dockernet.model.findings import Finding, Report, Severity
from dockernet.pipeline import triage
from dockernet.pipeline.config import Config
from dockernet.pipeline.requests import ComposeRequest
from dockernet.rules.base import Context


@dataclass(frozen=True)
class Analysis:
    """Everything a run produced, for outputs and diagrams."""

    topo: graph.Topo
    resolved: resolve.Resolved
    findings: tuple[Finding, ...]

    def report(self) -> Report:
        """The findings with what was checked."""
        t = self.topo.topology
        read = [p for p in t.proxies if isinstance(p, Proxy)]
        return Report(
            # Every field, ids included (an upstream's raw text): the report is only ever printed.
            findings=safe.deep(self.findings, safe.redactor(t)),
            projects=len(t.projects),
            proxies=len(read),
            routes=sum(len(p.routes) for p in read),
            kinds=tuple(sorted(Counter(p.dialect for p in read).items())),
            unread=len(t.proxies) - len(read),
            partial=t.partial,
            files=source_files(t),
        )


def source_files(topology: Topology) -> tuple[str, ...]:
    """Every file on this machine that the sources read: compose files and nginx files."""
    static = {p.name for p in topology.projects if not p.live}
    files = {f for p in topology.projects if p.name in static for f in p.files}
    # A live proxy's files are paths inside its container, never files on this machine.
    files |= {f for p in topology.proxies if isinstance(p, Proxy) and p.service[0] in static for f in p.files}
    return tuple(sorted(files))


def load_static(request: ComposeRequest) -> Topology:
    """Compose projects and the nginx configs their services mount, as one model."""
    from dockernet.sources import compose, proxies, suppressions

    notices: list[str] = []
    projects = compose.load_projects(
        dirs=request.dirs,
        files=request.files,
        project_name=request.project_name,
        env_files=request.env_files,
        profiles=request.profiles,
        environ=request.environ,
        warnings=notices,
    )
    _check_overrides(request, projects)
    images = [facts for project in projects for facts in proxies.read_images(project)]
    by_service = {f.service: f for f in images}
    peers = Peers(
        services=tuple(s for p in projects for s in p.services.values()),
        exposed={f.service: f.expose for f in images},
        bases={f.service: f.base for f in images if f.base},
    )
    configs: list[AnyProxy] = []
    for project in projects:
        configs.extend(proxies.find(project, by_service, request.overrides, peers))
    topology = Topology(
        projects=tuple(projects),
        proxies=tuple(configs),
        images=tuple(images),
        notices=tuple(dict.fromkeys(notices)),
    )
    return replace(topology, suppressions=suppressions.scan(source_files(topology)))


def _check_overrides(request: ComposeRequest, projects: Sequence[Project]) -> None:
    """A ``--nginx SERVICE=PATH`` that names no service is a typo, not something to skip in silence."""
    names = sorted({name for p in projects for name in p.services})
    for service, (reader, _path) in request.overrides.items():
        if service in names:
            continue
        close = difflib.get_close_matches(service, names, n=1)
        suggestion = f'; did you mean "{close[0]}"?' if close else f" (services: {', '.join(names)})"
        raise UsageError(
            f'--{reader} {service}=...: no service "{service}" in the checked projects{suggestion}'
        )


def analyse(topology: Topology, config: Config | None = None) -> Analysis:
    """Build the graph, resolve every upstream, run the rules and apply the user's configuration and the
    inline suppressions the sources collected."""
    config = config or Config()
    topo = graph.build(topology)
    resolved = resolve.resolve_all(topo)
    ctx = Context(topo=topo, resolved=resolved)
    found: list[Finding] = []
    seen: set[tuple[str, str, int, str]] = set()
    hidden = {p.service: p.redact for p in topology.proxies if isinstance(p, Proxy) and p.redact}
    for f in rules.run(ctx, config.selected):
        if f.project is not None and f.service is not None and (f.project, f.service) in hidden:
            f = redact(f, hidden[(f.project, f.service)])
        key = (f.rule, f.loc.file, f.loc.line, f.message)
        if key not in seen:
            seen.add(key)
            found.append(f)
    kept = triage.apply(found, config, topology.suppressions)
    # Values from env files and the environment are secrets: findings name them, never show them.
    hide = safe.redactor(topology)
    if hide is not None:
        kept = [
            replace(
                f,
                message=hide(f.message),
                hint=hide(f.hint),
                target=hide(f.target) if f.target is not None else None,
                # Edits that name a value the redactor hides are dropped, not redacted: a redacted edit
                # would no longer match the file, or would write the name into it (the hint still says it).
                edits=f.edits if all(hide(e.old) == e.old and hide(e.new) == e.new for e in f.edits) else (),
            )
            for f in kept
        ]
    return Analysis(topo=topo, resolved=resolved, findings=tuple(kept))


def redact(f: Finding, pairs: tuple[tuple[str, str], ...]) -> Finding:
    """``f`` with every environment value a reader substituted shown as what was written (``{$UP}``):
    environments hold secrets, and a value never reaches an output."""

    def hide(text: str | None) -> str | None:
        if not text:
            return text
        for value, written in pairs:
            pattern = rf"(?<![\w.-]){re.escape(value)}(?![\w-])"
            text = re.sub(pattern, written.replace("\\", "\\\\"), text)
        return text

    return replace(
        f,
        message=hide(f.message) or "",
        hint=hide(f.hint) or "",
        target=hide(f.target),
        address=hide(f.address),
    )


def fail_threshold(fail_on: str | None, config: Config) -> Severity:
    """The lowest severity that fails a run: ``--fail-on``, else the configuration's ``fail-on``, else
    error."""
    return Severity(fail_on) if fail_on else (config.fail_on or Severity.ERROR)


def exit_status(findings: Iterable[Finding], threshold: Severity) -> ExitStatus:
    """1 (findings) when a finding is at least ``threshold`` (:func:`fail_threshold`), else 0."""
    failing = any(f.severity.rank >= threshold.rank for f in findings)
    return ExitStatus.FINDINGS if failing else ExitStatus.OK
