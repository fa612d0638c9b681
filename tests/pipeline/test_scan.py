"""The scan's pure parts (dockernet.pipeline.scan) on the recorded engine: findings outside the scope dropped,
live findings named by their container, and secrets of the containers kept out of every output."""

from __future__ import annotations

from dockernet.model import Loc
from dockernet.model.findings import Finding, Report, Severity
from dockernet.output import json as json_out
from dockernet.output import text as text_out
from dockernet.pipeline.scan import live_findings, with_containers
from dockernet.sources.engine.build import build
from dockernet.sources.engine.snapshot import Scope
from tests.sources.engine.recorded import analysed, recorded, services, snap_of

SECRETS = ("s3cr3t-value", "hunter2")


def test_findings_outside_the_scope_are_dropped_and_live_ones_name_their_container() -> None:
    live = build(snap_of(recorded()), Scope(containers=frozenset({"dnrec-proxy-1"})))
    loc = Loc("/etc/nginx/conf.d/default.conf", 5)
    mine = Finding("DN110", "upstream-not-running", Severity.ERROR, "m", "h", loc, "proxy", None, "dnrec")
    other = Finding("DN104", "port-not-exposed", Severity.ERROR, "m", "h", loc, "sick", None, "dnrec")
    solo = Finding("DN301", "x", Severity.NOTE, "m", "h", loc, "dnrec-standalone", None, "")
    named = with_containers([mine, other, solo], live)
    assert [f.container for f in named] == ["dnrec-proxy-1", "dnrec-sick-1", "dnrec-standalone"]
    kept = live_findings(named, live, Scope(containers=frozenset({"dnrec-proxy-1"})))
    assert [(f.service, f.container) for f in kept] == [("proxy", "dnrec-proxy-1")]
    whole = build(snap_of(recorded()))
    everything = live_findings(with_containers([solo], whole), whole, Scope())
    assert everything[0].project is None and everything[0].container == "dnrec-standalone"


def test_secrets_in_environment_and_labels_never_reach_any_output() -> None:
    live = build(snap_of(recorded()))
    by = services(live)
    assert by["dnrec-app-1"].environment["SECRET_TOKEN"] == "s3cr3t-value"  # kept for the rules
    findings = live_findings(with_containers(analysed(recorded()), live), live, Scope())
    report = Report(findings=tuple(findings), partial=live.topology.partial)
    for out in (json_out.render(report), text_out.render(report)):
        for secret in SECRETS:
            assert secret not in out
