"""``nginx -T``: nginx's own dump of every file of its configuration, the way ``scan --exec`` reads a
configuration that the archive endpoint cannot give."""

from __future__ import annotations

import re

from dockernet.dialects.base import Located
from dockernet.dialects.nginx.locate import MAIN


def command(located: Located) -> tuple[str, ...]:
    """The command that dumps the configuration whose main file is ``located.entry``."""
    return ("nginx", "-T") + (("-c", located.entry) if located.entry != MAIN else ())


_DUMP_HEADER = re.compile(rb"^# configuration file (?P<path>/[^\n]*):\n", re.MULTILINE)


def parse_dump(stdout: bytes) -> dict[str, bytes]:
    """The files of an ``nginx -T`` dump, by container path.

    nginx writes ``# configuration file PATH:``, the file's bytes and one more line feed, for every file
    it read (``ngx_conf_dump`` in src/core/ngx_conf_file.c, printed by ``nginx -T`` in src/core/nginx.c).
    """
    out: dict[str, bytes] = {}
    heads = list(_DUMP_HEADER.finditer(stdout))
    for n, m in enumerate(heads):
        end = heads[n + 1].start() if n + 1 < len(heads) else len(stdout)
        body = stdout[m.end() : end]
        if body.endswith(b"\n"):
            body = body[:-1]
        path = m.group("path").decode("utf-8", "surrogateescape")
        out.setdefault(path, body)
    return out
