"""What several steps of the compose loader share: a compose file read into YAML nodes, errors at a position,
scalars printed the way compose-go prints them, and host paths."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from yaml.nodes import Node

from dockernet.errors import InputError
from dockernet.sources.compose.yamlsafe import Pos, YMap, YSeq, compose_documents, read_text


@dataclass
class _Parsed:
    """One compose file, composed into YAML nodes but not yet interpolated."""

    file: str
    size: int
    docs: list[Node]


def _parse_file(path: str) -> _Parsed:
    """Read and compose one compose file; an empty one is an InputError."""
    text = read_text(path, "compose file")
    docs = compose_documents(text, path)
    if not docs:
        raise InputError(path, "empty compose file")
    return _Parsed(path, len(text), docs)


def _err(pos: Pos, message: str) -> InputError:
    """An InputError at ``pos`` (file, 1-based line)."""
    return InputError(pos[0], message, pos[1])


def _scalar_str(value: Any) -> str:
    """A scalar as compose-go prints it (``%v``): booleans lower case, integral floats without ``.0``."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    return str(value)


def _kv_map(value: Any) -> YMap:
    """``environment``/``labels`` as a mapping: ``K=V`` items become ``K: V``, a bare ``K`` ``K: None``."""
    if isinstance(value, YMap):
        return value
    out = YMap(value.pos if isinstance(value, YSeq) else ("", 0))
    if isinstance(value, YSeq):
        for i, item in enumerate(value):
            text = _scalar_str(item)
            key, sep, val = text.partition("=")
            out.put(key, val if sep else None, value.where(i))
    return out


def _expand_home(path: str, env: Mapping[str, str]) -> str:
    """``~`` and ``~/...`` expanded with ``HOME`` from the project environment (else the user's home)."""
    if path == "~" or path.startswith("~/"):
        home = env.get("HOME") or os.path.expanduser("~")
        return home + path[1:]
    return path


def _abs_path(path: str, base: str, env: Mapping[str, str]) -> str:
    """``path`` made absolute against ``base`` (after ``~`` expansion) and normalised."""
    path = _expand_home(path, env)
    return os.path.normpath(path if os.path.isabs(path) else os.path.join(base, path))


def _is_remote(context: str) -> bool:
    """A build context that compose does not resolve as a path (compose-go ``isRemoteContext``)."""
    return "://" in context or context.startswith(("git@", "github.com/"))
