"""Plain bad input that ended with exit 70 (a bug in dockernet) before issue 15: one line naming the file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.hostile.helpers import COMPOSE, assert_input_error, project, timed


def test_float_tag_on_a_word(tmp_path: Path) -> None:
    compose = COMPOSE.replace("image: busybox", "image: busybox\n    x-f: !!float abc")
    done = timed("check", cwd=project(tmp_path, compose))
    assert_input_error(done, "compose.yaml:8:", "cannot decode 'abc' as a !!float")


@pytest.mark.parametrize("command", [["check"], ["graph", "-o", "x.svg"], ["graph", "-o", "x.dot"]])
def test_nul_in_an_image_name(tmp_path: Path, command: list[str]) -> None:
    compose = COMPOSE.replace("image: busybox", 'image: "busy\\0box"')
    done = timed(*command, cwd=project(tmp_path, compose))
    assert_input_error(done, "compose.yaml:7:", "NUL character")
    assert not (tmp_path / "x.svg").exists()


def test_nul_in_a_value_behind_an_alias(tmp_path: Path) -> None:
    compose = 'x-a: &a "a\\0b"\n' + COMPOSE.replace("image: busybox", "image: busybox\n    command: [*a]")
    assert_input_error(timed("check", cwd=project(tmp_path, compose)), "compose.yaml:1:", "NUL character")


LATIN1_NGINX = b"server { listen 80; location /caf\xe9 { proxy_pass http://app\xe9:3000; } }\n"
CONTROL_COMPOSE = COMPOSE.replace("  app:", '  "a\\x01\\x1bpp":')
CONTROL_NGINX = 'server { listen 80; location "/\x01\x7f" { proxy_pass http://"a\x01\x1bpp":3000; } }\n'


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz")
@pytest.mark.parametrize("fmt", ["svg", "png", "dot", "json", "html", "mmd"])
def test_latin1_and_control_characters_in_the_graph_formats(tmp_path: Path, fmt: str) -> None:
    # Before: exit 70 (UnicodeEncodeError, or Graphviz failing on the label). Escaped by the output side.
    (tmp_path / "latin").mkdir()
    (tmp_path / "control").mkdir()
    latin = project(tmp_path / "latin", nginx=None, **{"nginx.conf": LATIN1_NGINX})
    control = project(tmp_path / "control", CONTROL_COMPOSE, nginx=CONTROL_NGINX)
    for proj in (latin, control):
        done = timed("graph", "-o", f"x.{fmt}", cwd=proj)
        assert done.returncode in (0, 1), (proj.name, done.stderr)
        out = (proj / f"x.{fmt}").read_bytes()
        if fmt != "png":
            out.decode("utf-8")  # valid UTF-8, no lone surrogate
