"""Diagrams never carry the absolute paths of the machine that drew them: ``graph`` run from anywhere
shows the projects' files relative to the directory that holds them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dockernet import pipeline, render
from dockernet.pipeline.requests import ComposeRequest
from tests.conftest import REPO

SHOP = REPO / "compose-samples" / "showcase" / "shop"


@pytest.mark.parametrize("fmt", ["dot", "mmd", "json", "html"])
def test_no_absolute_path_in_any_text_format(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the projects are not below the working directory
    analysis = pipeline.analyse(pipeline.load_static(ComposeRequest(dirs=(str(SHOP),))))
    text = render.draw_analysis(analysis, fmt).data.decode()
    assert str(REPO) not in text and str(tmp_path) not in text
    assert fmt == "mmd" or "nginx.conf" in text  # (Mermaid labels name no files)
    assert os.sep + "compose-samples" not in text
