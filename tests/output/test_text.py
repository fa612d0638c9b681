"""The text report's summary: what was checked, and a line that says so when nothing was."""

from __future__ import annotations

from dockernet.model.findings import Report
from dockernet.output import text


def test_a_clean_report_says_what_it_checked() -> None:
    out = text.render(Report(findings=(), projects=1, proxies=1, routes=3, kinds=(("nginx", 1),)))
    assert out.splitlines() == ["0 errors, 0 warnings, 0 notes (1 project, 1 nginx proxy, 3 routes checked)"]


def test_no_proxy_found_is_not_a_clean_report() -> None:
    out = text.render(Report(findings=(), projects=1)).splitlines()
    assert out[-1] == (
        "nothing was checked: no service runs a proxy that dockernet recognises by its image or command"
    )


def test_unread_proxies_are_named_as_the_reason() -> None:
    out = text.render(Report(findings=(), projects=1, unread=1)).splitlines()
    assert out[-2].endswith("(1 project, 0 proxies, 0 routes checked; 1 proxy not read (DN305))")
    assert out[-1] == "nothing was checked: 1 proxy found, routes not read (DN305 above)"


def test_proxies_that_forward_nothing() -> None:
    out = text.render(Report(findings=(), projects=1, proxies=1, kinds=(("nginx", 1),))).splitlines()
    assert out[-1] == "nothing was checked: the proxies found forward no request"
