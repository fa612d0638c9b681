"""Listening sockets (dockernet.sources.engine.procnet): /proc/net/tcp read through the archive endpoint, and
the archives that hold no readable table."""

from __future__ import annotations

from typing import Any, cast

import pytest

from dockernet.errors import EngineError
from dockernet.sources import tartree
from dockernet.sources.engine.procnet import MAX_PROC, _proc_by_archive, parse_proc_net_tcp
from tests.sources.archives import tar_of

TCP = (
    b"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    b"   0: 0100007F:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1\n"
)


class ProcEngine:
    """Archive answers by container path (an exception is raised); records each request."""

    def __init__(self, answers: dict[str, tartree.Fetched | Exception]) -> None:
        self.answers = answers
        self.requests: list[str] = []

    def archive(self, container: str, path: str) -> tartree.Fetched | None:
        self.requests.append(path)
        got = self.answers.get(path)
        if isinstance(got, Exception):
            raise got
        return got


def test_proc_net_tcp_is_read_through_the_archive_endpoint() -> None:
    text = _proc_by_archive(cast(Any, ProcEngine({"/proc/net/tcp": tar_of([("tcp", TCP)])})), "c1")
    assert text == TCP.decode() and parse_proc_net_tcp(text) == (("127.0.0.1", 3000),)
    both = ProcEngine({"/proc/net/tcp": tar_of([("tcp", TCP)]), "/proc/net/tcp6": tar_of([("tcp6", TCP)])})
    assert _proc_by_archive(cast(Any, both), "c1") == TCP.decode() + "\n" + TCP.decode()
    # Engine 20.10 answers 404 (None): the archive endpoint reads the file system, where /proc is not mounted.
    assert _proc_by_archive(cast(Any, ProcEngine({})), "c1") is None
    assert _proc_by_archive(cast(Any, ProcEngine({"/proc/net/tcp": EngineError("boom")})), "c1") is None


@pytest.mark.parametrize(
    "answer",
    [
        tar_of([("tcp", b"")]),
        tar_of([("tcp", TCP + b"x" * MAX_PROC)]),
        tar_of([("tcp", None)]),
        tar_of([("tcp", "->/etc/passwd")]),
        tartree.Fetched(b"not a tar archive" * 100),
        tar_of([("tcp", TCP)], cut=700),
        tar_of([("../../etc/tcp", TCP)]),
    ],
    ids=["empty", "too-large", "directory", "symlink", "garbage", "cut", "name-outside-the-path"],
)
def test_proc_net_tcp_archives_without_a_readable_table_read_as_nothing(answer: tartree.Fetched) -> None:
    engine = ProcEngine({"/proc/net/tcp": answer})
    assert _proc_by_archive(cast(Any, engine), "c1") is None
    assert engine.requests == ["/proc/net/tcp", "/proc/net/tcp6"]  # a link is not followed to the engine
