"""Tar archives as the engine's archive endpoint (``GET /containers/{id}/archive``) answers them, for the
tests of the tar tree (tests/sources/test_tartree.py) and of /proc/net/tcp read through that endpoint
(tests/sources/engine/test_procnet.py)."""

from __future__ import annotations

import io
import tarfile

from dockernet.sources import tartree


def tar_of(entries: list[tuple[str, bytes | str | None]], cut: int | None = None) -> tartree.Fetched:
    """A tar: (name, bytes) files, (name, None) directories, (name, "->target") symlinks."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, body in entries:
            info = tarfile.TarInfo(name)
            if body is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif isinstance(body, str):
                info.type = tarfile.SYMTYPE
                info.linkname = body.removeprefix("->")
                tar.addfile(info)
            else:
                info.size = len(body)
                tar.addfile(info, io.BytesIO(body))
    data = buf.getvalue()
    return tartree.Fetched(data[:cut] if cut else data, truncated=False)
