"""Inline suppression comments (dockernet.sources.suppressions) in files read out of a container."""

from __future__ import annotations

from dockernet.sources.suppressions import scan_contents


def test_inline_suppressions_come_from_the_container_files() -> None:
    found = scan_contents([("/etc/nginx/conf.d/a.conf", b"x;\n# dockernet: ignore[DN110]\ny;\n")])
    assert [(s.loc.file, s.loc.line, s.codes, s.own_line) for s in found] == [
        ("/etc/nginx/conf.d/a.conf", 2, ("DN110",), True)
    ]
