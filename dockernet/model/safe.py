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


_UNSAFE_IN_PICTURES = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def visible_in_picture(text: str) -> str:
    """:func:`visible` for a diagram's scene, where a newline is the scene's own line break (each format
    writes it as one: DOT ``\\n``, HTML ``<br/>``), never a command."""
    if text.isprintable() or not _UNSAFE_IN_PICTURES.search(text):
        return text
    return _UNSAFE_IN_PICTURES.sub(lambda m: _escape(ord(m.group())), text)


def _escape(code: int) -> str:
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def deep(value: T, text: Callable[[str], str] | None = visible) -> T:
    """``value`` (a frozen dataclass, a tuple, a mapping or a string, nested) with ``text`` (by default
    :func:`visible`; None: nothing to do) applied to every string in it; unchanged objects are returned as
    they are."""
    return value if text is None else _deep(value, text)


def _deep(value: Any, text: Callable[[str], str]) -> Any:
    kind = type(value)
    if value is None or kind in (int, float, bool) or isinstance(value, Enum):
        return value
    if isinstance(value, str):
        new = text(value)
        return value if new == value else new
    if isinstance(value, tuple):
        items = tuple(_deep(v, text) for v in value)
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        return items if kind is tuple else kind(items)
    if isinstance(value, Mapping):
        pairs = {_deep(k, text): _deep(v, text) for k, v in value.items()}
        same = all(k in value and value[k] is v for k, v in pairs.items()) and len(pairs) == len(value)
        return value if same else MappingProxyType(pairs)
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = (
            tuple(f.name for f in dataclasses.fields(value)) if dataclasses.is_dataclass(value) else ()
        )
    changes = {}
    for name in names:
        old = getattr(value, name)
        new = _deep(old, text)
        if new is not old:
            changes[name] = new
    return dataclasses.replace(value, **changes) if changes else value


_FIELDS: dict[type, tuple[str, ...]] = {}
"""Field names by dataclass type (empty for anything else: left as it is)."""


_COMMON = frozenset(
    {"true", "false", "yes", "no", "on", "off", "none", "null"}
    | {"http", "https", "tcp", "udp", "ws", "wss", "grpc", "grpcs", "h2c", "unix", "uwsgi", "fastcgi"}
)
"""Values too common to hide: a flag, a scheme (``VIRTUAL_PROTO=http``) would otherwise be replaced in every
``http://`` of every message."""


def redactor(topology: Topology) -> Callable[[str], str] | None:
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
        return None  # (most runs: nothing to walk)
    return replacer(table)


def replacer(table: Mapping[str, str]) -> Callable[[str], str]:
    """A function that replaces each value of ``table`` (value -> name), as a whole token, by its name."""
    if not table:
        return lambda text: text
    pattern = re.compile("|".join(_token(v) for v in sorted(table, key=len, reverse=True)))
    return lambda text: pattern.sub(lambda m: table[m.group(0)], text) if text else text


def _token(value: str) -> str:
    """``value`` as a whole token: a value that starts (ends) with a word character must not be preceded
    (followed) by one; ``/secret-path`` is found in ``http://app:3000/secret-path`` too."""
    before = r"(?<![\w.-])" if re.match(r"[\w.-]", value) else ""
    after = r"(?![\w-])" if re.search(r"[\w-]$", value) else ""
    return before + re.escape(value) + after


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
