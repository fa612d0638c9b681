"""The last stage before output: what the user asked not to see.

Per-rule severity overrides, per-path ignores (configuration), inline ``# dockernet: ignore[...]`` comments
(with DN300 for the ones that suppress nothing) and the baseline of known findings.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from dockernet import rules
from dockernet.errors import InputError, UsageError
from dockernet.model.findings import Finding
from dockernet.pipeline.config import Config
from dockernet.rules import dn300_unused_suppression
from dockernet.rules.base import finding
from dockernet.sources.suppressions import Suppression

BASELINE_VERSION = 1


def _codes(s: Suppression) -> frozenset[str] | None:
    """Rule IDs a suppression names; None for all. Unknown codes are an error naming the comment."""
    if not s.codes:
        return None
    try:
        return frozenset(rules.get(code).META.id for code in s.codes)
    except UsageError as e:
        raise InputError(s.loc.file, f"suppression comment: {e}", s.loc.line) from None


def apply(
    findings: Iterable[Finding], config: Config, suppressions: Sequence[Suppression] = ()
) -> list[Finding]:
    """Findings left after configuration and inline suppressions, plus DN300 notes for unused comments."""
    kept: list[Finding] = []
    used: set[Suppression] = set()
    parsed = [(s, _codes(s)) for s in suppressions]
    for f in findings:
        if f.rule not in config.selected or not config.keep(f):
            continue
        if f.rule in config.severities:
            f = replace(f, severity=config.severities[f.rule])
        hits = [s for s, codes in parsed if s.covers(f.loc) and (codes is None or f.rule in codes)]
        if hits:
            used.update(hits)
            continue
        kept.append(f)
    if dn300_unused_suppression.META.id in config.selected:
        meta = dn300_unused_suppression.META
        for s in suppressions:
            if s not in used:
                what = ", ".join(s.codes) if s.codes else "every rule"
                note = finding(meta, f"suppression of {what} matches no finding", "remove the comment", s.loc)
                if meta.id in config.severities:
                    note = replace(note, severity=config.severities[meta.id])
                kept.append(note)
    return sorted(kept, key=lambda f: f.sort_key)


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
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except json.JSONDecodeError as e:
        raise InputError(path, f"not a dockernet baseline: {e.msg}", e.lineno) from None
    except OSError as e:
        raise InputError(path, f"cannot read baseline: {e.strerror}") from None
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
