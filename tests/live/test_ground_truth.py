"""The project's proof that its verdicts match reality.

Every runnable sample project of compose-samples/ (``broken/`` and ``fixed/``, found anew at every run; not
the ``STATIC_ONLY`` ones) is brought up on a real Docker engine with ``docker compose up -d``. For every route
that dockernet itself extracted (proxy, listen port, host name, path) the test sends one request from inside
the proxy's container to the proxy on its own loopback, and records what reality did: the status code, or
that the proxy was not running, or that ``up`` failed. A route is broken in reality when it answers one of
its proxy kind's failure statuses (``groundtruth.BROKEN_STATUSES``: nginx 502/504; Caddy also 503; Traefik
also 404, a route it does not serve, and 500), does not answer at all, or the proxy is not running, or
``up`` failed.

Then, per project:

* ``dockernet check`` (the static pipeline, run on the same files with the same project name and
  environment) flags exactly the broken routes: an error finding at the route's pass directive, at one of
  its upstream ``server`` lines or at the proxy service, or, when the proxy did not run (or ``up`` failed),
  any error finding of the project; and a ``fixed`` project has no error finding at all;
* ``dockernet scan`` against the running project flags the same routes (skipped until ``scan`` exists);
* for nginx, every 502/504 has an error-log line that :mod:`dockernet.dialects.nginx.errorlog` classifies and
  attributes to that route, and a proxy that did not start has a line that says why.

Engine: scripts/test-engine.sh (docs/testing.md). How to run, and the last table: docs/ground-truth.md.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dockernet.dialects import nginx
from dockernet.model import Proxy
from dockernet.model.findings import Severity
from tests.conftest import unavailable
from tests.live import groundtruth as gt
from tests.samples import Sample

SAMPLES = gt.runnable_samples()
_ROWS: dict[str, list[gt.Row]] = {}
_RUNS: dict[str, gt.ProjectRun] = {}
_SCAN: dict[tuple[str, str], str] = {}


@pytest.fixture(scope="module")
def report() -> Iterator[None]:
    """At the end of the module: the Markdown table (``DOCKERNET_GT_REPORT=path``)."""
    yield
    target = os.environ.get("DOCKERNET_GT_REPORT")
    if target and _ROWS:
        rows = [r for name in sorted(_ROWS) for r in _ROWS[name]]
        gt.write_report(Path(target), gt.markdown(rows, _RUNS, _SCAN))


@pytest.fixture(scope="module", params=SAMPLES, ids=[s.name for s in SAMPLES])
def live(
    request: pytest.FixtureRequest,
    docker_engine: object,
    compose_cli: list[str],
    nginx_image: str,
    busybox_image: str,
    report: None,
) -> Iterator[gt.ProjectRun]:
    """One sample project, up and probed; removed (``down -v --remove-orphans``) whatever happens."""
    sample: Sample = request.param
    run = gt.new_run(sample)
    with gt.engine_lock():
        started = time.monotonic()
        try:
            run.up()
            if run.environment_error is not None:
                unavailable(f"{sample.name} could not be brought up", run.environment_error)
            if run.up_ok:
                run.settle()
            run.probe()
            run.collect_logs()
            _dump_logs(run)
            run.timings["total"] = time.monotonic() - started
            _RUNS[sample.name] = run
            yield run
        finally:
            run.down()  # the finalizer: on success, failure or interrupt, inside the lock


def _dump_logs(run: gt.ProjectRun) -> None:
    """``DOCKERNET_GT_LOGS=dir``: keep every proxy's log (to harvest recorded lines for
    tests/dialects/nginx/test_errorlog.py)."""
    target = os.environ.get("DOCKERNET_GT_LOGS")
    if not target:
        return
    Path(target).mkdir(parents=True, exist_ok=True)
    for proxy, text in run.proxy_logs.items():
        name = f"{run.sample.path.parent.name}--{run.sample.path.name}--{proxy[1]}"
        (Path(target) / f"{name}.log").write_text(text)
        meta = {
            "project": proxy[0],
            "addresses": {ip: sorted(names) for ip, names in sorted(run.addresses().items())},
            "paths": run.container_paths(proxy),
            "outcomes": {o.probe.label: o.reality for o in run.outcomes if o.probe.proxy == proxy},
        }
        (Path(target) / f"{name}.json").write_text(json.dumps(meta, indent=2) + "\n")


def _assert_agrees(run: gt.ProjectRun, flagged: list[gt.FlaggedLoc], who: str) -> None:
    rows = gt.compare(run, flagged)
    problems = []
    # A config that nginx refuses for its syntax or includes has no routes (DN401): nginx must not run.
    refused = {
        p.service
        for p in run.topology.proxies
        if isinstance(p, Proxy)
        and isinstance(p.syntax, nginx.Syntax)
        and p.syntax.refusal
        and not p.syntax.directives
    }
    if not rows and set(run.proxies()) - refused:
        problems.append("no route was extracted from a proxy with a readable config")
    for proxy in sorted(refused):
        if run.up_ok and run.proxy_running(proxy):
            problems.append(f"{proxy[1]}: {who} says nginx refuses its config, yet nginx runs")
        if not any(f.severity == Severity.ERROR.value for f in flagged):
            problems.append(f"{proxy[1]}: nginx refuses its config, and {who} reports no error")
    bad = [r for r in rows if not r.agrees]
    if bad:
        problems.append(f"{len(bad)} route(s) where reality and {who} disagree")
    if run.sample.path.name == "fixed":
        errors = [f for f in flagged if f.severity == Severity.ERROR.value]
        if errors:
            problems.append(f"fixed project, but {who} reports errors: " + ", ".join(map(str, errors)))
    assert not problems, "\n".join(
        [f"{run.sample.name}: " + "; ".join(problems), "", gt.table(rows), "", gt.describe_run(run)]
    )


def test_check_matches_reality(live: gt.ProjectRun) -> None:
    """``dockernet check`` flags exactly the routes that fail on the real engine."""
    flagged = gt.from_findings(live.analysis.findings)
    _ROWS[live.sample.name] = gt.compare(live, flagged)
    _assert_agrees(live, flagged, "dockernet check")


def test_scan_matches_reality(live: gt.ProjectRun) -> None:
    """``dockernet scan`` of the running project flags exactly the routes that fail."""
    why = gt.scan_unavailable()
    if why is not None:
        pytest.skip(why)
    flagged, _ = gt.scan(live)
    for row in gt.compare(live, flagged):
        _SCAN[(row.sample, row.route)] = row.verdict
    _assert_agrees(live, flagged, "dockernet scan")


def test_logs_explain_reality(live: gt.ProjectRun) -> None:
    """Every 502/504 and every nginx that did not start is explained by a classified error-log line (nginx
    only: the other proxies' log lines are recorded in docs/proxy-behaviour.md, not yet attributed)."""
    if not live.up_ok:
        pytest.skip("docker compose up failed: no nginx log")
    problems = []
    for proxy in live.proxies():
        if live.dialect(proxy) != "nginx":
            continue
        events = live.log_events(proxy)
        if not live.proxy_running(proxy):
            if not any(e.startup for e in events):
                problems.append(f"{proxy[1]} did not start, and no log line says why")
            continue
        for o in live.outcomes:
            if o.probe.proxy != proxy or o.status not in gt.BROKEN_STATUSES["nginx"]:
                continue
            mine = [e for e in events if e.route_id == o.probe.route.id]
            if not any(e.status == o.status for e in mine):
                problems.append(
                    f"{o.probe.label} answered {o.status}, but no log line is attributed to it with that "
                    f"status (attributed: {[e.code for e in mine]})"
                )
    assert not problems, "\n".join([*problems, "", gt.describe_run(live)])
