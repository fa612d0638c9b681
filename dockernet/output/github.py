"""GitHub Actions workflow commands: one annotation per finding
(https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions)."""

from __future__ import annotations

from dockernet.model.findings import Report
from dockernet.model.loc import relpath
from dockernet.output.common import ContainerFiles, display_order

_LEVEL = {"error": "error", "warning": "warning", "note": "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_prop(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report, container_files: ContainerFiles | None = None) -> str:
    """``::error file=F,line=L,title=DN101 loopback-upstream::message`` lines; files read out of a container
    (``container_files``, by container name) are written ``container:/path``."""
    lines = []
    for file, f in display_order(report.findings, container_files or {}):
        props = [f"file={_escape_prop(relpath(file))}"]
        if f.loc.line:
            props.append(f"line={f.loc.line}")
        props.append(f"title={_escape_prop(f'{f.rule} {f.name}')}")
        body = _escape_data(f"{f.message}. Fix: {f.hint}")
        lines.append(f"::{_LEVEL[f.severity.value]} {','.join(props)}::{body}")
    return "".join(line + "\n" for line in lines)
