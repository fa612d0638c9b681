"""The last stage before output: what the user asked not to see.

Per-rule severity overrides, per-path ignores (configuration) and inline ``# dockernet: ignore[...]``
comments (with DN300 for the ones that suppress nothing). The baseline of known findings is
:mod:`dockernet.pipeline.baseline`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from dockernet import rules
from dockernet.errors import InputError, UsageError
from dockernet.model.findings import Finding, Suppression
from dockernet.pipeline.config import Config
from dockernet.rules import dn300_unused_suppression


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
    dn300 = dn300_unused_suppression.META.id
    if dn300 in config.selected:
        # A comment for rules that did not run is not unused: they may well fire with --select ALL.
        ran = [s for s, codes in parsed if codes is None or codes <= config.selected]
        for note in dn300_unused_suppression.unused(s for s in ran if s not in used):
            kept.append(replace(note, severity=config.severities.get(dn300, note.severity)))
    return sorted(kept, key=lambda f: f.sort_key)
