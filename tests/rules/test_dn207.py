"""DN207: a name only another project can provide, on an external network, is undetermined, not unknown."""

from __future__ import annotations

from dataclasses import replace

from dockernet import pipeline
from dockernet.model import Network
from dockernet.model.findings import Severity
from dockernet.pipeline.requests import ComposeRequest
from tests.conftest import REPO

FRONT = REPO / "compose-samples" / "dn103-cross-project" / "fixed" / "front"


def test_the_proxy_project_checked_alone_is_a_warning_not_an_error() -> None:
    topology = pipeline.load_static(ComposeRequest(dirs=(str(FRONT),)))
    found = pipeline.analyse(topology).findings
    assert [f.rule for f in found if f.severity is Severity.ERROR] == []
    (warning,) = [f for f in found if f.rule == "DN207"]
    assert "dn103-cross-project-fixed-webnet" in warning.message and warning.loc.line == 7


def test_with_the_engine_asked_the_name_is_unknown() -> None:
    """check --engine: the engine's networks are known, and the name is on none of them: DN102."""
    topology = pipeline.load_static(ComposeRequest(dirs=(str(FRONT),)))
    engine = (Network(key="bridge", name="bridge", project=None),)
    found = pipeline.analyse(replace(topology, engine_networks=engine)).findings
    # DN113 too: the external network itself is not on that engine.
    assert {f.rule for f in found if f.severity is Severity.ERROR} == {"DN102", "DN113"}
    assert not [f for f in found if f.rule == "DN207"]
