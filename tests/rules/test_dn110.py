"""DN110 upstream-not-running, on the recorded engine: a firing case (an exited and an unhealthy target) and
its near-misses (everything running and healthy; the same services from compose files, without states)."""

from __future__ import annotations

from dockernet.model.findings import Finding
from tests.sources.engine.recorded import analysed, recorded


def rule_hits(findings: list[Finding], rule: str) -> list[tuple[int, str]]:
    return [(f.loc.line, f.message) for f in findings if f.rule == rule]


def test_dn110_fires_for_exited_and_unhealthy_targets() -> None:
    hits = rule_hits(analysed(recorded()), "DN110")
    assert [line for line, _ in hits] == [5, 6]
    assert "dnrec-crashed-1 is exited (exit code 3)" in hits[0][1]
    assert "dnrec-sick-1 is running but unhealthy" in hits[1][1]


def test_dn110_near_miss_running_and_healthy_targets_stay_quiet() -> None:
    doc = recorded()
    for inspect in doc["inspects"].values():
        inspect["State"].update(Status="running", Running=True, ExitCode=0)
        if inspect["State"].get("Health"):
            inspect["State"]["Health"]["Status"] = "healthy"
    for c in doc["containers"]:
        c["State"], c["Status"] = "running", "Up 1 minute"
    assert rule_hits(analysed(doc), "DN110") == []


def test_dn110_is_quiet_on_static_input() -> None:
    assert rule_hits(analysed(recorded(), static=True), "DN110") == []
