"""Traefik's configuration as flat, case-insensitive dotted keys with the line each is written on.

Traefik reads its static configuration from one of three places, "mutually exclusive"
(https://doc.traefik.io/traefik/getting-started/configuration-overview/): a file, the command line, or
``TRAEFIK_*`` environment variables; option names are case-insensitive in all three. The dynamic
configuration of the file provider is YAML or TOML too. Both become :class:`Settings`: ``providers.docker.
network`` -> (value, where), so that the readers look options up the same way whatever the source.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import yaml

from dockernet.errors import InputError
from dockernet.model import Loc


@dataclass(frozen=True)
class Value:
    """One setting: its value as text (lists: one key per item, ``servers.0.url``) and where it is."""

    text: str
    loc: Loc


class Settings:
    """Dotted keys, lower-cased, to values; :meth:`children` lists the names under a prefix as written."""

    def __init__(self, items: Mapping[str, Value], source: str) -> None:
        self._items = {k.lower(): v for k, v in items.items()}
        self._names = {k.lower(): k for k in items}
        self.source = source
        """Where the settings come from, for messages: ``/etc/traefik/traefik.yml``, ``command``..."""

    def get(self, key: str) -> Value | None:
        """The value of a key, if set."""
        return self._items.get(key.lower())

    def has(self, prefix: str) -> bool:
        """True when the key or any key under it is set (``providers.docker`` enables the provider)."""
        p = prefix.lower()
        return any(k == p or k.startswith(p + ".") for k in self._items)

    def loc(self, prefix: str, default: Loc) -> Loc:
        """Where the first key under ``prefix`` is written."""
        p = prefix.lower()
        locs = [v.loc for k, v in self._items.items() if k == p or k.startswith(p + ".")]
        return min(locs) if locs else default

    def children(self, prefix: str) -> list[str]:
        """The names one level below ``prefix`` (router names, entry point names), as written, in order."""
        p = prefix.lower() + "."
        out: dict[str, None] = {}
        for k in self._items:
            if k.startswith(p):
                name = self._names[k][len(p) :].split(".", 1)[0]
                out.setdefault(name, None)
        return list(out)


def from_args(args: tuple[str, ...], loc: Loc) -> dict[str, Value]:
    """``--a.b=c``, ``--a.b c`` and ``--a.b`` (true) flags."""
    out: dict[str, Value] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if not arg.startswith("--") or len(arg) == 2:
            continue
        key, sep, value = arg[2:].partition("=")
        if not sep:
            nxt = args[i] if i < len(args) else None
            if nxt is not None and not nxt.startswith("-"):
                value, i = nxt, i + 1
            else:
                value = "true"
        out[key] = Value(value, loc)
    return out


def from_env(env: Mapping[str, str | None], loc: Loc) -> dict[str, Value]:
    """``TRAEFIK_PROVIDERS_DOCKER_NETWORK=web``: underscores are dots."""
    return {
        k[len("TRAEFIK_") :].replace("_", "."): Value(v or "", loc)
        for k, v in env.items()
        if k.upper().startswith("TRAEFIK_")
    }


def from_file(path: str, shown: str, data: bytes) -> dict[str, Value]:
    """A YAML or TOML file (by its name), flattened; a syntax error is an :class:`InputError`."""
    text = data.decode("utf-8", "replace")
    if path.lower().endswith(".toml"):
        return _from_toml(shown, text)
    return _from_yaml(shown, text)


def _from_yaml(shown: str, text: str) -> dict[str, Value]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark
        raise InputError(shown, f"YAML: {e.problem}", mark.line + 1 if mark else 0) from e
    except yaml.YAMLError as e:
        raise InputError(shown, f"YAML: {e}") from e
    out: dict[str, Value] = {}
    if root is not None:
        for key, value, line in _walk(root, ""):
            out[key] = Value(value, Loc(shown, line))
    return out


def _walk(node: yaml.Node, prefix: str) -> Iterator[tuple[str, str, int]]:
    if isinstance(node, yaml.MappingNode):
        if not node.value:
            yield prefix, "", node.start_mark.line + 1
        for k, v in node.value:
            key = f"{prefix}.{k.value}" if prefix else str(k.value)
            if isinstance(v, yaml.ScalarNode):
                yield key, str(v.value), k.start_mark.line + 1
            else:
                yield from _walk(v, key)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            if isinstance(item, yaml.ScalarNode):
                yield f"{prefix}.{i}", str(item.value), item.start_mark.line + 1
            else:
                yield from _walk(item, f"{prefix}.{i}")
    elif isinstance(node, yaml.ScalarNode) and prefix:
        yield prefix, str(node.value), node.start_mark.line + 1


def _from_toml(shown: str, text: str) -> dict[str, Value]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(e))) else 0
        raise InputError(shown, f"TOML: {e}", line) from e
    lines = text.splitlines()
    out: dict[str, Value] = {}
    for key, value in _flatten(data, ""):
        out[key] = Value(value, Loc(shown, _toml_line(lines, key)))
    return out


def _flatten(data: object, prefix: str) -> Iterator[tuple[str, str]]:
    if isinstance(data, dict):
        if not data:
            yield prefix, ""
        for k, v in data.items():
            yield from _flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from _flatten(item, f"{prefix}.{i}")
    else:
        text = str(data).lower() if isinstance(data, bool) else str(data)
        yield prefix, text


def _toml_line(lines: list[str], key: str) -> int:
    """tomllib keeps no positions: the first line that assigns the key's last name (or opens its table)
    after the line that opens its nearest table."""
    parts = [p for p in key.split(".") if not p.isdigit()]
    last = parts[-1] if parts else key
    assign = re.compile(rf"^\s*\"?{re.escape(last)}\"?\s*=", re.IGNORECASE)
    table = re.compile(rf"^\s*\[+[^\]]*\b{re.escape(last)}\b[^\]]*\]+", re.IGNORECASE)
    for i, line in enumerate(lines, 1):
        if assign.match(line) or table.match(line):
            return i
    return 0
