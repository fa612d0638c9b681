"""Part (c) of "every hint is a working fix" (issue 11): for every broken sample where an error rule's hint
carries edits (:attr:`dockernet.model.findings.Finding.edits`), apply those edits to a copy of the sample,
bring the copy up on the real engine with the ground-truth machinery (tests/live/groundtruth.py), and
request every route: each route the errors were about now answers, and dockernet reports no error on
the copy. And for every working (``fixed/``) sample with a DN301 note, the per-request hint applied the
same way leaves the routes it touches answering: through Docker's embedded DNS, on the real nginx.

Parts (a) and (b) (``nginx -t`` and the path that reaches the app) are tests/rules/test_hints_apply.py.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from dockernet import pipeline, rules
from dockernet.dialects.nginx import fix
from dockernet.model.findings import Finding, Severity
from dockernet.pipeline.config import Config
from dockernet.pipeline.requests import ComposeRequest
from tests.live import groundtruth as gt
from tests.samples import Sample

pytestmark = pytest.mark.engine


def hints(sample: Sample) -> list[Finding]:
    """The findings whose edits are applied: errors in a broken sample, DN301 notes in a fixed one."""
    topology = pipeline.load_static(ComposeRequest(dirs=tuple(str(d) for d in gt.project_dirs(sample.path))))
    findings = pipeline.analyse(topology, Config(selected=frozenset(rules.RULES))).findings
    if sample.path.name == "broken":
        return [f for f in findings if f.severity is Severity.ERROR and f.edits]
    return [f for f in findings if f.rule == "DN301" and f.edits]


CASES = [s for s in gt.runnable_samples() if hints(s)]


@pytest.mark.parametrize("sample", CASES, ids=[s.name for s in CASES])
def test_hints_make_the_routes_answer(
    sample: Sample,
    docker_engine: object,
    compose_cli: list[str],
    nginx_image: str,
    busybox_image: str,
    tmp_path: Path,
) -> None:
    findings = hints(sample)
    copy = tmp_path / sample.path.parent.name
    shutil.copytree(sample.path.parent, copy, symlinks=True)
    patched = copy / sample.path.name
    # Several DN301 hints on one group or address carry the same edits: apply each once.
    edits = list(dict.fromkeys(e for f in findings for e in f.edits))
    for file in {e.loc.file for e in edits}:
        target = patched / os.path.relpath(file, sample.path)
        target.write_bytes(fix.apply(Path(file).read_bytes(), file, edits))
    fixed_lines = {
        (os.path.relpath(x.file, sample.path), x.line)
        for f in findings
        for x in (f.loc, *(e.loc for e in f.edits))
    }

    run = gt.new_run(Sample(patched, frozenset()))
    errors = [f for f in run.analysis.findings if f.severity is Severity.ERROR]
    assert not errors, [f"{f.loc}: {f.rule} {f.message}" for f in errors]
    with gt.engine_lock():
        try:
            run.up()
            if run.environment_error is not None:
                pytest.skip(f"{sample.name} could not be brought up: {run.environment_error}")
            assert run.up_ok, run.up_output
            run.settle()
            run.probe()
        finally:
            run.down()
    checked = [
        o
        for o in run.outcomes
        if {(os.path.relpath(f, patched), line) for f, line in gt.route_locs(o.probe.route)} & fixed_lines
    ]
    assert checked, [o.probe.label for o in run.outcomes]
    for o in checked:
        assert o.broken is False, (o.probe.label, o.reality, o.output, gt.describe_run(run))
