"""Unit tests of the compose loader (dockernet.sources.compose and its helpers), with inline projects.

Each behaviour is checked on a small project written to ``tmp_path``; the expected values come from the
Compose specification (https://github.com/compose-spec/compose-spec/blob/main/spec.md), Docker's Compose file
reference (https://docs.docker.com/reference/compose-file/) and ``docker compose config`` (Compose 2.26;
``test_vs_docker.py`` checks the same corners against the real thing when Compose v2 is installed).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import ClassVar

import pytest

from dockernet.errors import DockernetError, ExitStatus, InputError, UsageError
from dockernet.model import Loc, NetworkMode, Project, Service
from dockernet.sources.compose import load_projects
from dockernet.sources.compose.discover import find_compose_files, normalize_project_name
from dockernet.sources.compose.interpolate import InterpolationError, Substituter, parse_dotenv

# ------------------------------------------------------------------------------------------------ helpers


def write(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write ``files`` (relative path -> text) under ``root``; return ``root``."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return root


def load(
    root: Path,
    files: Mapping[str, str | bytes] | None = None,
    *,
    f: list[str] | None = None,
    name: str | None = None,
    env_files: list[str] | None = None,
    profiles: list[str] | None = None,
    environ: dict[str, str] | None = None,
    warnings: list[str] | None = None,
) -> Project:
    """Write ``files`` and load the project: from ``-f`` files when ``f`` is given, else from ``root``."""
    if files:
        write(root, files)
    projects = load_projects(
        [] if f else [str(root)],
        [str(root / x) for x in f or []],
        name,
        [str(root / e) for e in env_files or []],
        profiles or [],
        {"HOME": "/home/tester"} if environ is None else environ,
        warnings=warnings,
    )
    assert len(projects) == 1
    return projects[0]


def svc(root: Path, yaml: str, name: str = "a", **kw: object) -> Service:
    """Load a one-file project and return one of its services."""
    return load(root, {"compose.yaml": yaml}, **kw).services[name]  # type: ignore[arg-type]


def error(root: Path, files: Mapping[str, str | bytes] | None = None, **kw: object) -> InputError:
    """The InputError that loading raises; it must be one line and name the file."""
    with pytest.raises(InputError) as info:
        load(root, files, **kw)  # type: ignore[arg-type]
    e = info.value
    assert "\n" not in str(e)
    assert e.exit_status is ExitStatus.BAD_INPUT
    assert e.file
    return e


def loc(root: Path, line: int, file: str = "compose.yaml") -> Loc:
    return Loc(str(root / file), line)


# ======================================================================================= project naming


class TestProjectName:
    def test_directory_basename_is_normalised(self, tmp_path: Path) -> None:
        d = tmp_path / "My.Project_Dir"
        p = load(d, {"compose.yaml": "services:\n  a:\n    image: x\n"})
        assert p.name == "myproject_dir"
        assert p.networks["default"].name == "myproject_dir_default"
        assert p.directory == str(d)

    def test_leading_dash_dropped(self, tmp_path: Path) -> None:
        assert load(tmp_path / "-lead", {"compose.yaml": "services: {a: {image: x}}\n"}).name == "lead"

    @pytest.mark.parametrize(
        ("raw", "normal"),
        [("UPPER", "upper"), ("My.Project_Dir", "myproject_dir"), ("__x-y", "x-y"), ("é1", "1")],
    )
    def test_normalize_project_name(self, raw: str, normal: str) -> None:
        assert normalize_project_name(raw) == normal

    def test_top_level_name_normalised(self, tmp_path: Path) -> None:
        p = load(tmp_path / "d", {"compose.yaml": 'name: "Cmpres.Top_Name"\nservices: {a: {image: x}}\n'})
        assert p.name == "cmprestop_name"

    def test_top_level_name_interpolated(self, tmp_path: Path) -> None:
        files = {"compose.yaml": 'name: "cmpres-${SUFFIX:-dflt}"\nservices: {a: {image: x}}\n'}
        assert load(tmp_path / "d", files).name == "cmpres-dflt"
        assert load(tmp_path / "d", environ={"SUFFIX": "x"}).name == "cmpres-x"

    def test_name_can_use_the_directory_name(self, tmp_path: Path) -> None:
        files = {"compose.yaml": 'name: "${COMPOSE_PROJECT_NAME}-x"\nservices: {a: {image: x}}\n'}
        assert load(tmp_path / "base", files).name == "base-x"

    def test_dotenv_project_name(self, tmp_path: Path) -> None:
        files = {
            "compose.yaml": "name: from-file\nservices: {a: {image: x}}\n",
            ".env": "COMPOSE_PROJECT_NAME=cmpres-fromdotenv\n",
        }
        assert load(tmp_path / "d", files).name == "cmpres-fromdotenv"

    def test_flag_beats_env_and_dotenv(self, tmp_path: Path) -> None:
        files = {"compose.yaml": "services: {a: {image: x}}\n", ".env": "COMPOSE_PROJECT_NAME=fromdotenv\n"}
        p = load(tmp_path / "d", files, name="cmpres-flag", environ={"COMPOSE_PROJECT_NAME": "fromenv"})
        assert p.name == "cmpres-flag"

    def test_environ_beats_dotenv_and_name(self, tmp_path: Path) -> None:
        files = {
            "compose.yaml": "name: fromfile\nservices: {a: {image: x}}\n",
            ".env": "COMPOSE_PROJECT_NAME=fromdotenv\n",
        }
        assert load(tmp_path / "d", files, environ={"COMPOSE_PROJECT_NAME": "fromenv"}).name == "fromenv"

    def test_invalid_flag_is_a_usage_error(self, tmp_path: Path) -> None:
        write(tmp_path, {"compose.yaml": "services: {a: {image: x}}\n"})
        with pytest.raises(UsageError, match=r'invalid project name "Cmpres\.Bad"'):
            load(tmp_path, name="Cmpres.Bad")

    def test_invalid_environ_name_is_a_usage_error(self, tmp_path: Path) -> None:
        write(tmp_path, {"compose.yaml": "services: {a: {image: x}}\n"})
        with pytest.raises(UsageError, match="invalid project name"):
            load(tmp_path, environ={"COMPOSE_PROJECT_NAME": "Cmpres_Bad"})

    def test_invalid_dotenv_name_points_at_the_line(self, tmp_path: Path) -> None:
        files = {
            "compose.yaml": "services: {a: {image: x}}\n",
            ".env": "# c\nCOMPOSE_PROJECT_NAME=Bad.Name\n",
        }
        e = error(tmp_path, files)
        assert (e.file, e.line) == (str(tmp_path / ".env"), 2)
        assert 'invalid project name "Bad.Name"' in e.message

    def test_last_name_of_the_f_files_wins(self, tmp_path: Path) -> None:
        files = {
            "named.yaml": "name: first\nservices: {a: {image: x}}\n",
            "n3.yaml": "name: Third\n",
            "n4.yaml": "services: {b: {image: y}}\n",
        }
        p = load(tmp_path, files, f=["named.yaml", "n3.yaml", "n4.yaml"])
        assert p.name == "third"
        assert set(p.services) == {"a", "b"}

    def test_project_directory_is_the_first_files_directory(self, tmp_path: Path) -> None:
        files = {
            "My.Project_Dir/compose.yaml": "services: {a: {image: x, volumes: ['./data:/data']}}\n",
            "other/extra.yaml": "services: {a: {volumes: ['./more:/more']}}\n",
        }
        p = load(tmp_path, files, f=["My.Project_Dir/compose.yaml", "other/extra.yaml"])
        assert p.name == "myproject_dir"
        assert p.directory == str(tmp_path / "My.Project_Dir")
        # Relative paths of every -f file resolve against the first file's directory.
        assert {m.source for m in p.services["a"].volumes} == {
            str(tmp_path / "My.Project_Dir" / "data"),
            str(tmp_path / "My.Project_Dir" / "more"),
        }

    def test_compose_project_name_is_available_for_interpolation(self, tmp_path: Path) -> None:
        s = svc(
            tmp_path / "proj",
            "services:\n  a:\n    image: x\n    container_name: ${COMPOSE_PROJECT_NAME}-a\n",
        )
        assert s.container_name == "proj-a"
        p = load(tmp_path / "proj", name="flagged")
        assert p.services["a"].container_name == "flagged-a"

    def test_unusable_directory_name(self, tmp_path: Path) -> None:
        e = error(tmp_path / "___", {"compose.yaml": "services: {a: {image: x}}\n"})
        assert "project name" in e.message


# ============================================================================================ discovery


class TestDiscovery:
    def test_preference_order_and_override(self, tmp_path: Path) -> None:
        write(
            tmp_path,
            {
                "docker-compose.yml": "services: {old: {image: x}}\n",
                "compose.yml": "services: {b: {image: x}}\n",
                "compose.yaml": "services: {a: {image: x}}\n",
                "docker-compose.override.yml": "services: {o2: {image: x}}\n",
                "compose.override.yaml": "services: {o1: {image: x}}\n",
            },
        )
        warnings: list[str] = []
        found = find_compose_files(str(tmp_path), warnings)
        assert found == [str(tmp_path / "compose.yaml"), str(tmp_path / "compose.override.yaml")]
        assert warnings and "compose.yaml" in warnings[0]
        assert set(load(tmp_path).services) == {"a", "o1"}

    def test_docker_compose_yml_before_yaml(self, tmp_path: Path) -> None:
        write(tmp_path, {"docker-compose.yaml": "services: {b: {image: x}}\n"})
        write(tmp_path, {"docker-compose.yml": "services: {a: {image: x}}\n"})
        assert find_compose_files(str(tmp_path)) == [str(tmp_path / "docker-compose.yml")]

    def test_any_override_name_goes_with_any_main_file(self, tmp_path: Path) -> None:
        files = {
            "docker-compose.yml": "services: {a: {image: x}}\n",
            "compose.override.yml": "services: {a: {hostname: h}}\n",
        }
        assert load(tmp_path, files).services["a"].hostname == "h"

    def test_missing_directory(self, tmp_path: Path) -> None:
        with pytest.raises(InputError, match="no such file or directory"):
            load_projects([str(tmp_path / "nope")], [], None, [], [], {})

    def test_directory_without_compose_file(self, tmp_path: Path) -> None:
        with pytest.raises(InputError, match="no compose file found"):
            load_projects([str(tmp_path)], [], None, [], [], {})

    def test_missing_f_file(self, tmp_path: Path) -> None:
        with pytest.raises(InputError) as info:
            load_projects([], [str(tmp_path / "nope.yaml")], None, [], [], {})
        assert info.value.file == str(tmp_path / "nope.yaml")
        assert "not found" in str(info.value)

    def test_a_file_given_as_a_directory_argument(self, tmp_path: Path) -> None:
        write(tmp_path, {"stack.yml": "services: {a: {image: x}}\n"})
        p = load_projects([str(tmp_path / "stack.yml")], [], None, [], [], {})[0]
        assert p.files == (str(tmp_path / "stack.yml"),)

    def test_several_directories_are_several_projects(self, tmp_path: Path) -> None:
        write(tmp_path, {"one/compose.yaml": "services: {a: {image: x}}\n"})
        write(tmp_path, {"two/compose.yaml": "services: {b: {image: x}}\n"})
        projects = load_projects([str(tmp_path / "one"), str(tmp_path / "two")], [], None, [], [], {})
        assert [p.name for p in projects] == ["one", "two"]
        with pytest.raises(UsageError):
            load_projects([str(tmp_path / "one"), str(tmp_path / "two")], [], "x", [], [], {})

    def test_files_and_directories_together(self, tmp_path: Path) -> None:
        write(
            tmp_path,
            {"one/compose.yaml": "services: {a: {image: x}}\n", "two/x.yaml": "services: {b: {image: x}}\n"},
        )
        projects = load_projects([str(tmp_path / "one")], [str(tmp_path / "two/x.yaml")], None, [], [], {})
        assert [p.name for p in projects] == ["two", "one"]

    def test_empty_compose_file(self, tmp_path: Path) -> None:
        e = error(tmp_path, {"compose.yaml": "# nothing here\n"})
        assert e.message == "empty compose file"


# ============================================================================================== merging


class TestMerge:
    def test_networks_list_plus_mapping(self, tmp_path: Path) -> None:
        p = load(
            tmp_path,
            {
                "compose.yaml": """\
services:
  web:
    image: x
    networks: [front]
networks: {front: , back: }
""",
                "compose.override.yaml": """\
services:
  web:
    networks:
      back:
        aliases: [web-back]
""",
            },
        )
        web = p.services["web"]
        assert [a.network for a in web.networks] == ["front", "back"]
        assert web.attachment("back") is not None
        assert web.attachment("back").aliases == ("web-back",)  # type: ignore[union-attr]

    def test_override_tag_replaces(self, tmp_path: Path) -> None:
        p = load(
            tmp_path,
            {
                "compose.yaml": """\
services:
  web:
    image: x
    networks: [front]
networks: {front: , back: }
""",
                "compose.override.yaml": "services:\n  web:\n    networks: !override\n      back: {}\n",
            },
        )
        assert [a.network for a in p.services["web"].networks] == ["back"]
        assert set(p.networks) == {"back"}

    def test_reset_tag_removes(self, tmp_path: Path) -> None:
        p = load(
            tmp_path,
            {
                "compose.yaml": "services:\n  web:\n    image: x\n    ports: ['8080:80']\n    hostname: h\n",
                "compose.override.yaml": "services:\n  web:\n    ports: !reset []\n    hostname: !reset\n",
            },
        )
        assert p.services["web"].ports == ()
        assert p.services["web"].hostname is None

    def test_duplicate_ports_collapse_and_command_is_replaced(self, tmp_path: Path) -> None:
        p = load(
            tmp_path,
            {
                "compose.yaml": """\
services:
  web:
    image: x
    ports: ['8080:80']
    command: [a, b]
    entrypoint: /bin/sh -c
    healthcheck:
      test: [CMD, x]
""",
                "compose.override.yaml": """\
services:
  web:
    ports: ['8080:80', '9090:90']
    command: c d
    healthcheck:
      test: [NONE]
""",
            },
        )
        web = p.services["web"]
        assert [(x.published, x.target) for x in web.ports] == [(8080, 80), (9090, 90)]
        assert web.command == ("c", "d")
        assert web.entrypoint == ("/bin/sh", "-c")
        assert web.healthcheck is False

    def test_environment_labels_merge_by_key(self, tmp_path: Path) -> None:
        p = load(
            tmp_path,
            {
                "compose.yaml": """\
services:
  web:
    image: x
    environment: [A=1, B=2]
    labels: {l1: a}
""",
                "compose.override.yaml": """\
services:
  web:
    environment: {B: 3, C: x}
    labels: [l2=b]
""",
            },
        )
        assert dict(p.services["web"].environment) == {"A": "1", "B": "3", "C": "x"}
        assert dict(p.services["web"].labels) == {"l1": "a", "l2": "b"}

    def test_volumes_by_target_and_extra_hosts_added(self, tmp_path: Path) -> None:
        p = load(
            tmp_path,
            {
                "compose.yaml": "services:\n  web:\n    image: x\n    volumes: ['./a:/data']\n"
                "    extra_hosts: ['h1:10.0.0.1']\n",
                "compose.override.yaml": "services:\n  web:\n    volumes: ['./b:/data:ro']\n"
                "    extra_hosts: {h2: 10.0.0.2}\n",
            },
        )
        web = p.services["web"]
        assert [(m.source, m.target, m.read_only) for m in web.volumes] == [
            (str(tmp_path / "b"), "/data", True)
        ]
        assert [(h.host, h.ip) for h in web.extra_hosts] == [("h1", "10.0.0.1"), ("h2", "10.0.0.2")]

    def test_build_string_merges_with_mapping(self, tmp_path: Path) -> None:
        p = load(
            tmp_path,
            {
                "compose.yaml": "services:\n  web:\n    build: ./web\n",
                "compose.override.yaml": "services:\n  web:\n    build:\n      dockerfile: Dev.Dockerfile\n",
            },
        )
        build = p.services["web"].build
        assert build is not None
        assert build.context == str(tmp_path / "web")
        assert build.dockerfile == str(tmp_path / "web" / "Dev.Dockerfile")

    def test_ipam_config_merges_by_subnet(self, tmp_path: Path) -> None:
        p = load(
            tmp_path,
            {
                "compose.yaml": """\
services: {a: {image: x, networks: [n]}}
networks:
  n:
    ipam:
      config:
        - subnet: 10.1.0.0/24
""",
                "compose.override.yaml": """\
networks:
  n:
    ipam:
      config:
        - subnet: 10.1.0.0/24
          gateway: 10.1.0.1
        - subnet: 10.2.0.0/24
""",
            },
        )
        ipam = p.networks["n"].ipam
        assert [(c.subnet, c.gateway) for c in ipam] == [("10.1.0.0/24", "10.1.0.1"), ("10.2.0.0/24", None)]

    def test_several_documents_in_one_file_merge(self, tmp_path: Path) -> None:
        p = load(tmp_path, {"compose.yaml": "services: {a: {image: x}}\n---\nservices: {a: {hostname: h}}\n"})
        assert p.services["a"].hostname == "h"


# ======================================================================================== interpolation


class TestInterpolation:
    ENV: ClassVar[dict[str, str]] = {"A": "a", "E": ""}

    @pytest.mark.parametrize(
        ("template", "value"),
        [
            ("$A", "a"),
            ("${A}", "a"),
            ("x${A}y$A", "xaya"),
            ("${E:-d}", "d"),
            ("${U:-d}", "d"),
            ("${E-d}", ""),
            ("${U-d}", "d"),
            ("${A:+alt}", "alt"),
            ("${E:+alt}", ""),
            ("${E+alt}", "alt"),
            ("${U+alt}", ""),
            ("${U:-${V:-z}}", "z"),
            ("${U:-${A}}", "a"),
            ("${U:-{x}}", "{x}"),
            ("$$A", "$A"),
            ("$1 and $ and a$", "$1 and $ and a$"),
            ("${A:?boom}", "a"),
        ],
    )
    def test_forms(self, template: str, value: str) -> None:
        assert Substituter.from_mapping(self.ENV)(template) == value

    @pytest.mark.parametrize(
        ("template", "message"),
        [
            ("${U:?must be set}", "required variable U is missing a value: must be set"),
            ("${E:?}", "required variable E is missing a value"),
            ("${U?x}", "required variable U is missing a value: x"),
            ("${1}", "invalid template"),
            ("${A", "invalid template"),
            ("${A:x}", "invalid template"),
        ],
    )
    def test_errors(self, template: str, message: str) -> None:
        with pytest.raises(InterpolationError, match=message):
            Substituter.from_mapping(self.ENV)(template)

    def test_unset_is_empty_and_remembered(self) -> None:
        sub = Substituter.from_mapping({})
        assert sub("x${NOPE}y$NOPE") == "xy"
        assert sub.unset == ["NOPE"]

    def test_deep_nesting_is_refused_quickly(self) -> None:
        start = time.process_time()
        with pytest.raises(InterpolationError):
            Substituter.from_mapping({})("${A:-" * 100_000 + "}" * 100_000)
        assert time.process_time() - start < 2

    def test_required_variable_error_has_file_and_line(self, tmp_path: Path) -> None:
        e = error(tmp_path, {"compose.yaml": "services:\n  a:\n    image: ${IMAGE:?set IMAGE}\n"})
        assert (e.file, e.line) == (str(tmp_path / "compose.yaml"), 3)
        assert e.message == "required variable IMAGE is missing a value: set IMAGE"

    def test_unset_variable_warns_with_location(self, tmp_path: Path) -> None:
        warnings: list[str] = []
        s = load(tmp_path, {"compose.yaml": "services:\n  a:\n    image: x${NOPE}\n"}, warnings=warnings)
        assert s.services["a"].image == "x"
        assert warnings == [
            f"{tmp_path / 'compose.yaml'}:3: the 'NOPE' variable is not set; using an empty string"
        ]

    def test_dollar_dollar_is_one_dollar(self, tmp_path: Path) -> None:
        s = svc(tmp_path, "services:\n  a:\n    image: x\n    command: echo $$HOME ${EMPTY}\n")
        assert s.command == ("echo", "$HOME")  # an empty interpolated token disappears from a split command

    def test_keys_are_not_interpolated(self, tmp_path: Path) -> None:
        s = svc(
            tmp_path,
            "services:\n  a:\n    image: x\n    environment:\n      $KEY: $VAL\n",
            environ={"VAL": "v"},
        )
        assert dict(s.environment) == {"$KEY": "v"}

    def test_environ_beats_dotenv(self, tmp_path: Path) -> None:
        files = {
            "compose.yaml": "services:\n  a:\n    image: ${IMG}:${TAG}\n",
            ".env": "IMG=fromdotenv\nTAG=1\n",
        }
        assert load(tmp_path, files, environ={"IMG": "fromenv"}).services["a"].image == "fromenv:1"

    def test_env_files_replace_dotenv(self, tmp_path: Path) -> None:
        files = {
            "compose.yaml": "services:\n  a:\n    image: ${IMG:-none}:${TAG:-none}\n",
            ".env": "IMG=dotenv\n",
            "one.env": "IMG=one\nTAG=${IMG}-tag\n",
            "two.env": "TAG=two-${IMG}\n",
        }
        assert load(tmp_path, files, env_files=["one.env"]).services["a"].image == "one:one-tag"
        assert load(tmp_path, env_files=["one.env", "two.env"]).services["a"].image == "one:two-one"

    def test_missing_env_file_argument(self, tmp_path: Path) -> None:
        e = error(tmp_path, {"compose.yaml": "services: {a: {image: x}}\n"}, env_files=["nope.env"])
        assert e.file == str(tmp_path / "nope.env")

    def test_dotenv_syntax(self) -> None:
        text = (
            "# comment\n"
            "export A=1\n"
            'B = "x\\ny $A" # comment\n'
            "C='lit $A'\n"
            "D=val # comment\n"
            "E=val#not-a-comment\n"
            "F: yaml-style\n"
            'M="multi\nline"\n'
            "G=${NOPE:-dflt}\n"
            "HOME\n"
            "Z=after\n"
        )
        home: dict[str, str] = {"HOME": "/root"}
        parsed = {k: v for k, (v, _) in parse_dotenv(text, home.get).items()}
        assert parsed == {
            "A": "1",
            "B": "x\ny 1",
            "C": "lit $A",
            "D": "val",
            "E": "val#not-a-comment",
            "F": "yaml-style",
            "M": "multi\nline",
            "G": "dflt",
            "HOME": "/root",
            "Z": "after",
        }
        nothing: dict[str, str] = {}
        assert parse_dotenv(text, nothing.get)["Z"][1] == 12

    def test_bad_dotenv_line(self, tmp_path: Path) -> None:
        e = error(tmp_path, {"compose.yaml": "services: {a: {image: x}}\n", ".env": "OK=1\nBAD KEY!=2\n"})
        assert (e.file, e.line) == (str(tmp_path / ".env"), 2)

    def test_yaml_1_2_scalars(self, tmp_path: Path) -> None:
        s = svc(
            tmp_path,
            "services:\n  a:\n    image: x\n    ports:\n      - 22:22\n    environment:\n"
            "      A: yes\n      B: on\n      C: 0o17\n      D: 012\n      E: 1e3\n      F: true\n"
            "      G: ~\n",
        )
        assert [(p.published, p.target) for p in s.ports] == [(22, 22)]  # not base-60 1342
        assert dict(s.environment) == {
            "A": "yes", "B": "on", "C": "15", "D": "10", "E": "1000", "F": "true", "G": None,
        }  # fmt: skip


# ============================================================================ anchors, merge keys, tags


class TestYamlFeatures:
    def test_anchor_and_merge_keys(self, tmp_path: Path) -> None:
        p = load(
            tmp_path,
            {
                "compose.yaml": """\
x-net: &net
  networks: [front]
x-host: &host
  hostname: from-anchor
  ports: ["2000:80"]
x-other: &other
  hostname: second
services:
  a:
    <<: [*net, *host, *other]
    image: a
  b:
    <<: *host
    hostname: explicit
    image: b
    labels:
      <<: {l1: one}
      l2: two
networks:
  front:
""",
            },
        )
        a, b = p.services["a"], p.services["b"]
        assert [x.network for x in a.networks] == ["front"]
        assert a.hostname == "from-anchor"  # the earlier merged mapping wins
        assert b.hostname == "explicit"  # explicit keys win over merged ones
        assert [x.published for x in b.ports] == [2000]
        assert dict(b.labels) == {"l1": "one", "l2": "two"}
        # A merged key keeps the line where the anchor wrote it.
        assert a.networks[0].loc == loc(tmp_path, 2)

    def test_extension_fields_are_ignored(self, tmp_path: Path) -> None:
        p = load(
            tmp_path,
            {
                "compose.yaml": "x-top: {whatever: [1, 2]}\nservices:\n  a:\n    image: x\n"
                "    x-custom: {networks: [n]}\n"
            },
        )
        assert [x.network for x in p.services["a"].networks] == ["default"]

    def test_duplicate_key(self, tmp_path: Path) -> None:
        e = error(tmp_path, {"compose.yaml": "services:\n  a:\n    image: x\n    image: y\n"})
        assert e.line == 4
        assert 'mapping key "image" already defined at line 3' in e.message


# =================================================================================== hostile / malformed


class TestMalformed:
    def test_yaml_syntax_error(self, tmp_path: Path) -> None:
        e = error(tmp_path, {"compose.yaml": "services:\n  a:\n    image: x\n   bad: [\n"})
        assert e.line == 4
        assert e.message.startswith("invalid YAML:")

    def test_tab_indentation(self, tmp_path: Path) -> None:
        e = error(tmp_path, {"compose.yaml": "services:\n\ta: 1\n"})
        assert e.line == 2

    def test_billion_laughs(self, tmp_path: Path) -> None:
        lines = ["x-a: &a [x, x, x, x, x, x, x, x, x, x]"]
        for i in range(1, 10):
            prev, cur = chr(96 + i), chr(97 + i)
            lines.append(f"x-{cur}: &{cur} [{', '.join([f'*{prev}'] * 10)}]")
        start = time.process_time()
        e = error(tmp_path, {"compose.yaml": "\n".join(lines) + "\nservices: {a: {image: x}}\n"})
        assert time.process_time() - start < 5
        assert "alias bomb" in e.message

    def test_merge_key_bomb(self, tmp_path: Path) -> None:
        lines = ["x-a: &a {k: v}"]
        for i in range(1, 10):
            prev, cur = chr(96 + i), chr(97 + i)
            lines.append(f"x-{cur}: &{cur}\n  <<: [*{prev}]\n  k{i}: [{', '.join([f'*{prev}'] * 10)}]")
        start = time.process_time()
        e = error(tmp_path, {"compose.yaml": "\n".join(lines) + "\nservices: {a: {image: x}}\n"})
        assert time.process_time() - start < 5
        assert "alias bomb" in e.message

    def test_recursive_alias(self, tmp_path: Path) -> None:
        error(tmp_path, {"compose.yaml": "x: &a [*a]\nservices: {a: {image: x}}\n"})

    def test_deep_nesting(self, tmp_path: Path) -> None:
        error(tmp_path, {"compose.yaml": "x: " + "[" * 5000 + "]" * 5000 + "\n"})
        error(tmp_path, {"compose.yaml": "".join("  " * i + "a:\n" for i in range(900))})

    def test_binary_file(self, tmp_path: Path) -> None:
        e = error(tmp_path, {"compose.yaml": b"services:\n  a:\x00\x01\x02\n"})
        assert e.message.startswith("not a UTF-8 text file")

    def test_non_utf8_file(self, tmp_path: Path) -> None:
        e = error(tmp_path, {"compose.yaml": "services:\n  a:\n    image: caf\xe9\n".encode("latin-1")})
        assert e.message == "not a UTF-8 text file"
        assert e.line == 3

    def test_utf8_bom_is_accepted(self, tmp_path: Path) -> None:
        assert svc(tmp_path, "\ufeffservices:\n  a:\n    image: x\n").image == "x"

    def test_file_too_large_is_rejected_before_reading(self, tmp_path: Path) -> None:
        big = tmp_path / "compose.yaml"
        with big.open("wb") as fh:
            fh.write(b"services:\n  a:\n    image: x\n")
            fh.seek(50 * 1024 * 1024)
            fh.write(b"\n")
        start = time.process_time()
        e = error(tmp_path)
        assert time.process_time() - start < 2
        assert "file too large" in e.message

    @pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
    def test_endless_special_file(self) -> None:
        with pytest.raises(InputError, match="not a regular file"):
            load_projects([], ["/dev/zero"], None, [], [], {})

    def test_too_many_lines(self, tmp_path: Path) -> None:
        text = "services:\n  a:\n    image: x\n    environment:\n" + "      - A=1\n" * 250_000
        start = time.process_time()
        e = error(tmp_path, {"compose.yaml": text})
        assert time.process_time() - start < 5
        assert "too large for a compose file" in e.message

    @pytest.mark.parametrize(
        ("yaml", "line", "fragment"),
        [
            ("- a\n- b\n", 1, "top-level object must be a mapping"),
            ("services: [a, b]\n", 1, "services must be a mapping"),
            ("services:\n  a:\n", 2, "services.a must be a mapping"),
            ("services:\n  a: {build: .}\n  b:\n    image: x\n    ports: 80\n", 5, "ports must be a list"),
            ("services:\n  a:\n    image: x\n    networks: 5\n", 4, "networks must be a list or a mapping"),
            ("services:\n  a:\n    image: x\n    command: 'echo \"x'\n", 4, "command"),
            ("services:\n  ? [a, b]\n  : x\n", 2, "mapping key must be a scalar"),
            ("services:\n  a:\n    image: x\n    ports: ['70000:80']\n", 4, "invalid port"),
            ("services:\n  a:\n    image: x\n    ports: ['1.2.3:80:80']\n", 4, "invalid IP address"),
            ("services:\n  a:\n    image: x\n    ports: ['8000-8001:80-82']\n", 4, "ranges differ"),
            ("services:\n  a:\n    image: x\n    expose: [abc]\n", 4, "invalid expose value"),
            ("services:\n  a:\n    image: x\n    volumes: [':/x']\n", 4, "empty section"),
            ("services:\n  a:\n    image: x\n    extra_hosts: [nohost]\n", 4, "missing IP"),
            ("services:\n  a:\n    image: x\n    scale: 2\n    deploy: {replicas: 3}\n", 4, "scale"),
            ("services:\n  a:\n    image: x\n    deploy: {replicas: many}\n", 4, "must be an integer"),
            ("services:\n  a:\n    image: x\n    extends: b\n  b:\n    extends: a\n", 4, "circular"),
            ("services:\n  a:\n    image: x\n    extends: ghost\n", 4, 'service "ghost" not found'),
            ("services:\n  a:\n    hostname: h\n", 2, "neither an image nor a build context"),
            (
                "services:\n  a:\n    image: x\n    networks: {n: [1]}\nnetworks: {n: }\n",
                4,
                "must be a mapping",
            ),
            ("services:\n  a:\n    image: ${X\n", 3, "invalid template"),
        ],
    )
    def test_malformed_input_is_one_line_with_location(
        self, tmp_path: Path, yaml: str, line: int, fragment: str
    ) -> None:
        e = error(tmp_path, {"compose.yaml": yaml})
        assert e.line == line, e
        assert fragment in e.message, e
        assert e.file == str(tmp_path / "compose.yaml")

    def test_every_error_is_a_dockernet_error(self, tmp_path: Path) -> None:
        # A sweep over odd types where the loader expects something else: never a traceback.
        odd = ["1", "true", "[]", "{}", "[1, [2]]", "{a: {b: c}}", "null", "'x:y:z'"]
        networking = ["networks", "network_mode", "ports", "expose", "links", "external_links", "extra_hosts"]
        others = ["volumes", "depends_on", "command", "environment", "labels", "healthcheck", "deploy"]
        more = ["build", "env_file", "container_name", "hostname", "profiles", "scale", "extends"]
        fields = networking + others + more
        for field_name in fields:
            for value in odd:
                write(
                    tmp_path, {"compose.yaml": f"services:\n  a:\n    image: x\n    {field_name}: {value}\n"}
                )
                try:
                    load(tmp_path)
                except DockernetError as e:
                    assert "\n" not in str(e)


# ============================================================================================== extends


class TestExtends:
    def test_same_file(self, tmp_path: Path) -> None:
        p = load(
            tmp_path,
            {
                "compose.yaml": "services:\n  base:\n    image: x\n    ports: ['80:80']\n    networks: [n]\n"
                "  web:\n    extends: base\n    ports: ['81:81']\n    hostname: web\nnetworks: {n: }\n",
            },
        )
        web = p.services["web"]
        assert web.image == "x"
        assert [x.published for x in web.ports] == [80, 81]  # sequences concatenate
        assert [x.network for x in web.networks] == ["n"]
        assert web.loc == loc(tmp_path, 6)

    def test_other_file_rebases_paths_and_imports_no_resources(self, tmp_path: Path) -> None:
        files = {
            "compose.yaml": """\
services:
  web:
    extends:
      file: common/base.yaml
      service: base
""",
            "common/base.yaml": """\
services:
  base:
    build: ./ctx
    volumes: ['./data:/data', '~/x:/y']
    networks: [basenet]
networks: {basenet: }
""",
        }
        e = error(tmp_path, files)
        assert "refers to undefined network basenet" in e.message
        write(tmp_path, {"compose.yaml": files["compose.yaml"] + "networks: {basenet: }\n"})
        web = load(tmp_path).services["web"]
        assert web.build is not None and web.build.context == str(tmp_path / "common" / "ctx")
        assert [m.source for m in web.volumes] == [str(tmp_path / "common" / "data"), "/home/tester/x"]

    def test_chain_across_files(self, tmp_path: Path) -> None:
        files = {
            "compose.yaml": "services:\n  web:\n    extends: {file: a/one.yaml, service: one}\n",
            "a/one.yaml": """\
services:
  one:
    extends: {file: b/two.yaml, service: two}
    hostname: one
""",
            "a/b/two.yaml": "services:\n  two:\n    image: two\n    volumes: ['./v:/v']\n",
        }
        web = load(tmp_path, files).services["web"]
        assert (web.image, web.hostname) == ("two", "one")
        assert [m.source for m in web.volumes] == [str(tmp_path / "a" / "b" / "v")]

    def test_missing_file(self, tmp_path: Path) -> None:
        e = error(tmp_path, {"compose.yaml": "services:\n  a:\n    extends: {file: nope.yaml, service: b}\n"})
        assert e.line == 3 and "not found" in e.message


# ============================================================================================== include


class TestInclude:
    def test_included_resources_and_own_dotenv(self, tmp_path: Path) -> None:
        p = load(
            tmp_path,
            {
                "compose.yaml": """\
include:
  - inc/db.yaml
services:
  web:
    image: x
    networks: [shared]
""",
                "inc/db.yaml": """\
services:
  db:
    image: pg
    networks: [shared]
    container_name: ${DB}
    volumes: ['./pgdata:/data']
networks:
  shared:
""",
                "inc/.env": "DB=db-from-include\n",
            },
        )
        assert set(p.services) == {"web", "db"}
        assert p.services["db"].container_name == "db-from-include"
        assert p.services["db"].volumes[0].source == str(tmp_path / "inc" / "pgdata")
        assert p.networks["shared"].name == f"{p.name}_shared"  # prefixed with the main project's name
        assert p.services["db"].loc == loc(tmp_path, 2, "inc/db.yaml")

    def test_including_project_env_wins(self, tmp_path: Path) -> None:
        files = {
            "compose.yaml": "include: [{path: inc/db.yaml}]\n",
            "inc/db.yaml": "services:\n  db:\n    image: ${IMG}\n",
            "inc/.env": "IMG=inner\n",
            ".env": "IMG=outer\n",
        }
        assert load(tmp_path, files).services["db"].image == "outer"

    def test_conflict(self, tmp_path: Path) -> None:
        e = error(
            tmp_path,
            {
                "compose.yaml": "include: [other.yaml]\nservices:\n  a:\n    image: x\n",
                "other.yaml": "services:\n  a:\n    image: y\n",
            },
        )
        assert "services.a conflicts with imported resource" in e.message

    def test_cycle(self, tmp_path: Path) -> None:
        e = error(
            tmp_path,
            {
                "compose.yaml": "include: [b.yaml]\nservices: {a: {image: x}}\n",
                "b.yaml": "include: [compose.yaml]\n",
            },
        )
        assert "include cycle" in e.message


# ============================================================================================= profiles


class TestProfiles:
    FILES: ClassVar[dict[str, str | bytes]] = {
        "compose.yaml": """\
services:
  web:
    image: x
    depends_on: [dbg]
    links: [dbg]
  dbg:
    image: y
    profiles: [debug]
  all:
    image: z
    profiles: [other]
"""
    }

    def test_inactive_by_default_and_references_ignored(self, tmp_path: Path) -> None:
        p = load(tmp_path, self.FILES)
        assert set(p.services) == {"web"}
        assert p.services["web"].depends_on == ()
        assert p.services["web"].links == ()

    def test_enabled_by_flag_env_or_dotenv(self, tmp_path: Path) -> None:
        write(tmp_path, self.FILES)
        assert set(load(tmp_path, profiles=["debug"]).services) == {"web", "dbg"}
        assert set(load(tmp_path, environ={"COMPOSE_PROFILES": "other, debug"}).services) == {
            "web",
            "dbg",
            "all",
        }
        write(tmp_path, {".env": "COMPOSE_PROFILES=debug\n"})
        p = load(tmp_path)
        assert set(p.services) == {"web", "dbg"}
        assert p.services["web"].depends_on == ("dbg",)
        assert p.services["dbg"].profiles == ("debug",)
        assert set(load(tmp_path, profiles=["*"]).services) == {"web", "dbg", "all"}

    def test_disabled_services_are_not_validated(self, tmp_path: Path) -> None:
        p = load(
            tmp_path,
            {
                "compose.yaml": """\
services:
  a: {image: x}
  b: {image: y, profiles: [p], networks: [nope]}
"""
            },
        )
        assert set(p.services) == {"a"}


# =========================================================================================== networking


class TestNetworking:
    def test_implicit_default_network(self, tmp_path: Path) -> None:
        p = load(tmp_path / "proj", {"compose.yaml": "services:\n  a:\n    image: x\n"})
        net = p.networks["default"]
        assert net.loc == loc(tmp_path / "proj", 2)
        assert (net.key, net.name, net.declared, net.external, net.project) == (
            "default",
            "proj_default",
            False,
            False,
            "proj",
        )
        att = p.services["a"].networks
        assert [(x.network, x.loc) for x in att] == [("default", loc(tmp_path / "proj", 2))]

    def test_no_default_when_nobody_uses_it(self, tmp_path: Path) -> None:
        p = load(
            tmp_path,
            {
                "compose.yaml": """\
services:
  a: {image: x, networks: [n]}
  b: {image: x, network_mode: host}
networks: {n: , unused: }
"""
            },
        )
        assert set(p.networks) == {"n"}

    def test_default_customised(self, tmp_path: Path) -> None:
        p = load(
            tmp_path,
            {"compose.yaml": "services:\n  a: {image: x}\nnetworks:\n  default:\n    name: mattermost\n"},
        )
        assert (p.networks["default"].name, p.networks["default"].declared) == ("mattermost", True)

    def test_mapping_form_with_addresses(self, tmp_path: Path) -> None:
        s = svc(
            tmp_path,
            """\
services:
  a:
    image: x
    networks:
      front:
        aliases: [one, two, one]
        ipv4_address: 172.20.0.5
        ipv6_address: fd00::5
      back:
networks:
  front:
  back:
""",
        )
        front, back = s.networks
        assert (front.network, front.aliases, front.ipv4_address, front.ipv6_address) == (
            "front", ("one", "two"), "172.20.0.5", "fd00::5",
        )  # fmt: skip
        assert (front.loc, back.loc) == (loc(tmp_path, 5), loc(tmp_path, 9))
        assert (back.network, back.aliases, back.ipv4_address) == ("back", (), None)

    @pytest.mark.parametrize(
        ("mode", "expected", "target"),
        [
            ("host", NetworkMode.HOST, None),
            ("none", NetworkMode.NONE, None),
            ("bridge", NetworkMode.BRIDGE, None),
            ("service:b", NetworkMode.SERVICE, "b"),
            ("container:ngx1", NetworkMode.CONTAINER, "ngx1"),
        ],
    )
    def test_network_mode(self, tmp_path: Path, mode: str, expected: NetworkMode, target: str | None) -> None:
        p = load(
            tmp_path,
            {
                "compose.yaml": f"""\
services:
  a:
    image: x
    network_mode: '{mode}'
  b:
    image: y
"""
            },
        )
        a = p.services["a"]
        assert (a.network_mode, a.network_mode_target, a.networks) == (expected, target, ())
        assert a.network_mode_loc == loc(tmp_path, 4)
        if expected is NetworkMode.SERVICE:
            assert a.depends_on == ("b",)  # implied, as compose does

    def test_network_mode_naming_a_network(self, tmp_path: Path) -> None:
        p = load(tmp_path, {"compose.yaml": "services:\n  a:\n    image: x\n    network_mode: nginx-proxy\n"})
        a = p.services["a"]
        assert a.network_mode is NetworkMode.NETWORKS
        assert [x.network for x in a.networks] == ["nginx-proxy"]
        net = p.networks["nginx-proxy"]
        assert (net.name, net.external, net.declared) == ("nginx-proxy", True, False)

    def test_network_mode_and_networks_conflict(self, tmp_path: Path) -> None:
        e = error(
            tmp_path,
            {
                "compose.yaml": "services:\n  a:\n    image: x\n    network_mode: host\n    networks: [n]\n"
                "networks: {n: }\n"
            },
        )
        assert e.message == "service a declares mutually exclusive network_mode and networks"
        assert e.line == 4

    def test_network_mode_service_undefined(self, tmp_path: Path) -> None:
        e = error(
            tmp_path, {"compose.yaml": "services:\n  a:\n    image: x\n    network_mode: service:ghost\n"}
        )
        assert e.message == 'service "a" depends on undefined service "ghost"'

    def test_undefined_network(self, tmp_path: Path) -> None:
        e = error(
            tmp_path,
            {
                "compose.yaml": "services:\n  a:\n    image: x\n    networks:\n      - front\n      - nope\n"
                "networks: {front: }\n"
            },
        )
        assert e.message == 'service "a" refers to undefined network nope'
        assert (e.file, e.line) == (str(tmp_path / "compose.yaml"), 6)

    def test_links_and_external_links(self, tmp_path: Path) -> None:
        p = load(
            tmp_path,
            {
                "compose.yaml": "services:\n  a:\n    image: x\n    links: ['db:dblink', web]\n"
                "    external_links: ['legacy:old', other]\n  db: {image: y}\n  web: {image: z}\n"
            },
        )
        links = p.services["a"].links
        assert [(x.target, x.alias, x.external) for x in links] == [
            ("db", "dblink", False), ("web", "web", False), ("legacy", "old", True), ("other", "other", True),
        ]  # fmt: skip
        assert links[0].loc == loc(tmp_path, 4)
        assert p.services["a"].depends_on == ("db", "web")  # links imply depends_on

    def test_dependency_cycle(self, tmp_path: Path) -> None:
        e = error(
            tmp_path,
            {
                "compose.yaml": """\
services:
  a:
    image: x
    depends_on: [b]
  b:
    image: y
    network_mode: service:a
"""
            },
        )
        assert e.message == "dependency cycle detected: a -> b -> a"
        assert e.line == 2

    def test_long_dependency_chain_is_fine(self, tmp_path: Path) -> None:
        chain = "".join(f"  s{i}:\n    image: x\n    depends_on: [s{i + 1}]\n" for i in range(1500))
        p = load(tmp_path, {"compose.yaml": f"services:\n{chain}  s1500:\n    image: x\n"})
        assert p.services["s0"].depends_on == ("s1",)

    def test_link_to_undefined_service(self, tmp_path: Path) -> None:
        e = error(tmp_path, {"compose.yaml": "services:\n  a:\n    image: x\n    links: [ghost]\n"})
        assert e.message == 'service "a" depends on undefined service "ghost"'

    def test_container_name_and_hostname(self, tmp_path: Path) -> None:
        s = svc(tmp_path, "services:\n  a:\n    image: x\n    container_name: ctr\n    hostname: host1\n")
        assert (s.container_name, s.hostname) == ("ctr", "host1")

    def test_extra_hosts_forms(self, tmp_path: Path) -> None:
        s = svc(
            tmp_path,
            """\
services:
  a:
    image: x
    extra_hosts:
      - "h1:10.0.0.1"
      - "h2=10.0.0.2"
      - "v6=[::1]"
      - "v6b:::2"
      - "host.docker.internal:host-gateway"
      - "multi=10.0.0.3,10.0.0.4"
  b:
    image: x
    extra_hosts:
      m1: 10.1.0.1
      m2: [10.1.0.2, "::3"]
""",
            name="a",
        )
        assert [(h.host, h.ip) for h in s.extra_hosts] == [
            ("h1", "10.0.0.1"), ("h2", "10.0.0.2"), ("v6", "::1"), ("v6b", "::2"),
            ("host.docker.internal", "host-gateway"), ("multi", "10.0.0.3"), ("multi", "10.0.0.4"),
        ]  # fmt: skip
        assert s.extra_hosts[2].loc == loc(tmp_path, 7)
        b = load(tmp_path).services["b"]
        assert [(h.host, h.ip) for h in b.extra_hosts] == [
            ("m1", "10.1.0.1"),
            ("m2", "10.1.0.2"),
            ("m2", "::3"),
        ]

    def test_ports_short_syntax(self, tmp_path: Path) -> None:
        s = svc(
            tmp_path,
            """\
services:
  a:
    image: x
    ports:
      - 3000
      - "8080:80"
      - "127.0.0.1:8081:81"
      - "[::1]:6001:6001"
      - "127.0.0.1:9000-9002:9000-9002"
      - "5353:53/udp"
      - "8000-8010:82"
      - ":83"
""",
        )
        got = [(p.host_ip, p.published, p.target, p.protocol, p.loc.line) for p in s.ports]
        assert got == [
            (None, None, 3000, "tcp", 5),
            (None, 8080, 80, "tcp", 6),
            ("127.0.0.1", 8081, 81, "tcp", 7),
            ("::1", 6001, 6001, "tcp", 8),
            ("127.0.0.1", 9000, 9000, "tcp", 9),
            ("127.0.0.1", 9001, 9001, "tcp", 9),
            ("127.0.0.1", 9002, 9002, "tcp", 9),
            (None, 5353, 53, "udp", 10),
            (None, 8000, 82, "tcp", 11),  # a host range for one container port: its first port
            (None, None, 83, "tcp", 12),
        ]

    def test_ports_long_syntax(self, tmp_path: Path) -> None:
        s = svc(
            tmp_path,
            "services:\n  a:\n    image: x\n    ports:\n      - target: 80\n        published: '8080'\n"
            "        host_ip: 127.0.0.1\n        protocol: UDP\n      - target: '443'\n",
        )
        assert [(p.host_ip, p.published, p.target, p.protocol, p.loc.line) for p in s.ports] == [
            ("127.0.0.1", 8080, 80, "udp", 5), (None, None, 443, "tcp", 9),
        ]  # fmt: skip

    def test_expose(self, tmp_path: Path) -> None:
        s = svc(
            tmp_path, "services:\n  a:\n    image: x\n    expose: [3000, '4000-4002', '5000/tcp', 3000]\n"
        )
        assert s.expose == (3000, 4000, 4001, 4002, 5000)
        assert s.expose_loc == loc(tmp_path, 4)


# ============================================================================================== volumes


class TestVolumes:
    def test_short_syntax(self, tmp_path: Path) -> None:
        p = load(
            tmp_path / "proj",
            {
                "compose.yaml": """\
services:
  a:
    image: x
    volumes:
      - ./data:/x:ro
      - db-data:/var/lib/db/
      - /anon
      - ~/conf:/conf
      - /abs/path:/abs:rw,z
      - ext:/ext
      - named:/named
volumes:
  db-data:
  ext:
    external: true
  named:
    name: explicit
  unused:
""",
            },
        )
        root = tmp_path / "proj"
        got = [(m.type, m.source, m.target, m.read_only, m.loc.line) for m in p.services["a"].volumes]
        assert got == [
            ("bind", str(root / "data"), "/x", True, 5),
            ("volume", "proj_db-data", "/var/lib/db", False, 6),
            ("volume", None, "/anon", False, 7),
            ("bind", "/home/tester/conf", "/conf", False, 8),
            ("bind", "/abs/path", "/abs", False, 9),
            ("volume", "ext", "/ext", False, 10),
            ("volume", "explicit", "/named", False, 11),
        ]
        assert {k: (v.name, v.external) for k, v in p.volumes.items()} == {
            "db-data": ("proj_db-data", False), "ext": ("ext", True), "named": ("explicit", False),
        }  # fmt: skip

    def test_long_syntax(self, tmp_path: Path) -> None:
        p = load(
            tmp_path,
            {
                "compose.yaml": "services:\n  a:\n    image: x\n    volumes:\n      - type: bind\n"
                "        source: ./site\n"
                "        target: /usr/share/nginx/html\n        read_only: true\n      - type: volume\n"
                "        source: v\n        target: /v\n      - type: tmpfs\n        target: /tmp\n"
                "volumes: {v: }\n"
            },
        )
        got = [(m.type, m.source, m.target, m.read_only) for m in p.services["a"].volumes]
        assert got == [
            ("bind", str(tmp_path / "site"), "/usr/share/nginx/html", True),
            ("volume", f"{p.name}_v", "/v", False),
            ("tmpfs", None, "/tmp", False),
        ]

    def test_undefined_volume(self, tmp_path: Path) -> None:
        e = error(tmp_path, {"compose.yaml": "services:\n  a:\n    image: x\n    volumes: [data:/x]\n"})
        assert e.message == 'service "a" refers to undefined volume data'


# ========================================================================================= other fields


class TestServiceFields:
    def test_fields(self, tmp_path: Path) -> None:
        write(tmp_path, {"app.env": "FROM_FILE=1\nSHARED=file\n"})
        p = load(
            tmp_path,
            {
                "compose.yaml": """\
services:
  a:
    image: nginx:1.25
    command: nginx -g 'daemon off;'
    entrypoint: ["/docker-entrypoint.sh"]
    depends_on:
      b:
        condition: service_healthy
    env_file: [app.env, missing.env]
    environment:
      - SHARED=inline
      - BARE
      - EMPTY=
    labels:
      traefik.enable: true
      other: 3
    healthcheck:
      test: [CMD, curl, -f, http://localhost]
    deploy:
      replicas: 3
  b:
    build:
      context: ./b
      dockerfile: docker/Dockerfile.prod
    depends_on: [c]
    scale: 2
    healthcheck:
      disable: true
  c:
    build: .
    profiles: [p]
""",
            },
            environ={"BARE": "from-environ"},
            profiles=["p"],
        )
        a, b, c = p.services["a"], p.services["b"], p.services["c"]
        assert a.image == "nginx:1.25" and a.build is None
        assert a.command == ("nginx", "-g", "daemon off;")
        assert a.entrypoint == ("/docker-entrypoint.sh",)
        assert a.depends_on == ("b",)
        assert dict(a.environment) == {
            "FROM_FILE": "1",
            "SHARED": "inline",
            "BARE": "from-environ",
            "EMPTY": "",
        }
        assert dict(a.labels) == {"traefik.enable": "true", "other": "3"}
        assert (a.healthcheck, a.replicas) == (True, 3)
        assert b.build is not None
        assert (b.build.context, b.build.dockerfile) == (
            str(tmp_path / "b"),
            str(tmp_path / "b/docker/Dockerfile.prod"),
        )
        assert b.build.loc == loc(tmp_path, 22)
        assert (b.healthcheck, b.replicas, b.depends_on) == (False, 2, ("c",))
        assert c.build is not None and c.build.dockerfile == str(tmp_path / "Dockerfile")
        assert (a.loc, b.loc, c.loc) == (loc(tmp_path, 2), loc(tmp_path, 21), loc(tmp_path, 29))

    def test_missing_env_file_is_a_warning(self, tmp_path: Path) -> None:
        warnings: list[str] = []
        load(
            tmp_path,
            {"compose.yaml": "services:\n  a:\n    image: x\n    env_file: nope.env\n"},
            warnings=warnings,
        )
        assert warnings == [
            f"{tmp_path / 'compose.yaml'}:4: env file nope.env not found: its variables are unknown here, "
            "and docker compose refuses to start without it (unless `required: false`)"
        ]

    def test_top_level_networks(self, tmp_path: Path) -> None:
        p = load(
            tmp_path / "proj",
            {
                "compose.yaml": """\
services:
  a:
    image: x
    networks: [ext1, ext2, legacy, named, intl]
networks:
  ext1:
    external: true
  ext2:
    external: true
    name: real-ext2
  legacy:
    external:
      name: old-style
  named:
    name: not-prefixed
    internal: true
    driver: overlay
  intl:
    enable_ipv6: true
    ipam:
      config:
        - subnet: 10.20.0.0/24
          ip_range: 10.20.0.128/25
          gateway: 10.20.0.1
          aux_addresses: {host1: 10.20.0.2}
""",
            },
        )
        n = p.networks
        assert {k: (v.name, v.external, v.internal, v.driver) for k, v in n.items()} == {
            "ext1": ("ext1", True, False, "bridge"),
            "ext2": ("real-ext2", True, False, "bridge"),
            "legacy": ("old-style", True, False, "bridge"),
            "named": ("not-prefixed", False, True, "overlay"),
            "intl": ("proj_intl", False, False, "bridge"),
        }
        (cfg,) = n["intl"].ipam
        assert (cfg.subnet, cfg.ip_range, cfg.gateway, cfg.aux_addresses) == (
            "10.20.0.0/24", "10.20.0.128/25", "10.20.0.1", (("host1", "10.20.0.2"),),
        )  # fmt: skip
        assert n["intl"].enable_ipv6 is True
        assert cfg.loc == Loc(str(tmp_path / "proj" / "compose.yaml"), 22)
        assert n["ext1"].loc == Loc(str(tmp_path / "proj" / "compose.yaml"), 6)

    def test_project_is_read_only(self, tmp_path: Path) -> None:
        p = load(tmp_path, {"compose.yaml": "services:\n  a:\n    image: x\n"})
        with pytest.raises(TypeError):
            p.services["b"] = p.services["a"]  # type: ignore[index]


# ========================================================================================== performance

# Timing assertions in this file use CPU time (time.process_time): the test machines are shared, and wall
# time there varies several-fold with the load of other jobs.


def _generated(n_services: int, n_networks: int) -> str:
    """A large project of the shape ``docker compose config`` was timed on (about 1.6 s of CPU, 3-4 s of wall
    time, for 1,000 services on 50 networks): an ``x-`` anchor merged with ``<<:``, two networks with an alias
    each per service, ipam subnets, an interpolated image tag, ``expose``, and a loopback port on every 10th
    service."""
    out = ["x-common: &common", "  restart: unless-stopped", "  labels:", "    team: core", "services:"]
    for i in range(n_services):
        a, b = i % n_networks, (i * 7 + 3) % n_networks
        b = b if b != a else (b + 1) % n_networks
        out += [f"  svc{i}:", "    <<: *common", f"    image: example/app:${{TAG:-1.{i}}}"]
        out += ["    expose:", f'      - "{8000 + i % 100}"', "    networks:"]
        for n in (a, b):
            out += [f"      net{n}:", "        aliases:", f"          - svc{i}-n{n}"]
        if i % 10 == 0:
            out += ["    ports:", f'      - "127.0.0.1:{20000 + i}:{8000 + i % 100}"']
    out += ["networks:"]
    for n in range(n_networks):
        out += [f"  net{n}:", "    ipam:", "      config:", f"        - subnet: 10.{n}.0.0/16"]
    return "\n".join(out) + "\n"


def test_thousand_services_load_fast(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": _generated(1000, 50)})
    best = min(_timed(lambda: load(tmp_path)) for _ in range(3))
    p = load(tmp_path)
    assert len(p.services) == 1000 and len(p.networks) == 50
    assert p.services["svc999"].networks[0].aliases == ("svc999-n49",)
    assert best < 2.0, f"{best:.2f} s"


def _timed(fn: Callable[[], object]) -> float:
    """CPU seconds of ``fn()``: stable where wall time depends on what else the machine runs."""
    start = time.process_time()
    fn()
    return time.process_time() - start


if sys.platform == "win32":  # pragma: no cover - paths in the expectations are POSIX
    pytestmark = pytest.mark.skip("POSIX paths")
