"""Findings in files read out of a container: text and GitHub annotations name the file as
``container:path``, JSON keeps the path and the container apart."""

from __future__ import annotations

import json

from dockernet.model import Loc
from dockernet.model.findings import Finding, Report, Severity
from dockernet.output import github as github_out
from dockernet.output import json as json_out
from dockernet.output import text as text_out


def test_text_names_the_container_of_an_in_container_file() -> None:
    f = Finding("DN110", "n", Severity.ERROR, "m", "h", Loc("/etc/nginx/conf.d/a.conf", 3), container="web-1")
    g = Finding("DN305", "n", Severity.NOTE, "m", "h", Loc("/srv/compose.yml", 0), container="web-1")
    files = {"web-1": frozenset({"/etc/nginx/conf.d/a.conf"})}
    text = text_out.render(Report(findings=(f, g)), container_files=files)
    assert [line.split(": ")[0] for line in text.splitlines()[::3][:2]] == [
        "/srv/compose.yml",
        "web-1:/etc/nginx/conf.d/a.conf:3",
    ]
    annotations = github_out.render(Report(findings=(f, g)), container_files=files)
    assert "file=web-1%3A/etc/nginx/conf.d/a.conf,line=3" in annotations
    assert "file=/srv/compose.yml," in annotations
    doc = json.loads(json_out.render(Report(findings=(f,))))
    assert doc["findings"][0]["file"] == "/etc/nginx/conf.d/a.conf"
    assert doc["findings"][0]["container"] == "web-1"
