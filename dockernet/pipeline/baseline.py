"""The baseline of known findings (``check --baseline FILE``): a JSON file of fingerprints that survive edits
moving lines; a run then reports only what is new since it was recorded."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from dockernet.dialects.base import NOT_REGULAR, NotRegularFileError
from dockernet.errors import InputError
from dockernet.model.findings import Finding, Report
from dockernet.sources.files import read_regular

BASELINE_VERSION = 1
MAX_BASELINE = 50 * 1024 * 1024
"""Largest baseline read (bytes); each finding is a few hundred bytes of JSON."""


@dataclass(frozen=True)
class Baselined:
    """A report filtered by its baseline."""

    report: Report
    """The findings not in the baseline (the rest of the report as it was)."""
    written: int | None = None
    """How many findings the baseline file was created with, when it was missing; None when it existed."""


def against(report: Report, path: str, base: str) -> Baselined:
    """The report's findings that are not in the baseline at ``path``, which is first written with all of
    them when it does not exist (so the first run reports nothing new). ``base`` is the directory that
    fingerprints' file names are relative to."""
    written = None
    if not os.path.exists(path):
        write_baseline(path, report.findings, base)
        written = len(report.findings)
    new = new_since(report.findings, read_baseline(path), base)
    return Baselined(replace(report, findings=tuple(new)), written)


def fingerprint(f: Finding, base: str) -> dict[str, Any]:
    """What identifies a finding across edits that move lines."""
    file = os.path.relpath(f.loc.file, base) if os.path.isabs(f.loc.file) else f.loc.file
    return {"rule": f.rule, "file": file, "service": f.service, "target": f.target, "message": f.message}


def write_baseline(path: str, findings: Sequence[Finding], base: str) -> None:
    """Record today's findings."""
    doc = {
        "version": BASELINE_VERSION,
        "findings": sorted(
            (fingerprint(f, base) for f in findings), key=lambda d: json.dumps(d, sort_keys=True)
        ),
    }
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=2, sort_keys=True)
        fh.write("\n")


def read_baseline(path: str) -> list[dict[str, Any]]:
    """The recorded findings of a baseline file."""
    try:
        # The baseline is in the checked tree: a regular file only, read with a limit (a FIFO would block).
        data = read_regular(path, MAX_BASELINE)
    except NotRegularFileError:
        raise InputError(path, NOT_REGULAR) from None
    except OSError as e:
        raise InputError(path, f"cannot read baseline: {e.strerror}") from None
    if len(data) > MAX_BASELINE:
        raise InputError(path, f"file too large for a baseline (over {MAX_BASELINE // (1024 * 1024)} MB)")
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(path, "not a UTF-8 text file") from None
    except json.JSONDecodeError as e:
        raise InputError(path, f"not a dockernet baseline: {e.msg}", e.lineno) from None
    if (
        not isinstance(doc, dict)
        or doc.get("version") != BASELINE_VERSION
        or not isinstance(doc.get("findings"), list)
    ):
        raise InputError(path, "not a dockernet baseline (version 1)")
    return list(doc["findings"])


def new_since(findings: Sequence[Finding], baseline: Sequence[dict[str, Any]], base: str) -> list[Finding]:
    """Findings not in the baseline; each baseline entry absorbs one finding (so a second copy is new)."""
    budget: dict[str, int] = {}
    for entry in baseline:
        key = json.dumps(entry, sort_keys=True)
        budget[key] = budget.get(key, 0) + 1
    out: list[Finding] = []
    for f in findings:
        key = json.dumps(fingerprint(f, base), sort_keys=True)
        if budget.get(key, 0) > 0:
            budget[key] -= 1
        else:
            out.append(f)
    return out
