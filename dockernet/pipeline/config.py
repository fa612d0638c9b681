"""User configuration: ``[tool.dockernet]`` in ``pyproject.toml`` or a ``.dockernet.toml``, found by walking
up from the working directory (the nearest file that has a dockernet section wins, as with ruff).

```toml
[tool.dockernet]            # in .dockernet.toml: top level, no [tool.dockernet] header
select = ["DN1", "no-shared-network"]      # IDs, ID prefixes or names, or "ALL"; default: errors and warnings
ignore = ["DN301"]
fail-on = "warning"
[tool.dockernet.severity]
DN201 = "error"
[tool.dockernet.per-path-ignores]
"legacy/**" = ["DN105"]
```

Unknown keys, rule IDs or severities are an error that names them (exit 3).
"""

from __future__ import annotations

import fnmatch
import os
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from dockernet import rules
from dockernet.errors import UsageError
from dockernet.model.findings import Finding, Severity

KEYS = frozenset({"select", "ignore", "severity", "fail-on", "per-path-ignores"})


@dataclass(frozen=True)
class Config:
    """The effective configuration of a run."""

    selected: frozenset[str] = rules.DEFAULT
    """Rule IDs that run (by default the errors and warnings: :data:`dockernet.rules.DEFAULT`)."""
    severities: Mapping[str, Severity] = field(default_factory=dict)
    """Per-rule severity overrides."""
    fail_on: Severity | None = None
    """From the file; the command line wins."""
    per_path_ignores: tuple[tuple[str, frozenset[str]], ...] = ()
    """(glob relative to the config's directory, rule IDs)."""
    path: str | None = None
    """The file it came from."""
    base: str = "."
    """The directory globs are relative to."""

    def keep(self, finding: Finding) -> bool:
        """False when a per-path ignore covers the finding."""
        if not self.per_path_ignores or not finding.loc.file:
            return True
        rel = (
            os.path.relpath(finding.loc.file, self.base)
            if os.path.isabs(finding.loc.file)
            else finding.loc.file
        )
        return not any(
            finding.rule in ids
            and (fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(rel, pattern.rstrip("/*")))
            for pattern, ids in self.per_path_ignores
        )


def resolve_codes(codes: Iterable[str], where: str) -> frozenset[str]:
    """Rule IDs for a list of IDs, ID prefixes (``DN1``) or names; an unknown one is an error naming it."""
    out: set[str] = set()
    for code in codes:
        if not isinstance(code, str):
            raise UsageError(f"{where}: rule codes must be strings, got {code!r}")
        if code in rules.BY_NAME:
            out.add(rules.BY_NAME[code])
            continue
        matches = {r for r in rules.RULES if r.startswith(code.upper())}
        if code.upper() == "ALL":
            matches = set(rules.RULES)
        if not matches:
            raise UsageError(f'{where}: unknown rule "{code}"{rules.suggest(code)}')
        out |= matches
    return frozenset(out)


def _severity(value: Any, where: str) -> Severity:
    try:
        return Severity(value)
    except ValueError:
        raise UsageError(f'{where}: unknown severity "{value}" (use error, warning or note)') from None


def find(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The nearest configuration at or above ``start``."""
    for directory in (start, *start.parents):
        dedicated = directory / ".dockernet.toml"
        if dedicated.is_file():
            return dedicated, _read(dedicated)
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            section = _read(pyproject).get("tool", {}).get("dockernet")
            if isinstance(section, dict):
                return pyproject, section
    return None


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as e:
        raise UsageError(f"{path}: invalid TOML: {e}") from None
    except OSError as e:
        raise UsageError(f"{path}: cannot read: {e.strerror}") from None


def parse(data: Mapping[str, Any], path: str = "<config>", base: str = ".") -> Config:
    """Validate a configuration mapping."""
    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise UsageError(f"{path}: unknown key{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}")
    selected = resolve_codes(data["select"], f"{path}: select") if "select" in data else rules.DEFAULT
    selected -= resolve_codes(data.get("ignore", []), f"{path}: ignore")
    severities: dict[str, Severity] = {}
    for code, value in dict(data.get("severity", {})).items():
        for rule_id in resolve_codes([code], f"{path}: severity"):
            severities[rule_id] = _severity(value, f"{path}: severity.{code}")
    fail_on = _severity(data["fail-on"], f"{path}: fail-on") if "fail-on" in data else None
    ppi = tuple(
        (str(pattern), resolve_codes(codes, f"{path}: per-path-ignores.{pattern}"))
        for pattern, codes in sorted(dict(data.get("per-path-ignores", {})).items())
    )
    return Config(
        selected=selected, severities=severities, fail_on=fail_on, per_path_ignores=ppi, path=path, base=base
    )


def load(cwd: Path, explicit: Path | None = None) -> Config:
    """The configuration for a run from ``cwd`` (or from ``--config FILE``)."""
    if explicit is not None:
        data = _read(explicit)
        section = data.get("tool", {}).get("dockernet", data) if explicit.name == "pyproject.toml" else data
        return parse(section, str(explicit), str(explicit.parent.resolve()))
    found = find(cwd.resolve())
    if found is None:
        return Config()
    path, section = found
    return parse(section, str(path), str(path.parent))


def for_run(
    cwd: Path, explicit: Path | None = None, select: Sequence[str] = (), ignore: Sequence[str] = ()
) -> Config:
    """The configuration file's settings (:func:`load`) with ``--select`` and ``--ignore`` (each value a
    comma-separated list) applied on top."""
    cfg = load(cwd, explicit)
    selected = cfg.selected
    if select:
        selected = resolve_codes([c for v in select for c in v.split(",") if c], "--select")
    if ignore:
        selected = selected - resolve_codes([c for v in ignore for c in v.split(",") if c], "--ignore")
    return replace(cfg, selected=selected)
