"""Human output: ``file:line: severity DNxxx message`` with the hint under it, grouped by file, and a
one-line summary. Colour only when asked (the CLI decides: a terminal and no NO_COLOR)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from dockernet.model.findings import Report, Severity
from dockernet.model.loc import relpath
from dockernet.model.logs import ProxyLog
from dockernet.output.common import ContainerFiles, counts, display_order, plural
from dockernet.output.logs import render_text

_COLOURS = {Severity.ERROR: "\x1b[1;31m", Severity.WARNING: "\x1b[1;33m", Severity.NOTE: "\x1b[1;36m"}
_DIM, _BOLD, _RESET = "\x1b[2m", "\x1b[1m", "\x1b[0m"


def checked(report: Report) -> str:
    """``1 project, 1 nginx proxy, 3 routes checked``; several kinds are named each
    (``3 proxies: 2 nginx, 1 traefik; 9 routes checked``), and proxies whose configuration was not read are
    counted apart."""
    projects = plural(report.projects, "project")
    routes = plural(report.routes, "route")
    if len(report.kinds) > 1:
        each = ", ".join(f"{count} {kind}" for kind, count in report.kinds)
        text = f"{projects}, {_proxies(report.proxies)}: {each}; {routes} checked"
    elif report.kinds:
        kind, count = report.kinds[0]
        text = f"{projects}, {count} {kind} {'proxy' if count == 1 else 'proxies'}, {routes} checked"
    else:
        text = f"{projects}, {_proxies(report.proxies)}, {routes} checked"
    if report.unread:
        text += f"; {_proxies(report.unread)} not read (DN305)"
    return text


def nothing_checked(report: Report) -> str | None:
    """Why no route was checked, when none was: a report that checked nothing must not read like a clean
    one."""
    if report.routes:
        return None
    if report.unread:
        return f"nothing was checked: {_proxies(report.unread)} found, routes not read (DN305 above)"
    if any(f.rule == "DN401" for f in report.findings):
        return "nothing else was checked: nginx refuses the configuration before any route (DN401 above)"
    if report.proxies:
        return "nothing was checked: the proxies found forward no request"
    return "nothing was checked: no service runs a proxy that dockernet recognises by its image or command"


def _proxies(count: int) -> str:
    return f"{count} {'proxy' if count == 1 else 'proxies'}"


def render(
    report: Report,
    colour: bool = False,
    logs: Sequence[ProxyLog] | None = None,
    container_files: ContainerFiles | None = None,
) -> str:
    """The text report; with ``logs`` (a scan's), the error-log diagnosis after it. Files read out of a
    container (``container_files``, by container name) are written ``container:/path``."""

    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if colour else text

    lines: list[str] = []
    ordered = display_order(report.findings, container_files or {})
    for _file, group in groupby(ordered, key=lambda p: p[0]):
        for file, f in group:
            where = relpath(file) + (f":{f.loc.line}" if f.loc.line else "")
            sev = paint(f.severity.value, _COLOURS[f.severity])
            lines.append(f"{paint(where, _BOLD)}: {sev} {f.rule} {f.message}")
            lines.append(paint(f"    hint: {f.hint}", _DIM))
        lines.append("")
    c = counts(report.findings)
    summary = ", ".join(
        [plural(c["error"], "error"), plural(c["warning"], "warning"), plural(c["note"], "note")]
    )
    lines.append(f"{summary} ({checked(report)})")
    if (nothing := nothing_checked(report)) is not None:
        lines.append(paint(nothing, _COLOURS[Severity.WARNING]))
    for reason in report.partial:
        lines.append(paint(f"partial result: {reason}", _COLOURS[Severity.WARNING]))
    return "\n".join(lines) + "\n" + (render_text(logs) if logs is not None else "")
