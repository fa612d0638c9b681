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


PROC_TCP = """\
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2310857 1
   1: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2310858 1
   3: 0B00007F:A541 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2310859 1
   2: 0400160A:1F90 0200160A:9C40 01 00000000:00000000 00:00000000 00000000     0        0 0 1
  sl  local_address                         remote_address                        st tx_queue rx_queue
   0: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000
   1: 00000000000000000000000001000000:0BB9 00000000000000000000000000000000:0000 0A 00000000:00000000
   2: 0000000000000000FFFF00000100007F:0BBA 00000000000000000000000000000000:0000 0A 00000000:00000000
"""


def test_parse_proc_net_tcp_keeps_listening_sockets_of_both_families() -> None:
    from dockernet.rules.base import real_listeners

    sockets = parse_proc_net_tcp(PROC_TCP)
    assert sockets == (
        ("::", 80),
        ("127.0.0.1", 3000),
        ("::1", 3001),
        ("127.0.0.1", 3002),
        ("0.0.0.0", 8080),
    )
    by_port = {lst.port: lst for lst in real_listeners(sockets)}
    assert by_port[3000].loopback_only and by_port[3001].loopback_only
    assert not by_port[8080].loopback_only and by_port[8080].address is None
    assert by_port[3000].evidence == "listening sockets: 127.0.0.1:3000 (read from /proc/net/tcp)"
