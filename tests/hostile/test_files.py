"""Paths a pull request controls: only regular files are opened, every failure is one line naming the file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dockernet.sources import files
from tests.cli.test_cli import Done
from tests.hostile.helpers import COMPOSE, NGINX, assert_input_error, project, timed


def assert_refused(done: Done, file: str, *words: str) -> None:
    """Exit 1 with a DN401 finding (nginx refuses the configuration) at ``file`` that holds every word."""
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    first = done.stdout.splitlines()[0]
    assert first.startswith(file) and " DN401 " in first, first
    for word in words:
        assert word in first, first


def test_fifo_mounted_as_the_nginx_config(tmp_path: Path) -> None:
    # Before: open() blocked for ever.
    proj = project(tmp_path, nginx=None)
    os.mkfifo(proj / "nginx.conf")
    assert_input_error(timed("check", cwd=proj), "nginx.conf:", "not a regular file")


def test_fifo_as_the_compose_file(tmp_path: Path) -> None:
    # Discovery looks for regular files, as compose-go does: a FIFO is not one.
    os.mkfifo(tmp_path / "compose.yaml")
    assert_input_error(timed("check", cwd=tmp_path), ".:", "no compose file found")


def test_fifo_as_the_env_file(tmp_path: Path) -> None:
    proj = project(tmp_path)
    os.mkfifo(proj / "env")
    assert_input_error(timed("check", "--env-file", "env", cwd=proj), "env:", "not a regular file")


def test_fifo_given_with_dash_f(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "c.yaml")
    assert_input_error(timed("check", "-f", "c.yaml", cwd=tmp_path), "c.yaml:", "not a regular file")


def test_dev_zero_as_a_dockerfile(tmp_path: Path) -> None:
    # Before: read without limit, 5.9 GB in 20 s.
    compose = COMPOSE.replace("image: busybox", "build: {context: ., dockerfile: /dev/zero}")
    done = timed("check", cwd=project(tmp_path, compose))
    assert_input_error(done, "/dev/zero:", "not a regular file")


def test_fifo_as_a_dockerfile(tmp_path: Path) -> None:
    compose = COMPOSE.replace("image: busybox", "build: {context: ., dockerfile: Dockerfile}")
    proj = project(tmp_path, compose)
    os.mkfifo(proj / "Dockerfile")
    assert_input_error(timed("check", cwd=proj), "Dockerfile:", "not a regular file")


def test_directory_on_etc_nginx_without_nginx_conf(tmp_path: Path) -> None:
    # Before: exit 70, FileNotFoundError and no file named.
    compose = COMPOSE.replace("./nginx.conf:/etc/nginx/conf.d/default.conf:ro", "./ngx:/etc/nginx:ro")
    proj = project(tmp_path, compose, nginx=None, **{"ngx/conf.d/default.conf": NGINX})
    done = timed("check", cwd=proj)
    # nginx -t fails the same way: a DN401 finding at the file (since main's nginx -t parity), not a crash.
    assert_refused(done, "ngx/nginx.conf:", 'open() "/etc/nginx/nginx.conf" failed (2: No such file')


def test_symlink_loop_as_the_config(tmp_path: Path) -> None:
    # Before: exit 70 (OSError ELOOP).
    compose = COMPOSE.replace("./nginx.conf:/etc/nginx/conf.d/default.conf:ro", "./ngx:/etc/nginx:ro")
    proj = project(tmp_path, compose, nginx=None)
    (proj / "ngx").mkdir()
    (proj / "ngx/nginx.conf").symlink_to("nginx.conf")
    done = timed("check", cwd=proj)
    assert_refused(done, "ngx/nginx.conf:", "(40: Too many levels of symbolic links)")


def test_symlink_loop_as_a_bind_mounted_file(tmp_path: Path) -> None:
    proj = project(tmp_path, nginx=None)
    (proj / "nginx.conf").symlink_to("nginx.conf")
    done = timed("check", cwd=proj)
    assert done.returncode in (0, 1), done.stderr  # a source that does not resolve: DN116 says so
    assert "DN116" in done.stdout


def test_fifo_included_by_the_config(tmp_path: Path) -> None:
    compose = COMPOSE.replace("./nginx.conf:/etc/nginx/conf.d/default.conf:ro", "./ngx:/etc/nginx:ro")
    main = "events {}\nhttp { include conf.d/*.conf; }\n"
    proj = project(tmp_path, compose, nginx=None, **{"ngx/nginx.conf": main})
    (proj / "ngx/conf.d").mkdir()
    os.mkfifo(proj / "ngx/conf.d/default.conf")
    done = timed("check", cwd=proj)
    assert_input_error(done, "ngx/conf.d/default.conf:", "not a regular file")


def test_include_glob_over_a_mounted_root(tmp_path: Path) -> None:
    # Before: include /etc/nginx/root/*/*/*/*/*/*.conf with / mounted there walked the whole machine (36 s).
    # Counted: the tree's globs stop at MAX_GLOB_ENTRIES directory entries.
    for i in range(30):
        for j in range(30):
            (tmp_path / "big" / f"a{i}" / f"b{j}").mkdir(parents=True)
    compose = COMPOSE.replace(
        "./nginx.conf:/etc/nginx/conf.d/default.conf:ro",
        "./nginx.conf:/etc/nginx/nginx.conf:ro\n      - ./big:/r",
    )
    main = "events {}\nhttp { include /r/*/*/*.conf; " + NGINX + "}\n"
    proj = project(tmp_path, compose, nginx=main)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(files, "MAX_GLOB_ENTRIES", 500)
        done = timed("check", cwd=proj)
    assert_input_error(
        done, "nginx.conf:2:", 'glob() "/r/*/*/*.conf" failed', "more than 500 directory entries"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--nginx", "nginx=/dev/zero"],
            "not a regular file (a FIFO, a socket or a device) (given with --nginx)",
        ),
        (["--nginx", "nginx=."], "is a directory (given with --nginx)"),
        (["--env-file", "/dev/zero"], "not a regular file"),
        (["-f", "/dev/zero"], "not a regular file"),
    ],
)
def test_dev_zero_and_directories_given_on_the_command_line(
    tmp_path: Path, args: list[str], message: str
) -> None:
    done = timed("check", *args, cwd=project(tmp_path))
    assert_input_error(done, args[1].split("=")[-1] + ":", message)


def test_dev_zero_mounted_as_the_config(tmp_path: Path) -> None:
    compose = COMPOSE.replace(
        "./nginx.conf:/etc/nginx/conf.d/default.conf:ro", "/dev/zero:/etc/nginx/nginx.conf"
    )
    assert_input_error(timed("check", cwd=project(tmp_path, compose)), "/dev/zero:", "not a regular file")


def test_fifo_as_the_baseline(tmp_path: Path) -> None:
    # The baseline is committed in the checked tree, so a pull request controls it too.
    proj = project(tmp_path)
    os.mkfifo(proj / "baseline.json")
    done = timed("check", "--baseline", "baseline.json", cwd=proj)
    assert_input_error(done, "baseline.json:", "not a regular file")
