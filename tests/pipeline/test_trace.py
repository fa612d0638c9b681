"""``dockernet trace`` (:mod:`dockernet.pipeline.trace`): each verdict and hop kind on the samples, and the
agreement with ``check``: a route is unreachable or ambiguous exactly when check has an error about it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dockernet import pipeline
from dockernet.cli import app
from dockernet.model.findings import Severity
from dockernet.model.trace import Verdict
from dockernet.pipeline import trace
from dockernet.pipeline.requests import ComposeRequest

SAMPLES = Path(__file__).resolve().parents[2] / "compose-samples"


def analysis(rel: str) -> pipeline.Analysis:
    return pipeline.analyse(pipeline.load_static(ComposeRequest.of([SAMPLES / rel])))


DIRS = sorted(str(p.parent.relative_to(SAMPLES)) for p in SAMPLES.glob("*/*/expected.txt"))


@pytest.mark.parametrize("rel", DIRS)
def test_trace_agrees_with_check(rel: str) -> None:
    try:
        a = analysis(rel)
    except Exception:
        pytest.skip("sample does not load (an input-error sample)")
    errors = {f.route for f in a.findings if f.severity is Severity.ERROR and f.route}
    for t in trace.trace_all(a):
        if t.route in errors:
            assert t.verdict in (Verdict.UNREACHABLE, Verdict.AMBIGUOUS), (rel, t)
        elif t.verdict is Verdict.UNREACHABLE:
            assert any(h.rule for h in t.hops), (rel, t)


def steps(t: trace.Trace) -> list[tuple[str, str, str | None]]:
    return [(h.step, h.verdict.value, h.rule) for h in t.hops]


def test_url_reachable_hops() -> None:
    a = analysis("dn102-unknown-upstream-host/fixed")
    (t,) = trace.trace_all(a)
    assert t.verdict is Verdict.REACHABLE
    kinds = [s for s, _, _ in steps(t)]
    for kind in ("route", "resolve", "network", "target", "listen", "state"):
        assert kind in kinds


def test_url_through_published_port_and_startup_failure() -> None:
    a = analysis("showcase/shop")
    (t,) = trace.trace_url(a, "http://localhost:8080/api/users")
    # "ap" in another location stops nginx at start: every route is down, as check's DN102 says.
    assert t.verdict is Verdict.UNREACHABLE
    assert steps(t)[1][0] == "published-port"
    assert steps(t)[-1] == ("listener", "blocked", "DN102")
    assert t.title == "location /api/"


def test_nothing_published() -> None:
    (t,) = trace.trace_url(analysis("showcase/shop"), "http://localhost:9999/")
    assert t.verdict is Verdict.UNREACHABLE
    assert steps(t)[-1] == ("published-port", "blocked", None)


@pytest.mark.parametrize(
    ("rel", "rule", "step"),
    [
        ("dn101-loopback-upstream/broken", "DN101", "resolve"),
        ("dn103-traefik-no-shared-network/broken", "DN103", "network"),
        ("dn104-caddy-implied-port/broken", "DN104", "listen"),
        ("dn114-resolver-missing/broken", "DN114", "resolve"),
    ],
)
def test_blocked_hop_carries_rule(rel: str, rule: str, step: str) -> None:
    (t,) = trace.trace_all(analysis(rel))
    assert t.verdict is Verdict.UNREACHABLE
    assert steps(t)[-1] == (step, "blocked", rule)
    assert t.file and t.line


def test_ambiguous() -> None:
    (t,) = trace.trace_all(analysis("dn204-ambiguous-name/broken"))
    assert t.verdict is Verdict.AMBIGUOUS
    assert ("resolve", "ambiguous", "DN204") in steps(t)


def test_undetermined_unread_proxy() -> None:
    traces = trace.trace_all(analysis("dn305-proxy-config-unknown/broken"))
    assert traces and all(t.verdict is Verdict.UNDETERMINED for t in traces)
    assert traces[0].hops[-1].rule == "DN305"


def test_location_form_and_json() -> None:
    result = CliRunner().invoke(
        app, ["trace", "-d", str(SAMPLES / "dn101-loopback-upstream/broken"), "--all", "--format", "json"]
    )
    assert result.exit_code == 1, result.output
    doc = json.loads(result.output)
    assert doc["version"] == 1
    (t,) = doc["traces"]
    for key in ("proxy", "project", "route", "file", "line", "target", "verdict", "hops", "probe"):
        assert key in t
    assert t["probe"] is None and t["verdict"] == "unreachable"
    assert set(t["hops"][0]) >= {"step", "verdict", "rule", "detail", "file", "line"}


def test_cli_bad_url_is_usage_error() -> None:
    result = CliRunner().invoke(app, ["trace", "-d", str(SAMPLES / "showcase/shop"), "ftp://x/"])
    assert result.exit_code == 3
    assert "error" in result.output


def test_cli_unknown_proxy() -> None:
    result = CliRunner().invoke(app, ["trace", "-d", str(SAMPLES / "showcase/shop"), "nope", "/api/"])
    assert result.exit_code == 3
