"""A live container's Traefik labels get the lines of the compose file that made it."""

from __future__ import annotations

from pathlib import Path

from dockernet.model import Loc
from dockernet.sources.engine.labellines import label_locs


def test_map_and_list_forms(tmp_path: Path) -> None:
    f = tmp_path / "compose.yaml"
    f.write_text(
        "services:\n  a:\n    labels:\n      traefik.http.routers.a.rule: Host(`a`)\n"
        '  b:\n    labels:\n      - "traefik.http.routers.b.rule=Host(`b`)"\n      - other=1\n'
    )
    got = label_locs(
        [str(tmp_path / "missing.yaml"), str(f)],
        ["traefik.http.routers.a.rule", "traefik.http.routers.b.rule", "other", "traefik.enable"],
    )
    assert got == {
        "traefik.http.routers.a.rule": Loc(str(f), 4),
        "traefik.http.routers.b.rule": Loc(str(f), 7),
    }


def test_no_file_no_lines() -> None:
    assert label_locs(["/nonexistent/compose.yaml"], ["traefik.enable"]) == {}
