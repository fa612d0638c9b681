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
from typing import Any, TypeVar

T = TypeVar("T")

_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def visible(text: str) -> str:
    """``text`` with every unsafe character written as an escape."""
    if text.isprintable() or not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(lambda m: _escape(ord(m.group())), text)


def _escape(code: int) -> str:
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def deep(value: T) -> T:
    """``value`` (a frozen dataclass, a tuple or a string, nested) with :func:`visible` applied to every
    string in it; unchanged objects are returned as they are."""
    return _deep(value)  # type: ignore[no-any-return]


def _deep(value: Any) -> Any:
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, tuple):
        items = tuple(_deep(v) for v in value)
        return value if all(a is b for a, b in zip(items, value, strict=True)) else type(value)(items)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            old = getattr(value, f.name)
            new = _deep(old)
            if new is not old:
                changes[f.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    return value
