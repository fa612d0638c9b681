"""What several formats share: counts, plurals."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from dockernet.model.findings import Finding, Severity


def counts(findings: Sequence[Finding]) -> dict[str, int]:
    """Number of findings per severity, every severity present."""
    c = Counter(f.severity for f in findings)
    return {s.value: c.get(s, 0) for s in Severity}


def plural(n: int, word: str) -> str:
    """``1 error``, ``2 errors``."""
    return f"{n} {word}{'' if n == 1 else 's'}"
