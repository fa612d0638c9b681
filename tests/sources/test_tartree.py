"""The tar tree (dockernet.sources.tartree): a container's files read from untrusted archives of the engine's
archive endpoint, with includes, links, damaged and oversized archives."""

from __future__ import annotations

import pytest

from dockernet.sources import tartree
from tests.sources.archives import tar_of


class FakeContainer:
    """A container's files, answered the way the archive endpoint does (member names relative to the
    parent of the requested path); records each request."""

    def __init__(self, files: dict[str, bytes | str | None]) -> None:
        self.files = files
        self.requests: list[str] = []

    def __call__(self, path: str) -> tartree.Fetched | None:
        self.requests.append(path)
        if path not in self.files:
            return None
        parent = path.rsplit("/", 1)[0]
        entries = [
            (p[len(parent) + 1 :], body)
            for p, body in sorted(self.files.items())
            if p == path or p.startswith(path + "/")
        ]
        return tar_of(entries)


ETC = {
    "/etc/nginx": None,
    "/etc/nginx/nginx.conf": b"events {}\nhttp { include conf.d/*.conf; include /opt/site/*.conf; }\n",
    "/etc/nginx/conf.d": None,
    "/etc/nginx/conf.d/a.conf": b"server { location / { proxy_pass http://app:80; } }\n",
    "/etc/nginx/conf.d/link.conf": "->../sites/b.conf",
    "/etc/nginx/sites": None,
    "/etc/nginx/sites/b.conf": b"server { location /b { proxy_pass http://b:80; } }\n",
    "/opt/site": None,
    "/opt/site/c.conf": b"server { location /c { proxy_pass http://c:80; } }\n",
}


def test_tar_tree_reads_includes_links_and_fetches_outside_paths_lazily() -> None:
    from dockernet.dialects.nginx import syntax

    fake = FakeContainer(dict(ETC))
    tree = tartree.TarTree(fake, "web-1")
    tree.prefetch("/etc/nginx")
    conf = syntax.load("/etc/nginx/nginx.conf", tree)
    assert conf.files == (
        "/etc/nginx/nginx.conf",
        "/etc/nginx/conf.d/a.conf",
        "/etc/nginx/conf.d/link.conf",
        "/opt/site/c.conf",
    )
    assert fake.requests == ["/etc/nginx", "/opt/site"]
    assert tree.problems == []
    with pytest.raises(FileNotFoundError):
        tree.read("/etc/nginx/conf.d/missing.conf")
    assert tree.glob("/etc/nginx/conf.d/*.conf") == [
        "/etc/nginx/conf.d/a.conf",
        "/etc/nginx/conf.d/link.conf",
    ]
    assert tree.glob("/srv/nothing/*.conf") == []  # a missing directory matches nothing, as glob(3)


def test_tar_tree_ignores_members_that_escape_the_requested_path() -> None:
    hostile = tar_of(
        [
            ("nginx/nginx.conf", b"events {}\n"),
            ("../../etc/shadow", b"root:x\n"),
            ("/etc/passwd", b"root\n"),
            ("nginx/../../escape", b"x\n"),
        ]
    )
    tree = tartree.TarTree(lambda p: hostile if p == "/etc/nginx" else None, "evil")
    tree.prefetch("/etc/nginx")
    assert tree.read("/etc/nginx/nginx.conf") == ("/etc/nginx/nginx.conf", b"events {}\n")
    assert len([p for p in tree.problems if "outside /etc/nginx" in p]) == 3
    with pytest.raises(FileNotFoundError):
        tree.read("/etc/nginx/../shadow")  # normalised to /etc/shadow: fetched on its own, and absent


def test_tar_tree_symlink_loops_and_absolute_links_stay_in_container_space() -> None:
    fake = FakeContainer(
        {
            "/etc/nginx": None,
            "/etc/nginx/loop.conf": "->loop2.conf",
            "/etc/nginx/loop2.conf": "->loop.conf",
            "/etc/nginx/abs.conf": "->/srv/conf/real.conf",
            "/srv/conf": None,
            "/srv/conf/real.conf": b"events {}\n",
        }
    )
    tree = tartree.TarTree(fake, "web-1")
    tree.prefetch("/etc/nginx")
    with pytest.raises(OSError, match="Too many levels"):
        tree.read("/etc/nginx/loop.conf")
    assert tree.read("/etc/nginx/abs.conf") == ("/etc/nginx/abs.conf", b"events {}\n")
    assert "/srv/conf/real.conf" in fake.requests


def test_tar_tree_truncated_archive_keeps_what_was_read() -> None:
    whole = tar_of([("nginx", None), ("nginx/a.conf", b"a" * 600), ("nginx/b.conf", b"b" * 600)])
    # Headers are 512 bytes, data is padded to 512: b.conf's data starts at 2560.
    cut = tartree.Fetched(whole.data[:2700], truncated=False)
    answers = {"/etc/nginx": cut, "/etc/nginx/b.conf": tar_of([("b.conf", b"b" * 600)])}
    asked: list[str] = []

    def fetch(path: str) -> tartree.Fetched | None:
        asked.append(path)
        return answers.get(path)

    tree = tartree.TarTree(fetch, "web-1")
    tree.prefetch("/etc/nginx")
    assert tree.read("/etc/nginx/a.conf") == ("/etc/nginx/a.conf", b"a" * 600)
    assert any("truncated" in p or "cut short" in p for p in tree.problems)
    # Not in the damaged archive: asked for on its own.
    assert tree.read("/etc/nginx/b.conf") == ("/etc/nginx/b.conf", b"b" * 600)
    assert asked == ["/etc/nginx", "/etc/nginx/b.conf"]
    assert tree.glob("/etc/nginx/*.conf") is None  # the listing itself is incomplete: unseen


def test_tar_tree_size_limits() -> None:
    big = tar_of([("nginx", None), ("nginx/huge.conf", b"x" * (tartree.MAX_MEMBER + 1))])
    tree = tartree.TarTree(lambda p: big if p == "/etc/nginx" else None, "web-1")
    tree.prefetch("/etc/nginx")
    with pytest.raises(OSError, match="too large"):
        tree.read("/etc/nginx/huge.conf")
    stream = tartree.Fetched(big.data, truncated=True)
    tree = tartree.TarTree(lambda p: stream if p == "/etc/nginx" else None, "web-1")
    tree.prefetch("/etc/nginx")
    assert any("larger than" in p for p in tree.problems)


def test_tar_tree_garbage_is_a_problem_not_a_crash() -> None:
    junk = tartree.Fetched(b"this is not a tar archive at all" * 40)
    tree = tartree.TarTree(lambda p: junk, "web-1")
    tree.prefetch("/etc/nginx")
    assert tree.read("/etc/nginx/nginx.conf") is None
    assert any("damaged" in p for p in tree.problems)


def test_tar_tree_never_archives_a_top_level_directory() -> None:
    fake = FakeContainer(dict(ETC))
    tree = tartree.TarTree(fake, "web-1")
    assert tree.glob("/*.conf") is None
    assert fake.requests == []
