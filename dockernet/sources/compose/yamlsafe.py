"""Safe YAML loading that keeps the line of every mapping key and sequence item.

Compose files are untrusted input: the loader must answer within seconds, in bounded memory, with a one-line
:class:`~dockernet.errors.InputError` for anything it cannot read. So:

* the file is size-checked before it is read and read with a hard limit (``/dev/zero`` cannot stall us);
* bytes with a NUL, or that are not UTF-8, are rejected as "not a UTF-8 text file";
* PyYAML's libyaml-based ``CSafeLoader`` only *composes* the node graph (no Python objects are constructed by
  PyYAML; libyaml itself caps nesting at 1000 levels); aliases are shared nodes there, so a "billion laughs"
  document is small until it is expanded. The walk that turns nodes into values counts every node it visits
  and every character of the scalars, and stops at budgets proportional to the file size, which a
  legitimate file never reaches (a string alias bomb is few nodes and many bytes);
* a string with a NUL character is refused: no name, command or variable can hold one;
* scalars are resolved with the YAML 1.2 core schema, like go-yaml v3 in compose-go (``yes``/``on`` stay
  strings, ``22:22`` is not a base-60 integer), instead of PyYAML's YAML 1.1 rules.

Merge keys (``<<: *a`` and ``<<: [*a, *b]``, https://yaml.org/type/merge.html) are applied during the walk;
explicit keys win over merged ones and earlier merged mappings over later ones. Compose's ``!reset`` and
``!override`` tags (https://docs.docker.com/reference/compose-file/merge/#reset-value) become :data:`RESET`
and :class:`Override` values that the compose merge interprets.

Values are plain ``str``/``int``/``float``/``bool``/``None`` scalars inside :class:`YMap` (a ``dict`` that
also knows where each key was written) and :class:`YSeq` (a ``list`` that knows where each item was written).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any, ClassVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from dockernet.dialects.base import NOT_REGULAR, NotRegularFileError
from dockernet.errors import InputError
from dockernet.sources.files import read_regular

__all__ = [
    "MAX_ENTRIES",
    "MAX_FILE_BYTES",
    "RESET",
    "Override",
    "Pos",
    "YMap",
    "YSeq",
    "compose_documents",
    "read_text",
    "scalar_text",
    "to_data",
]

MAX_FILE_BYTES = 20 * 1024 * 1024
"""Files larger than this are rejected before parsing; the largest real compose file we know is ~100 KB."""

MAX_ENTRIES = 200_000
"""Lines plus flow-style commas a file may have. The node graph is composed before anything else can look at
it, and that costs ~50 µs and ~1 KB per line; a 1,000-service project has ~12,000 lines."""

_NODE_BUDGET_BASE = 300_000
_NODE_BUDGET_MAX = 3_000_000
"""A walk may visit ``_NODE_BUDGET_BASE`` nodes plus one per byte of input, at most ``_NODE_BUDGET_MAX``.
Aliases legitimately repeat a block a few times (real files use 0.13 visits per byte at most); an alias
bomb repeats it exponentially and hits the budget within a second or two."""

_CHAR_BUDGET_BASE = 16 * 1024 * 1024
_CHAR_BUDGET_PER_BYTE = 8
"""A walk may also visit ``_CHAR_BUDGET_BASE`` characters of scalars plus 8 per byte of input. Counting
nodes alone lets a few aliases of one 10 KB string through 300,000 times: 3 GB of values for a 14 KB
file once anything copies them (issue 15)."""

Pos = tuple[str, int]
"""(file, 1-based line)."""


class YMap(dict[str, Any]):
    """A YAML mapping with string keys; ``pos`` is where it starts, ``key_pos[k]`` where ``k`` is written."""

    __slots__ = ("key_pos", "pos")

    def __init__(self, pos: Pos = ("", 0)) -> None:
        super().__init__()
        self.pos = pos
        self.key_pos: dict[str, Pos] = {}

    def put(self, key: str, value: Any, pos: Pos) -> None:
        self[key] = value
        self.key_pos[key] = pos

    def where(self, key: str) -> Pos:
        return self.key_pos.get(key, self.pos)


class YSeq(list[Any]):
    """A YAML sequence; ``pos`` is where it starts, ``item_pos[i]`` where item ``i`` is written."""

    __slots__ = ("item_pos", "pos")

    def __init__(self, pos: Pos = ("", 0)) -> None:
        super().__init__()
        self.pos = pos
        self.item_pos: list[Pos] = []

    def put(self, value: Any, pos: Pos) -> None:
        self.append(value)
        self.item_pos.append(pos)

    def where(self, index: int) -> Pos:
        return self.item_pos[index] if 0 <= index < len(self.item_pos) else self.pos


class _Reset:
    """The value of a ``!reset`` node: removes what earlier files set at this place."""

    _instance: _Reset | None = None

    def __new__(cls) -> _Reset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "RESET"


RESET = _Reset()


class Override:
    """The value of an ``!override`` node: replaces what earlier files set instead of merging with it."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"Override({self.value!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Override) and other.value == self.value

    __hash__ = None  # type: ignore[assignment]


# ------------------------------------------------------------------------------------------------ reading


def read_text(path: str, what: str = "file") -> str:
    """The text of a file, or an InputError: missing, a directory, too large, binary, not UTF-8."""
    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        raise InputError(path, f"{what} not found") from None
    except OSError as e:
        raise InputError(path, f"cannot read {what}: {e.strerror or e}") from None
    if os.path.isdir(path):
        raise InputError(path, f"is a directory, not a {what}")
    if size > MAX_FILE_BYTES:
        raise InputError(path, f"file too large ({size // (1024 * 1024)} MB; the limit is 20 MB)")
    try:
        # A regular file only (a FIFO would block open() for ever), read with a hard limit.
        data = read_regular(path, MAX_FILE_BYTES)
    except NotRegularFileError:
        raise InputError(path, NOT_REGULAR) from None
    except OSError as e:
        raise InputError(path, f"cannot read {what}: {e.strerror or e}") from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError(path, "file too large (more than 20 MB)")
    if b"\0" in data:
        raise InputError(path, "not a UTF-8 text file (it contains NUL bytes)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise InputError(path, "not a UTF-8 text file", line) from None
    return text[1:] if text.startswith("\ufeff") else text


# --------------------------------------------------------------------------------------- YAML 1.2 loader


_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc]
    """Composes nodes only; resolves plain scalars with the YAML 1.2 core schema (as go-yaml v3 does)."""

    # A fresh table: PyYAML's own resolvers implement YAML 1.1 (yes/no booleans, base-60 integers).
    yaml_implicit_resolvers: ClassVar[dict[str | None, list[tuple[str, re.Pattern[str]]]]] = {}


def _add_resolver(tag: str, pattern: str, first: str) -> None:
    regexp = re.compile(pattern, re.X)
    for ch in first or [None]:
        _Loader.yaml_implicit_resolvers.setdefault(ch, []).append((tag, regexp))


_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"

_add_resolver(_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF")
_add_resolver(_NULL, r"^(?:~|null|Null|NULL|)$", "~nN")
_Loader.yaml_implicit_resolvers.setdefault("", []).append((_NULL, re.compile(r"^$")))
_add_resolver(
    _INT,
    r"""^(?:[-+]?[0-9][0-9_]*
    |0o[0-7_]+
    |0x[0-9a-fA-F_]+
    |0b[01_]+)$""",
    "-+0123456789",
)
_add_resolver(
    _FLOAT,
    r"""^(?:[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    "-+0123456789.",
)
_add_resolver(_MERGE, r"^(?:<<)$", "<")


def _int(text: str) -> int | str:
    t = text.replace("_", "")
    sign = -1 if t.startswith("-") else 1
    body = t.lstrip("+-")
    try:
        if body[:2] in ("0o", "0x", "0b"):
            return sign * int(body, 0)
        if len(body) > 1 and body.startswith("0") and body.isdigit():
            # go-yaml v3 parses with strconv.ParseInt(s, 0, 64): a leading 0 means octal.
            return sign * int(body, 8)
        return sign * int(body, 10)
    except ValueError:
        return text


def _float(text: str) -> float:
    t = text.replace("_", "").lower()
    if t.endswith("inf"):
        return float("-inf") if t.startswith("-") else float("inf")
    if t.endswith("nan"):
        return float("nan")
    return float(t)


def _short(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "...")


def compose_documents(text: str, file: str) -> list[Node]:
    """Compose every YAML document in ``text`` into a node graph (no values built yet)."""
    entries = text.count("\n") + text.count(",")
    if entries > MAX_ENTRIES:
        raise InputError(
            file, f"too large for a compose file ({entries} lines and list items; the limit is {MAX_ENTRIES})"
        )
    loader = _Loader(text)
    try:
        docs: list[Node] = []
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                docs.append(node)
        return docs
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else 0
        problem = " ".join(str(e.problem or "syntax error").split())
        context = " ".join(str(e.context).split()) if e.context else ""
        raise InputError(
            file, f"invalid YAML: {problem}" + (f" ({context})" if context else ""), line
        ) from None
    except yaml.YAMLError as e:
        # A ReaderError (a control character libyaml refuses) carries a position, not a mark.
        position = getattr(e, "position", None)
        line = text.count("\n", 0, position) + 1 if isinstance(position, int) else 0
        reason = getattr(e, "reason", None) or str(e)
        raise InputError(file, f"invalid YAML: {' '.join(str(reason).split())}", line) from None
    finally:
        loader.dispose()


def scalar_text(node: Node | None) -> str | None:
    """The text of a scalar node, or None for anything else."""
    if isinstance(node, ScalarNode):
        value: str = node.value
        return value
    return None


# ------------------------------------------------------------------------------------------------ walking


class _TooManyNodes(Exception):
    pass


class _Walker:
    """Turns a node graph into YMap/YSeq values, applying merge keys, tags and string interpolation."""

    __slots__ = ("budget", "chars", "file", "interp", "tagged")

    def __init__(self, file: str, interp: Callable[[str, int], str] | None, budget: int, chars: int) -> None:
        self.file = file
        self.interp = interp
        self.budget = budget
        self.chars = chars
        self.tagged = False

    def value(self, node: Node) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise _TooManyNodes
        cls = node.__class__
        tag = node.tag
        if cls is ScalarNode:
            text: str = node.value
            self.chars -= len(text)
            if self.chars < 0:
                raise _TooManyNodes
            if "\0" in text:
                # A "\0" escape: no name, command, path or variable can hold one (they are C strings in
                # the engine and the kernel), and Graphviz or a terminal would choke on it later.
                raise InputError(self.file, "a string holds a NUL character", node.start_mark.line + 1)
            if tag == _STR:
                if self.interp is not None and "$" in text:
                    return self.interp(text, node.start_mark.line + 1)
                return text
            if tag == _INT:
                return _int(text)
            if tag == _NULL:
                return None
            if tag == _BOOL:
                return text in ("true", "True", "TRUE")
            if tag == _FLOAT:
                try:
                    return _float(text)
                except ValueError:
                    # Only an explicit tag gets here (the resolver gives plain scalars !!float when they
                    # match); go-yaml v3 refuses it too.
                    raise InputError(
                        self.file, f"cannot decode {_short(text)} as a !!float", node.start_mark.line + 1
                    ) from None
            if tag == "!reset":
                self.tagged = True
                return RESET
            if tag == "!override":
                self.tagged = True
                return Override(self._string(text, node))
            return self._string(text, node)
        if tag == "!reset":
            self.tagged = True
            return RESET
        m: YMap | YSeq
        if isinstance(node, MappingNode):
            m = self.mapping(node)
        elif isinstance(node, SequenceNode):
            m = self.sequence(node)
        else:  # pragma: no cover - the composer makes no other kind
            raise InputError(self.file, "unsupported YAML node", node.start_mark.line + 1)
        if tag == "!override":
            self.tagged = True
            return Override(m)
        return m

    def _string(self, text: str, node: Node) -> str:
        if self.interp is not None and "$" in text:
            return self.interp(text, node.start_mark.line + 1)
        return text

    def mapping(self, node: MappingNode) -> YMap:
        file = self.file
        m = YMap((file, node.start_mark.line + 1))
        key_pos = m.key_pos
        merges: list[Node] = []
        for knode, vnode in node.value:
            if knode.tag == _MERGE:
                merges.append(vnode)
                continue
            if knode.__class__ is not ScalarNode:
                raise InputError(file, "a mapping key must be a scalar", knode.start_mark.line + 1)
            key: str = knode.value
            line = knode.start_mark.line + 1
            if key in m:
                # go-yaml v3 (compose-go) refuses duplicate keys; PyYAML would silently keep the last one.
                raise InputError(file, f'mapping key "{key}" already defined at line {key_pos[key][1]}', line)
            self.budget -= 1
            m[key] = self.value(vnode)
            key_pos[key] = (file, line)
        if merges:
            self._merge_into(m, merges)
        return m

    def _merge_into(self, m: YMap, merges: list[Node]) -> None:
        sources: list[Node] = []
        for vnode in merges:
            if vnode.__class__ is SequenceNode:
                sources.extend(vnode.value)
            else:
                sources.append(vnode)
        for src in sources:
            if src.__class__ is not MappingNode:
                raise InputError(
                    self.file,
                    "a merge key (<<) needs a mapping or a list of mappings",
                    src.start_mark.line + 1,
                )
            merged = self.mapping(src)
            for k, v in merged.items():
                # Explicit keys win over merged ones, earlier merged mappings over later ones.
                if k not in m:
                    m[k] = v
                    m.key_pos[k] = merged.key_pos[k]

    def sequence(self, node: SequenceNode) -> YSeq:
        file = self.file
        s = YSeq((file, node.start_mark.line + 1))
        append = s.append
        item_pos = s.item_pos.append
        for item in node.value:
            v = self.value(item)
            if v is RESET:
                continue
            append(v)
            item_pos((file, item.start_mark.line + 1))
        return s


def to_data(
    node: Node,
    file: str,
    interp: Callable[[str, int], str] | None = None,
    *,
    size_hint: int = 0,
) -> tuple[Any, bool]:
    """Build the value of a composed document.

    ``interp(text, line)`` is applied to every string scalar that contains ``$`` (never to keys); it raises
    InputError itself. ``size_hint`` (the text's length) raises the node budget for larger files. Returns the
    value and whether ``!reset``/``!override`` tags occurred in it.
    """
    walker = _Walker(
        file,
        interp,
        min(_NODE_BUDGET_BASE + size_hint, _NODE_BUDGET_MAX),
        _CHAR_BUDGET_BASE + _CHAR_BUDGET_PER_BYTE * size_hint,
    )
    try:
        value = walker.value(node)
    except _TooManyNodes:
        raise InputError(
            file,
            "the YAML document expands to too many nodes or too much text (an alias bomb?)",
            node.start_mark.line + 1,
        ) from None
    except RecursionError:
        raise InputError(file, "the YAML document is nested too deeply", node.start_mark.line + 1) from None
    return value, walker.tagged
