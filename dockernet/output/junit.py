"""JUnit XML, for CI systems that show test reports (GitLab, Jenkins): one test case per rule and file;
a case fails when the rule found something in that file. Every rule that ran gets a passing case per checked
file, so reports show what was checked, not only what failed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from xml.etree import ElementTree as ET

from dockernet.model.findings import Finding, Report
from dockernet.model.loc import relpath
from dockernet.rules import RULES


def render(report: Report, files: Iterable[str] = (), rules: Iterable[str] | None = None) -> str:
    """The JUnit document; ``files`` are all checked files (for passing cases)."""
    by_case: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in report.findings:
        by_case[(f.rule, relpath(f.loc.file))].append(f)
    checked = sorted({relpath(p) for p in files} | {file for _, file in by_case})
    rule_ids = sorted(rules if rules is not None else RULES)
    suites = ET.Element("testsuites", name="dockernet")
    total_failures = 0
    for rule_id in rule_ids:
        meta = RULES[rule_id].META
        suite = ET.SubElement(suites, "testsuite", name=f"{rule_id} {meta.name}")
        failures = 0
        for file in checked:
            case = ET.SubElement(suite, "testcase", classname=rule_id, name=file)
            found = sorted(by_case.get((rule_id, file), []), key=lambda f: f.sort_key)
            if found:
                failures += 1
                text = "\n".join(f"{file}:{f.loc.line}: {f.message}\n    hint: {f.hint}" for f in found)
                failure = ET.SubElement(
                    case, "failure", message=found[0].message, type=found[0].severity.value
                )
                failure.text = text
        suite.set("tests", str(len(checked)))
        suite.set("failures", str(failures))
        total_failures += failures
    suites.set("tests", str(len(rule_ids) * len(checked)))
    suites.set("failures", str(total_failures))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
