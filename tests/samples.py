"""Reading compose-samples/: each sample is a directory with ``broken/`` and ``fixed/`` compose projects, and
each project has ``expected.txt``: the findings ``dockernet check`` must produce, one per line, as
``FILE:LINE SEVERITY RULE`` with FILE relative to the project directory (``#`` starts a comment)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dockernet.model.findings import Finding

SAMPLES = Path(__file__).parent.parent / "compose-samples"
COMPOSE_FILES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")


@dataclass(frozen=True)
class Sample:
    """One runnable compose project of compose-samples/."""

    path: Path
    expected: frozenset[str]

    @property
    def name(self) -> str:
        return f"{self.path.parent.name}/{self.path.name}"

    @property
    def dirs(self) -> list[Path]:
        """The compose projects of this variant: itself, or (several projects checked together) each
        subdirectory with a compose file, in sorted order (also the order to bring them up)."""
        if any((self.path / name).exists() for name in COMPOSE_FILES):
            return [self.path]
        return sorted(p for p in self.path.iterdir() if any((p / name).exists() for name in COMPOSE_FILES))

    @property
    def stack(self) -> bool:
        """True for a stack sample (a ``STACK`` file beside it): checked with ``--stack``, deployed with
        ``docker stack deploy`` by tests/live/test_swarm.py, never with ``docker compose up``."""
        return (self.path / "STACK").exists() or (self.path.parent / "STACK").exists()

    @property
    def static_only(self) -> bool:
        """True when the sample must not be brought up on an engine (see its STATIC_ONLY file)."""
        return (
            self.stack or (self.path / "STATIC_ONLY").exists() or (self.path.parent / "STATIC_ONLY").exists()
        )


def expected_lines(path: Path) -> frozenset[str]:
    lines = set()
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.add(" ".join(line.split()))
    return frozenset(lines)


def all_samples() -> list[Sample]:
    out = []
    for expected in sorted(SAMPLES.glob("*/*/expected.txt")):
        out.append(Sample(expected.parent, expected_lines(expected)))
    return out


def finding_line(f: Finding, base: Path) -> str:
    rel = os.path.relpath(f.loc.file, base) if os.path.isabs(f.loc.file) else f.loc.file
    return f"{rel}:{f.loc.line} {f.severity.value} {f.rule}"
