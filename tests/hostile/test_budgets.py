"""Inputs that exhausted memory or hung before issue 15: each now ends fast, with a one-line input error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dockernet.analysis.graph import build, dns_names, service_id
from dockernet.dialects.nginx.routes import extract
from dockernet.dialects.nginx.syntax import parse_text
from dockernet.dialects.nginx.variables import Values
from dockernet.errors import InputError
from dockernet.model import MAX_REPLICA_NAMES, Topology
from dockernet.sources import dockerfile
from dockernet.sources.compose import load_projects
from tests.hostile.helpers import COMPOSE, assert_input_error, project, timed


def test_dotenv_variables_that_double_each_other(tmp_path: Path) -> None:
    # Before: over 4 GB and no answer after 20 s. V39 would be 16 bytes * 2**39; V17 (line 18) is the
    # first over 1 MB.
    lines = ["V0=xxxxxxxxxxxxxxxx", *(f"V{i}=${{V{i - 1}}}${{V{i - 1}}}" for i in range(1, 40))]
    compose = COMPOSE.replace("image: busybox", "image: busybox\n    environment: [X=${V39}]")
    done = timed("check", cwd=project(tmp_path, compose, **{".env": "\n".join(lines) + "\n"}))
    assert_input_error(done, ".env:18:", "longer than 1024 KB")


def test_compose_value_that_repeats_a_large_variable(tmp_path: Path) -> None:
    big = "x" * 1000
    template = "${BIG}" * 2000  # 12 KB of template, 2 MB of value
    compose = COMPOSE.replace("image: busybox", f'image: busybox\n    command: ["{template}"]')
    done = timed("check", cwd=project(tmp_path, compose, **{".env": f"BIG={big}\n"}))
    assert_input_error(done, "compose.yaml:8:", "longer than 1024 KB")


def _string_alias_bomb(prefix: str) -> str:
    text = prefix + "x" * 10_000
    items = ",".join(["*a"] * 1000)
    command = ",".join(["*b"] * 300)
    return f'x-a: &a "{text}"\nx-b: &b [{items}]\n' + COMPOSE.replace(
        "image: busybox", f"image: busybox\n    command: [{command}]"
    )


def test_string_alias_bomb(tmp_path: Path) -> None:
    # 14 KB: 300,000 aliases of one 10 KB string are within the node budget. Before: 3 GB, no answer in 25 s.
    done = timed("check", cwd=project(tmp_path, _string_alias_bomb("")))
    assert_input_error(done, "compose.yaml:1:", "too much text")


def test_interpolated_string_alias_bomb(tmp_path: Path) -> None:
    # Each alias of a string with a variable is interpolated again, into a new string. Before: 15 s.
    done = timed("check", cwd=project(tmp_path, _string_alias_bomb("$X")))
    assert_input_error(done, "compose.yaml:1:", "too much text", '"Xxxxxx')
    assert len(done.stderr) < 300


def test_replicas_beyond_the_names_resolved(tmp_path: Path) -> None:
    # Before: one name per replica, 4.5 GB and no answer in 20 s.
    compose = COMPOSE.replace("image: busybox", "image: busybox\n    deploy: {replicas: 100000000}")
    proj = project(tmp_path, compose)
    done = timed("check", cwd=proj)
    assert done.returncode == 0, done.stderr
    warnings: list[str] = []
    (loaded,) = load_projects([str(proj)], [], None, [], [], {}, warnings=warnings)
    assert loaded.services["app"].replicas == 100_000_000
    assert warnings == [
        f"{proj / 'compose.yaml'}:8: services.app has 100000000 replicas;"
        f" only the container names of the first {MAX_REPLICA_NAMES} are resolved"
    ]
    topo = build(Topology(projects=(loaded,)))
    names = dns_names(topo.services[service_id(loaded.services["app"])], "default")
    assert len(names) == MAX_REPLICA_NAMES + 1  # the service name, then one container name per replica


def test_expose_the_whole_port_range(tmp_path: Path) -> None:
    # Before: 30 s (every port was looked up in the list of the ports before it).
    compose = COMPOSE.replace("image: busybox", 'image: busybox\n    expose: ["1-65535", "80", "3000-3010"]')
    proj = project(tmp_path, compose)
    done = timed("check", cwd=proj)
    assert done.returncode == 0, done.stderr
    (loaded,) = load_projects([str(proj)], [], None, [], [], {})
    assert loaded.services["app"].expose == tuple(range(1, 65536))


def test_publish_the_whole_port_range(tmp_path: Path) -> None:
    compose = COMPOSE.replace("image: busybox", 'image: busybox\n    ports: ["1-65535:1-65535"]')
    done = timed("check", cwd=project(tmp_path, compose))
    assert done.returncode == 0, done.stderr


def _many_locations(n: int, target: str = "http://app:3000") -> str:
    body = "".join(f"location /p{i} {{ proxy_pass {target}; }}\n" for i in range(n))
    return "server { listen 80; server_name example.test;\n" + body + "}\n"


def test_many_nginx_locations_read_in_linear_time(tmp_path: Path) -> None:
    # Before: every route rescanned its server block (10,000 locations: 11 s; 49,000: 220 s).
    # Counted, not timed: the server block is scanned once per server, whatever the number of routes.
    scans = 0
    original = Values.possible

    def counting(self: Values, *args: Any, **kwargs: Any) -> dict[str, set[str]]:
        nonlocal scans
        scans += len(args[0][0]) if args[0] else 0
        return original(self, *args, **kwargs)

    text = _many_locations(2000, "http://$up:3000").replace("listen 80;", "listen 80; set $up app;")
    conf = parse_text(text, "x")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Values, "possible", counting)
        result = extract(conf, ("p", "nginx"))
    assert len(result.routes) == 2000
    assert scans < 3 * 2000 + 2003  # each location block once, the server block once (was 2000 times)
    assert all(r.match.hosts == ("example.test",) for r in result.routes)


def test_ten_thousand_nginx_locations(tmp_path: Path) -> None:
    done = timed("check", cwd=project(tmp_path, nginx=_many_locations(10_000)), limit=8.0)
    assert done.returncode in (0, 1), done.stderr
    assert "10000 routes checked" in done.stdout


def test_copy_glob_over_a_huge_context(tmp_path: Path) -> None:
    # Before: COPY */*/*/*/*/* with the context / walked the whole machine (past 20 s).
    # Counted: the walk stops at MAX_GLOB_ENTRIES directory entries, whatever the machine holds.
    deep = tmp_path / "ctx"
    for i in range(30):
        for j in range(30):
            (deep / f"a{i}" / f"b{j}").mkdir(parents=True)
    (tmp_path / "Dockerfile").write_text("FROM nginx\nCOPY */*/* /etc/nginx/\n")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(dockerfile, "MAX_GLOB_ENTRIES", 500)
        with pytest.raises(InputError, match="COPY patterns list more than 500 files") as e:
            dockerfile.read(("p", "s"), str(tmp_path / "Dockerfile"), str(deep))
    assert e.value.line == 2


def test_copy_glob_with_the_root_as_context(tmp_path: Path) -> None:
    compose = COMPOSE.replace(
        "image: busybox", "build: {context: /, dockerfile: " + str(tmp_path / "Dockerfile") + "}"
    )
    proj = project(tmp_path, compose, Dockerfile="FROM busybox\nCOPY */*/*/*/*/* /x/\n")
    done = timed("check", cwd=proj)
    assert_input_error(done, "Dockerfile:2:", "COPY patterns list more than")
