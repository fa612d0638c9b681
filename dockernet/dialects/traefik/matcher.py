"""What a router's ``rule`` matches, as far as a static reader can tell: the host names of ``Host`` and the
path of ``Path``/``PathPrefix`` (https://doc.traefik.io/traefik/routing/routers/#rule). v2 allowed several
hosts in one matcher (``Host(`a`, `b`)``), v3 writes ``Host(`a`) || Host(`b`)``; both are read. Regexp
matchers and anything else stay in the rule's text only.
"""

from __future__ import annotations

import re

_MATCHER = re.compile(r"\b(Host|Path|PathPrefix)\s*\(([^)]*)\)")
_ARG = re.compile(r"`([^`]*)`|\"([^\"]*)\"|'([^']*)'")


def hosts_and_path(rule: str) -> tuple[tuple[str, ...], str | None]:
    """The literal host names and the first literal path of a rule."""
    hosts: list[str] = []
    path: str | None = None
    for m in _MATCHER.finditer(rule):
        args = [a or b or c for a, b, c in _ARG.findall(m.group(2))]
        if m.group(1) == "Host":
            hosts.extend(a for a in args if a)
        elif path is None and args:
            path = args[0]
    return tuple(dict.fromkeys(hosts)), path


def normalize(name: str) -> str:
    """Traefik's ``normalize``: every run of characters other than letters and digits becomes ``-``
    (``app_proj`` -> ``app-proj``; ``provider.Normalize`` in Traefik's source)."""
    return re.sub(r"[^a-zA-Z0-9]+", "-", name).strip("-")


def default_rule(template: str, name: str) -> str:
    """The provider's ``defaultRule`` for a container: the common templates are filled in, anything else
    is left as written."""
    out = re.sub(r"\{\{\s*normalize\s+\.Name\s*\}\}", normalize(name), template)
    return re.sub(r"\{\{\s*\.Name\s*\}\}", name, out)
