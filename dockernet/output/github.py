"""GitHub Actions workflow commands: one annotation per finding
(https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions)."""

from __future__ import annotations

from dockernet.model.findings import Report
from dockernet.model.loc import relpath

_LEVEL = {"error": "error", "warning": "warning", "note": "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_prop(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report) -> str:
    """``::error file=F,line=L,title=DN101 loopback-upstream::message`` lines."""
    lines = []
    for f in sorted(report.findings, key=lambda f: f.sort_key):
        props = [f"file={_escape_prop(relpath(f.loc.file))}"]
        if f.loc.line:
            props.append(f"line={f.loc.line}")
        props.append(f"title={_escape_prop(f'{f.rule} {f.name}')}")
        body = _escape_data(f"{f.message}. Fix: {f.hint}")
        lines.append(f"::{_LEVEL[f.severity.value]} {','.join(props)}::{body}")
    return "".join(line + "\n" for line in lines)
