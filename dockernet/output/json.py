"""The JSON contract (docs/json.md): ``{"version": 1, "findings": [...], "summary": {...}}``, and for a scan
the error-log diagnosis as ``"log": [...]``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from dockernet.model.findings import Finding, Report
from dockernet.model.loc import relpath
from dockernet.model.logs import ProxyLog
from dockernet.output.common import counts
from dockernet.output.logs import log_dicts

VERSION = 1


def finding_dict(f: Finding) -> dict[str, Any]:
    """One finding as the JSON contract spells it; live findings add ``container`` (and keep ``file`` as
    the path inside it)."""
    out = {
        "rule": f.rule,
        "name": f.name,
        "severity": f.severity.value,
        "message": f.message,
        "hint": f.hint,
        "file": f.loc.file if f.container else relpath(f.loc.file),
        "line": f.loc.line or None,
        "project": f.project,
        "service": f.service,
        "target": f.target,
        "related": [{"file": relpath(r.file), "line": r.line or None} for r in f.related],
        "edits": [
            {
                "file": e.loc.file if f.container else relpath(e.loc.file),
                "line": e.loc.line,
                "old": e.old,
                "new": e.new,
                "before": e.before,
            }
            for e in f.edits
        ],
    }
    if f.container is not None:
        out["container"] = f.container
    return out


def render(report: Report, logs: Sequence[ProxyLog] | None = None) -> str:
    """The JSON report, keys in a stable order; with ``logs`` (a scan's), a ``"log"`` array after
    ``"summary"`` (docs/json.md), one proxy per line."""
    c = counts(report.findings)
    summary = {
        "errors": c["error"],
        "warnings": c["warning"],
        "notes": c["note"],
        "projects": report.projects,
        "proxies": report.proxies,
        "proxy_kinds": dict(report.kinds),
        "unread_proxies": report.unread,
        "routes": report.routes,
        "partial": list(report.partial),
    }
    # One finding per line: readable and diffable, and written by json's C encoder (``indent=`` would
    # switch to the pure-Python one, a fifth of a 1,000-route run).
    findings = ",\n    ".join(
        json.dumps(finding_dict(f)) for f in sorted(report.findings, key=lambda f: f.sort_key)
    )
    body = f"\n    {findings}\n  " if findings else ""
    head = f'{{\n  "version": {VERSION},\n  "findings": [{body}],\n  "summary": {json.dumps(summary)}'
    if logs is None:
        return head + "\n}\n"
    entries = ",\n    ".join(json.dumps(entry) for entry in log_dicts(logs))
    array = f"[\n    {entries}\n  ]" if entries else "[]"
    return f'{head},\n  "log": {array}\n}}\n'
