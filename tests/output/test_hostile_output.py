"""What a pull request controls never escapes into the output as code: control characters go out as
visible escapes in every report and diagram format (no ``::`` workflow command, no ANSI/OSC escape, no
bidirectional override), JUnit stays well-formed, JSON and SARIF parse, and a DOT attribute written as
``<...>`` in a network name stays a quoted name (no ``javascript:`` URL, no event attribute in SVG/HTML)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

UNSAFE = [chr(c) for c in (*range(0, 9), *range(10, 32), 0x7F, 0x9B, 0x2028, 0x202E)]

LOCATION_CONF = (
    'server {\n  listen 80;\n  location "/a\n::stop-commands::x\x1b]0;pwned\x07\u202e" {\n'
    "    proxy_pass http://127.0.0.1:3000;\n  }\n}\n"
)
EVIL_NETWORK = """\
services:
  web:
    image: nginx
    networks: [evil]
networks:
  evil:
    name: '<z>, URL="javascript:alert(document.domain)", target="_top", tooltip=<z'
    driver: "bridge>"
"""


def dockernet(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "dockernet", *args], cwd=cwd, capture_output=True, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    mount = "./nginx.conf:/etc/nginx/conf.d/default.conf"
    (root / "compose.yaml").write_text(
        f"services:\n  web:\n    image: nginx\n    volumes:\n      - {mount}\n"
    )
    (root / "nginx.conf").write_text(LOCATION_CONF)
    return root


@pytest.mark.parametrize("fmt", ["text", "github", "json", "sarif", "junit"])
def test_report_formats_carry_no_raw_control_character(hostile: Path, fmt: str) -> None:
    done = dockernet("check", "--format", fmt, cwd=hostile)
    assert done.returncode == 1, done.stderr
    out = done.stdout.decode("utf-8")
    assert "DN101" in out
    lines = out.splitlines()
    assert not [c for c in UNSAFE if c in out.replace("\n", "")], "a control character went out raw"
    assert not [line for line in lines if line.startswith("::") and fmt != "github"]
    assert not [line for line in lines if line.startswith("::stop-commands")]
    if fmt in ("json", "sarif"):
        json.loads(out)
    if fmt == "junit":
        ET.fromstring(out)


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.lower().startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.bad.append(f"<{tag} {name}={value!r}>")


@pytest.mark.parametrize("fmt", ["dot", "svg", "html"])
def test_a_dot_attribute_in_a_network_name_stays_a_name(fmt: str, tmp_path: Path) -> None:
    if fmt == "svg" and shutil.which("dot") is None:
        pytest.skip("Graphviz is not installed")
    (tmp_path / "compose.yaml").write_text(EVIL_NETWORK)
    done = dockernet("graph", "-o", f"x.{fmt}", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    text = (tmp_path / f"x.{fmt}").read_text()
    if fmt == "dot":
        assert 'URL="javascript' not in text and '\\"javascript:' in text  # inside a quoted string
        return
    parser = _Attributes()
    parser.feed(text)
    assert parser.bad == []
