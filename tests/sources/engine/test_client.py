"""The engine client (dockernet.sources.engine.client): which engine a scan talks to (``--host``,
``DOCKER_HOST``, then the current docker context), an unreachable one, and the frames of a container's log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dockernet.errors import EngineError
from dockernet.sources.engine.client import connect, demux_log, resolve_host


def test_host_order_flag_then_docker_host_then_context(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib

    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    (tmp_path / "config.json").write_text(json.dumps({"currentContext": "remote"}))
    meta = tmp_path / "contexts" / "meta" / hashlib.sha256(b"remote").hexdigest()
    meta.mkdir(parents=True)
    (meta / "meta.json").write_text(
        json.dumps(
            {"Name": "remote", "Metadata": {}, "Endpoints": {"docker": {"Host": "tcp://10.9.9.9:2375"}}}
        )
    )
    assert resolve_host(None, {})[1] == "tcp://10.9.9.9:2375"
    assert resolve_host(None, {"DOCKER_HOST": "unix:///run/x.sock"})[1] == "unix:///run/x.sock"
    assert resolve_host("unix:///flag.sock", {"DOCKER_HOST": "tcp://a:1"})[1] == "unix:///flag.sock"
    (meta / "meta.json").write_text("{not json")
    with pytest.raises(EngineError, match="docker context"):
        resolve_host(None, {})


def test_unreachable_engine_is_an_engine_error(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="no such socket"):
        connect(f"unix://{tmp_path}/none.sock")


def test_demux_strips_frame_headers_and_keeps_a_cut_frame() -> None:
    frames = b"\x01\x00\x00\x00\x00\x00\x00\x06hello\n" + b"\x02\x00\x00\x00\x00\x00\x00\x07world!\n"
    assert demux_log(frames) == b"hello\nworld!\n"
    assert demux_log(frames + b"\x02\x00\x00\x00\x00\x00\x00\x10cut") == b"hello\nworld!\ncut"
    assert demux_log(b"2024-05-01T10:00:00Z raw tty text\n") == b"2024-05-01T10:00:00Z raw tty text\n"
    assert demux_log(b"") == b""
