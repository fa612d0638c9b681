"""The literal values an nginx variable can take where a pass directive uses it: ``set`` in the rewrite
phase, ``map``/``geo``/``split_clients`` tables, and the container environment (configs written for
``envsubst``). nginx evaluates them per request; listing them statically tells which upstreams a variable
address can reach."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence

from dockernet.dialects.nginx.syntax import Directive

# ngx_http_script_compile(): "$1".."$9" are one-digit captures; names are [A-Za-z0-9_]; "${name}" too.
_VARIABLE = re.compile(r"\$(?:\{([A-Za-z0-9_]+)\}|([1-9])|([A-Za-z0-9_]+))")
_UNSET = "\0unset"
_MAX_VALUES = 64
_MAX_EXPANSION_DEPTH = 5
# Variables nginx itself defines: never taken from the container environment.
_BUILTIN_PREFIXES = (
    "http_",
    "sent_http_",
    "sent_trailer_",
    "arg_",
    "cookie_",
    "upstream_",
    "ssl_",
    "proxy_",
    "realip_",
    "limit_",
    "jwt_",
    "geoip_",
)


def variables_in(text: str) -> tuple[str, ...]:
    """Names of the nginx variables in a value, in order, once each (``$1`` gives ``1``)."""
    seen: dict[str, None] = {}
    for m in _VARIABLE.finditer(text):
        seen.setdefault(m.group(1) or m.group(2) or m.group(3), None)
    return tuple(seen)


def _table_values(d: Directive) -> tuple[str, ...] | None:
    """The values a map/geo/split_clients block can give; None when they cannot all be listed."""
    out: list[str] = []
    covered = False
    for entry in d.block or ():
        if entry.name == "include":
            return None  # an include dockernet cannot see: its entries are unknown
        if not entry.args or (d.name == "geo" and entry.name in ("delete", "proxy")):
            continue  # hostnames; volatile; ranges; proxy_recursive; and geo's own parameters
        covered = covered or entry.name == "default" or (d.name == "split_clients" and entry.name == "*")
        out.append(entry.args[-1])
    if not covered:
        out.append("")  # nothing matched and no default: the variable is the empty string
    return tuple(dict.fromkeys(out))


def collect_tables(top: Sequence[Directive]) -> dict[str, tuple[str, ...] | None]:
    tables: dict[str, tuple[str, ...] | None] = {}
    for d in top:
        if d.name in ("map", "geo", "split_clients") and d.block is not None and d.args:
            name = d.args[-1]
            if name.startswith("$"):
                tables[name[1:]] = _table_values(d)
    return tables


def _is_builtin(name: str) -> bool:
    return name.islower() or name.isdigit() or name.startswith(_BUILTIN_PREFIXES)


class Values:
    """The literal values a pass argument can take, from ``set`` in the rewrite phase, tables and the
    environment (configs run through ``envsubst`` before nginx starts)."""

    def __init__(
        self,
        tables: Mapping[str, tuple[str, ...] | None],
        environment: Mapping[str, str | None],
    ) -> None:
        self.tables = tables
        self.environment = environment

    def possible(
        self,
        sequences: Sequence[Sequence[Directive]],
        own_if: Directive | None,
        start: Mapping[str, set[str]] | None = None,
    ) -> dict[str, set[str]]:
        """Values each ``set`` variable can hold when the content phase runs.

        The rewrite phase runs the server's directives, then the matched location's (rewrite directives of
        outer locations are not inherited: https://nginx.org/en/docs/http/ngx_http_rewrite_module.html).
        A ``set`` replaces the value; one inside an ``if`` may or may not run, except in the ``if`` that
        holds the pass directive itself. ``start`` is the state before the first sequence (not changed).
        """
        state: dict[str, set[str]] = {k: set(v) for k, v in (start or {}).items()}

        def walk(block: Sequence[Directive], conditional: bool) -> None:
            for d in block:
                if d.name == "set" and len(d.args) >= 2 and d.args[0].startswith("$"):
                    var = d.args[0][1:]
                    if conditional:
                        state.setdefault(var, {_UNSET}).add(d.args[1])
                    else:
                        state[var] = {d.args[1]}
                elif d.name == "if" and d.block is not None:
                    walk(d.block, conditional or d is not own_if)

        for seq in sequences:
            walk(seq, False)
        return state

    def expand(self, text: str, state: Mapping[str, set[str]], depth: int = 0) -> tuple[str, ...] | None:
        """Every literal value of ``text`` after substitution, or None when one cannot be known."""
        names = variables_in(text)
        if not names:
            return (text,)
        if depth >= _MAX_EXPANSION_DEPTH:
            return None
        choices: list[tuple[str, ...]] = []
        for name in names:
            values = self.values_of(name, state, depth)
            if values is None:
                return None
            choices.append(values)
        if _product_size(choices) > _MAX_VALUES:
            return None
        out: dict[str, None] = {}
        for combo in itertools.product(*choices):
            out.setdefault(_substitute(text, dict(zip(names, combo, strict=True))), None)
        return tuple(out)

    def values_of(self, name: str, state: Mapping[str, set[str]], depth: int) -> tuple[str, ...] | None:
        raw: set[str] = set(state.get(name, {_UNSET}))
        out: dict[str, None] = {}
        if _UNSET in raw:
            raw.discard(_UNSET)
            fallback = self.fallback(name)
            if fallback is None:
                return None
            raw.update(fallback)
        for value in sorted(raw):
            expanded = self.expand(value, state, depth + 1)
            if expanded is None:
                return None
            out.update(dict.fromkeys(expanded))
        return tuple(out)

    def fallback(self, name: str) -> tuple[str, ...] | None:
        if name in self.tables:
            return self.tables[name]
        value = self.environment.get(name)
        if value is not None and not _is_builtin(name):
            return (value,)
        return None


def _substitute(text: str, table: Mapping[str, str]) -> str:
    return _VARIABLE.sub(lambda m: table[m.group(1) or m.group(2) or m.group(3)], text)


def _product_size(choices: Sequence[tuple[str, ...]]) -> int:
    size = 1
    for c in choices:
        size *= max(len(c), 1)
    return size
