"""What several formats share: counts, plurals, how a file inside a container is named."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from dockernet.model.findings import Finding, Severity

ContainerFiles = Mapping[str, frozenset[str]]
"""The config files a scan read out of each container, by container name."""


def counts(findings: Sequence[Finding]) -> dict[str, int]:
    """Number of findings per severity, every severity present."""
    c = Counter(f.severity for f in findings)
    return {s.value: c.get(s, 0) for s in Severity}


def plural(n: int, word: str) -> str:
    """``1 error``, ``2 errors``."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def display_file(f: Finding, container_files: ContainerFiles) -> str:
    """The file a finding names, as text and GitHub annotations write it: ``container:/path`` for a file read
    out of the finding's container (a bare ``/etc/nginx/...`` would name this machine's file). JSON keeps
    ``file`` and ``container`` apart."""
    if f.container and f.loc.file in container_files.get(f.container, frozenset()):
        return f"{f.container}:{f.loc.file}"
    return f.loc.file


def display_order(findings: Iterable[Finding], container_files: ContainerFiles) -> list[tuple[str, Finding]]:
    """Each finding with its :func:`display_file`, sorted like :attr:`Finding.sort_key` on that name."""
    shown = [(display_file(f, container_files), f) for f in findings]
    return sorted(shown, key=lambda p: (p[0], p[1].loc.line, p[1].rule, p[1].message))
