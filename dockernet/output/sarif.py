"""SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html), as GitHub code scanning
reads it: only the rules that fired, each with its docs page as full description and a help URI; results
with a physical location (relative URI + line) and related locations for the other side."""

from __future__ import annotations

import json
from typing import Any

from dockernet import __version__
from dockernet.model import Loc
from dockernet.model.findings import Finding, Report
from dockernet.model.loc import relpath
from dockernet.rules import RULES
from dockernet.rules.docs import page, summary

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
HOME = "https://github.com/dockernet/dockernet"


def help_uri(rule_id: str) -> str:
    """Where the rule's docs page lives."""
    return f"{HOME}/blob/main/docs/rules/{rule_id}.md"


def _location(loc: Loc, message: str | None = None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": relpath(loc.file), "uriBaseId": "%SRCROOT%"}}
    if loc.line:
        physical["region"] = {"startLine": loc.line}
    out: dict[str, Any] = {"physicalLocation": physical}
    if message:
        out["message"] = {"text": message}
    return out


def _rule(rule_id: str) -> dict[str, Any]:
    module = RULES[rule_id]
    meta = module.META
    doc = page(module)
    return {
        "id": rule_id,
        "name": meta.name,
        "shortDescription": {"text": summary(module)},
        "fullDescription": {"text": doc},
        "help": {"text": doc, "markdown": doc},
        "helpUri": help_uri(rule_id),
        "defaultConfiguration": {"level": meta.severity.value},
    }


def _result(f: Finding, index: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": index,
        "level": f.severity.value,
        "message": {"text": f"{f.message}. Fix: {f.hint}"},
        "locations": [_location(f.loc)],
    }
    related = [r for r in f.related if r.file]
    if related:
        out["relatedLocations"] = [
            {"id": i, **_location(r, "related definition")} for i, r in enumerate(related, 1)
        ]
    props = {k: v for k, v in (("service", f.service), ("project", f.project), ("target", f.target)) if v}
    if props:
        out["properties"] = props
    return out


def render(report: Report) -> str:
    """The SARIF log."""
    findings = sorted(report.findings, key=lambda f: f.sort_key)
    fired = sorted({f.rule for f in findings})
    index = {rule_id: i for i, rule_id in enumerate(fired)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "dockernet",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": HOME,
                "rules": [_rule(r) for r in fired],
            }
        },
        "results": [_result(f, index[f.rule]) for f in findings],
        "columnKind": "unicodeCodePoints",
    }
    if report.partial:
        run["invocations"] = [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {"message": {"text": p}, "level": "warning"} for p in report.partial
                ],
            }
        ]
    doc = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2) + "\n"
