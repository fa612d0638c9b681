"""Where Caddy keeps its configuration in a container.

* A service runs Caddy when its image's repository name is ``caddy`` (``caddy``, ``caddy:2-alpine``,
  ``library/caddy``, ``dockernet-test/caddy``; not ``caddy-docker-proxy`` nor ``caddy-gen``, whose
  configuration comes from labels), or when its command runs ``caddy run`` / ``caddy start``.
* The official image runs ``caddy run --config /etc/caddy/Caddyfile --adapter caddyfile``
  (https://github.com/caddyserver/caddy-docker, ``2.11/alpine/Dockerfile``); ``--config PATH`` on the
  command line moves it. A path ending in ``.json`` (or ``--adapter`` other than ``caddyfile``, or a file
  named ``caddy.json``) is Caddy's native JSON (https://caddyserver.com/docs/command-line#caddy-run).
"""

from __future__ import annotations

import posixpath
import re

from dockernet.dialects.base import Located, command_words
from dockernet.model import Service

ETC_CADDY = "/etc/caddy"
MAIN = "/etc/caddy/Caddyfile"
_IMAGE = re.compile(r"(^|/)caddy([:@][^/]*)?$", re.IGNORECASE)
_COMMAND = re.compile(r"(^|[/\s'\"])caddy\s+(run|start)\b")


def claims(service: Service) -> bool:
    """True when the service runs Caddy, by its image or its command (see the module docstring)."""
    if service.image and _IMAGE.search(service.image):
        return True
    return bool(_COMMAND.search(" ".join(service.entrypoint + service.command)))


def options(service: Service) -> tuple[str, str | None]:
    """``--config`` (Caddy's default when absent) and ``--adapter`` of the ``caddy run`` command line."""
    words = command_words(service.entrypoint + service.command)
    config, adapter = MAIN, None
    started = False
    for i, word in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else None
        if posixpath.basename(word) == "caddy":
            started = True
        elif word in ("&&", ";", "||", "|"):
            started = False
        elif started and word in ("--config", "-config", "-c") and nxt:
            config = nxt
        elif started and word.startswith("--config="):
            config = word.split("=", 1)[1]
        elif started and word in ("--adapter", "-adapter") and nxt:
            adapter = nxt
        elif started and word.startswith("--adapter="):
            adapter = word.split("=", 1)[1]
    if not config.startswith("/"):
        # The image's working directory is /srv.
        config = posixpath.join("/srv", config)
    return config, adapter


def is_json(entry: str, adapter: str | None) -> bool:
    """True when Caddy reads ``entry`` as its native JSON: no Caddyfile adapter, and a ``.json`` name (or
    an adapter of ``json``)."""
    if adapter is not None:
        return adapter == "json"
    return entry.endswith(".json")


def locate(service: Service) -> Located:
    """The config file and the directory that holds it (``/etc/caddy`` for every file under it)."""
    entry, _ = options(service)
    directory = ETC_CADDY if entry.startswith(ETC_CADDY + "/") else posixpath.dirname(entry)
    return Located(entry=entry, directory=directory)


def override_path(located: Located, file_name: str, head: bytes) -> str:
    """Where ``--caddy SERVICE=FILE`` goes: it replaces the config file."""
    return located.entry
