"""The pipeline's own decisions, without the CLI: compose requests, the baseline, the exit threshold and
status (the commands only pass their options through)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dockernet import pipeline
from dockernet.errors import ExitStatus, UsageError
from dockernet.model import Loc
from dockernet.model.findings import Finding, Report, Severity
from dockernet.pipeline import baseline
from dockernet.pipeline.config import Config
from dockernet.pipeline.requests import ComposeRequest


def finding(rule: str, severity: Severity, line: int = 1) -> Finding:
    return Finding(rule, "n", severity, f"m {rule}", "h", Loc("/srv/compose.yml", line), "app", None, "p")


def test_compose_request_of_the_options() -> None:
    request = ComposeRequest.of(
        [Path("a")],
        [Path("c.yml")],
        "p",
        [Path(".env")],
        ["dev"],
        {"X": "1"},
        {"nginx": ["web=/srv/nginx.conf"]},
    )
    assert request == ComposeRequest(
        dirs=("a",),
        files=("c.yml",),
        project_name="p",
        env_files=(".env",),
        profiles=("dev",),
        environ={"X": "1"},
        overrides={"web": ("nginx", "/srv/nginx.conf")},
    )


@pytest.mark.parametrize("value", ["web", "=x", "web="])
def test_nginx_override_needs_service_and_path(value: str) -> None:
    with pytest.raises(UsageError, match=f'--nginx takes SERVICE=PATH, got "{value}"'):
        ComposeRequest.of(overrides={"nginx": [value]})


def test_baseline_is_written_when_missing_then_filters(tmp_path: Path) -> None:
    path = str(tmp_path / "base.json")
    old = finding("DN101", Severity.ERROR)
    first = baseline.against(Report(findings=(old,), projects=1), path, str(tmp_path))
    assert first.written == 1 and first.report == Report(findings=(), projects=1)
    assert json.loads(Path(path).read_text())["version"] == baseline.BASELINE_VERSION
    new = finding("DN103", Severity.WARNING)
    second = baseline.against(Report(findings=(old, new, old)), path, str(tmp_path))
    assert second.written is None
    assert second.report.findings == (new, old)  # each entry absorbs one finding: a second copy is new


@pytest.mark.parametrize(
    ("fail_on", "configured", "expected"),
    [
        (None, None, Severity.ERROR),
        (None, Severity.NOTE, Severity.NOTE),
        ("warning", Severity.NOTE, Severity.WARNING),
    ],
)
def test_fail_threshold_command_line_then_configuration_then_error(
    fail_on: str | None, configured: Severity | None, expected: Severity
) -> None:
    assert pipeline.fail_threshold(fail_on, Config(fail_on=configured)) is expected


def test_exit_status_counts_findings_at_the_threshold() -> None:
    found = [finding("DN301", Severity.NOTE), finding("DN201", Severity.WARNING)]
    assert pipeline.exit_status(found, Severity.ERROR) is ExitStatus.OK
    assert pipeline.exit_status(found, Severity.WARNING) is ExitStatus.FINDINGS
    assert pipeline.exit_status([], Severity.NOTE) is ExitStatus.OK
