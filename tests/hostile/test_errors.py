"""Plain bad input that ended with exit 70 (a bug in dockernet) before issue 15: one line naming the file."""

from __future__ import annotations

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
