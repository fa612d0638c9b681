"""Every sample in compose-samples/ gives exactly the findings written next to it (with every rule
selected, notes included), every rule has a broken sample where it fires and a fixed near-miss where it
stays quiet, and by default (errors and warnings only) every fixed sample passes in silence."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockernet import pipeline, rules
from dockernet.pipeline.config import Config
from dockernet.pipeline.requests import ComposeRequest
from tests.conftest import REPO
from tests.samples import Sample, all_samples, finding_line

SAMPLES = all_samples()


def check(sample: Sample, config: Config | None = None) -> set[str]:
    config = config or Config(selected=frozenset(rules.RULES))
    topology = pipeline.load_static(
        ComposeRequest(dirs=tuple(str(d) for d in sample.dirs), stack=sample.stack)
    )
    analysis = pipeline.analyse(topology, config)
    return {finding_line(f, sample.path) for f in analysis.findings}


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.name for s in SAMPLES])
def test_by_default_only_errors_and_warnings(sample: Sample) -> None:
    """The default selection: what expected.txt lists, less the notes that are not in it; a fixed sample
    then says nothing (but for the warnings that are its point, e.g. DN207's undetermined route)."""
    got = check(sample, Config())
    assert got == {line for line in sample.expected if line.split()[-1] in rules.DEFAULT}


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.name for s in SAMPLES])
def test_sample_findings(sample) -> None:
    got = check(sample)
    missing = sorted(sample.expected - got)
    unexpected = sorted(got - sample.expected)
    assert not missing and not unexpected, f"missing: {missing}\nunexpected: {unexpected}"


@pytest.mark.parametrize("rule_id", sorted(rules.RULES))
def test_rule_has_broken_and_fixed_sample(rule_id: str) -> None:
    if rules.meta(rule_id).live:
        # Only a live engine fires these: their proof is a firing and a quiet case in the engine tests.
        this = Path(__file__).resolve()
        modules = [p for p in (REPO / "tests").rglob("test_*.py") if p.resolve() != this]
        assert any(rule_id in p.read_text() for p in modules), (
            f"{rule_id}: no test module under tests/ names it"
        )
        return
    prefix = rule_id.lower() + "-"
    mine = [s for s in SAMPLES if s.path.parent.name.startswith(prefix)]
    broken = [s for s in mine if s.path.name == "broken"]
    fixed = [s for s in mine if s.path.name == "fixed"]
    assert broken and fixed, f"{rule_id} needs compose-samples/{prefix}*/broken and fixed"
    assert any(any(line.endswith(" " + rule_id) for line in s.expected) for s in broken), (
        f"{rule_id} must fire on its broken sample"
    )
    assert not any(any(line.endswith(" " + rule_id) for line in s.expected) for s in fixed), (
        f"{rule_id} must stay quiet on its fixed sample"
    )
