"""DN208: an unset variable is named once per run, at its first use, without a value; and the input error
it causes says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockernet import pipeline
from dockernet.errors import InputError
from dockernet.pipeline.requests import ComposeRequest


def _write(root: Path, text: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "compose.yaml").write_text(text)
    return root


def test_once_per_run_at_the_first_use(tmp_path: Path) -> None:
    one = _write(tmp_path / "one", "services:\n  a:\n    image: x:${TAG}\n    command: ['run', '${TAG}']\n")
    two = _write(tmp_path / "two", "services:\n  b:\n    image: y:${TAG}\n")
    topology = pipeline.load_static(ComposeRequest(dirs=(str(one), str(two)), environ={}))
    found = [f for f in pipeline.analyse(topology).findings if f.rule == "DN208"]
    assert [(f.loc.file, f.loc.line) for f in found] == [(str(one / "compose.yaml"), 3)]
    assert '"TAG"' in found[0].message


def test_a_default_or_a_value_is_quiet(tmp_path: Path) -> None:
    root = _write(tmp_path, "services:\n  a:\n    image: x:${TAG:-1}\n    command: ['${SET}', '$$LITERAL']\n")
    topology = pipeline.load_static(ComposeRequest(dirs=(str(root),), environ={"SET": "s3cret"}))
    findings = pipeline.analyse(topology).findings
    assert not [f for f in findings if f.rule == "DN208"]
    assert not any("s3cret" in f.message + f.hint for f in findings)


def test_the_error_an_unset_variable_causes_names_it(tmp_path: Path) -> None:
    root = _write(tmp_path, "services:\n  web:\n    image: nginx\n    volumes:\n      - ${DATA}:/var/www\n")
    with pytest.raises(InputError) as e:
        pipeline.load_static(ComposeRequest(dirs=(str(root),), environ={}))
    assert e.value.line == 5
    assert 'the "DATA" variable is not set: compose used an empty string' in e.value.message
