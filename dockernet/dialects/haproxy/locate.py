"""Where HAProxy keeps its configuration in a container.

* A service runs HAProxy when its image's repository name is ``haproxy`` (``haproxy:2.9``,
  ``library/haproxy``, ``haproxytech/haproxy-debian``, ``dockernet-test/haproxy``), or when its command
  runs ``haproxy``.
* The official image runs ``haproxy -f /usr/local/etc/haproxy/haproxy.cfg``, and its entrypoint puts
  ``haproxy`` in front of a command that starts with ``-`` (``command: ["-f", "/etc/x.cfg"]``)
  (https://github.com/docker-library/haproxy, ``docker-entrypoint.sh``; https://hub.docker.com/_/haproxy).
  Debian's and Ubuntu's package keep it in ``/etc/haproxy/haproxy.cfg``, so an image that is not the
  official one and whose command names no file is read from there.
* Every ``-f PATH`` of the command is read, in order; a directory stands for its ``*.cfg`` files
  (https://docs.haproxy.org/2.6/management.html#3).
"""

from __future__ import annotations

import posixpath
import re

from dockernet.dialects.base import Located, command_words
from dockernet.model import Service

OFFICIAL = "/usr/local/etc/haproxy/haproxy.cfg"
DEBIAN = "/etc/haproxy/haproxy.cfg"
_IMAGE = re.compile(r"(^|/)haproxy(-(debian|alpine|ubuntu))?([:@][^/]*)?$", re.IGNORECASE)
_OFFICIAL_IMAGE = re.compile(r"^((docker\.io/)?(library/)?haproxy|dockernet-test/haproxy)([:@][^/]*)?$", re.I)


def claims(service: Service) -> bool:
    """True when the service runs HAProxy, by its image or its command."""
    if service.image and _IMAGE.search(service.image):
        return True
    words = command_words(service.entrypoint + service.command)
    return any(posixpath.basename(w) == "haproxy" for w in words)


def entries(service: Service) -> list[str]:
    """Every ``-f`` path of the command line, or the image's default file."""
    words = command_words(service.entrypoint + service.command)
    found: list[str] = []
    started = bool(words) and words[0].startswith("-")
    for i, word in enumerate(words):
        if posixpath.basename(word) == "haproxy":
            started = True
        elif word in ("&&", ";", "||", "|"):
            started = False
        elif started and word == "-f" and i + 1 < len(words):
            found.append(words[i + 1])
        elif started and word.startswith("-f") and len(word) > 2 and word[2] != "-":
            found.append(word[2:])
    if found:
        return [p if p.startswith("/") else posixpath.join("/", p) for p in found]
    official = (
        service.image is None or bool(_OFFICIAL_IMAGE.match(service.image)) or service.build is not None
    )
    return [OFFICIAL if official else DEBIAN]


def locate(service: Service) -> Located:
    """The first config file and the directory that holds it."""
    entry = entries(service)[0]
    directory = posixpath.dirname(entry) if entry.endswith(".cfg") else entry.rstrip("/")
    return Located(entry=entry, directory=directory)


def override_path(located: Located, file_name: str, head: bytes) -> str:
    """Where ``--haproxy SERVICE=FILE`` goes: it replaces the config file."""
    return located.entry
