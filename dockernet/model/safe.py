"""Text that a pull request controls (service and file names, nginx locations, upstreams, container log
lines) made safe to print, once, before any format renders it: control characters (a newline that starts a
``::error`` workflow command, ANSI and OSC escapes, a carriage return that overwrites a line), Unicode's
line and paragraph separators and bidirectional overrides become visible escapes (``\\x0a``, ``\\u202e``),
and lone surrogates (from undecodable file names) become ``\\udcxx`` text, so JSON and SARIF stay valid
UTF-8 and JUnit stays well-formed XML. A tab stays a tab.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator, Mapping
from enum import Enum
from types import MappingProxyType
from typing import Any, TypeVar

from dockernet.model.docker import Project
from dockernet.model.topology import Topology

T = TypeVar("T")

_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def visible(text: str) -> str:
    """``text`` with every unsafe character written as an escape."""
    if text.isprintable() or not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(lambda m: _escape(ord(m.group())), text)


def _escape(code: int) -> str:
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def deep(value: T, text: Callable[[str], str] = visible) -> T:
    """``value`` (a frozen dataclass, a tuple or a string, nested) with ``text`` (by default
    :func:`visible`) applied to every string in it; unchanged objects are returned as they are."""
    return _deep(value, text)  # type: ignore[no-any-return]


def _deep(value: Any, text: Callable[[str], str]) -> Any:
    if isinstance(value, Enum):
        return value
    if isinstance(value, str):
        new = text(value)
        return value if new == value else new
    if isinstance(value, tuple):
        items = tuple(_deep(v, text) for v in value)
        return value if all(a is b for a, b in zip(items, value, strict=True)) else type(value)(items)
    if isinstance(value, Mapping):
        pairs = {_deep(k, text): _deep(v, text) for k, v in value.items()}
        same = all(k in value and value[k] is v for k, v in pairs.items()) and len(pairs) == len(value)
        return value if same else MappingProxyType(pairs)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            old = getattr(value, f.name)
            new = _deep(old, text)
            if new is not old:
                changes[f.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    return value


_COMMON = frozenset({"true", "false", "yes", "no", "on", "off", "none", "null"})


def redactor(topology: Topology) -> Callable[[str], str]:
    """A function that replaces, in a text, every value that came from outside the compose files
    (:attr:`Project.secrets`) by its name, as a whole token; values that the files themselves name (a
    service, a container, a network or an alias: routing names written in the repository) and trivial
    values (shorter than 3 characters, booleans) are left alone."""
    named = {n for p in topology.projects for n in _names(p)}
    table = {
        value: shown
        for p in topology.projects
        for value, shown in p.secrets
        if len(value) >= 3 and value.lower() not in _COMMON and value not in named
    }
    if not table:
        return lambda text: text
    pattern = re.compile(
        r"(?<![\w.-])(" + "|".join(re.escape(v) for v in sorted(table, key=len, reverse=True)) + r")(?![\w-])"
    )
    return lambda text: pattern.sub(lambda m: table[m.group(1)], text) if text else text


def _names(project: Project) -> Iterator[str]:
    yield project.name
    for svc in project.services.values():
        yield svc.name
        if svc.container_name:
            yield svc.container_name
        if svc.hostname:
            yield svc.hostname
        for attachment in svc.networks:
            yield from attachment.aliases
    for net in project.networks.values():
        yield net.key
        yield net.name
