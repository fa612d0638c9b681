"""The haproxy.cfg language: lines of words grouped in sections, as HAProxy 2.6 reads it
(https://docs.haproxy.org/2.6/configuration.html#2.2, ``parse_line()`` in ``src/tools.c``):

* one statement per line; words are separated by spaces or tabs; ``#`` starts a comment outside quotes;
* a backslash escapes the next character (``\\ `` is a space inside a word, ``\\#`` a hash);
* double quotes group words and expand environment variables (``"${APP}:3000"``, ``"$APP"``); single
  quotes group without expansion; a variable outside quotes is expanded too (2.6 expands ``$VAR`` and
  ``${VAR}`` wherever they are not in single quotes, measured with ``haproxy -c``);
* a section starts with its keyword (``global``, ``defaults``, ``frontend NAME``, ``backend NAME``,
  ``listen NAME``, ``resolvers NAME``...) and lasts until the next one.

Several ``-f`` files (or every ``*.cfg`` of a ``-f`` directory, in name order) are read as one text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from dockernet.dialects.base import NOT_REGULAR, ConfigTree, NotRegularFileError
from dockernet.errors import InputError
from dockernet.model import Loc

SECTIONS = frozenset(
    {
        "global",
        "defaults",
        "frontend",
        "backend",
        "listen",
        "resolvers",
        "peers",
        "userlist",
        "mailers",
        "program",
        "http-errors",
        "ring",
        "cache",
        "log-forward",
        "fcgi-app",
        "traces",
    }
)
"""The section keywords of HAProxy 2.6 (``cfg_register_section`` calls in its source)."""

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:\[[^\]]*\])?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class Line:
    """One statement: its words (quotes and escapes removed, variables expanded) and where it is."""

    words: tuple[str, ...]
    loc: Loc
    written: str
    """The line as written, for messages (without the comment)."""
    variables: tuple[str, ...] = ()
    """Environment variables it expanded."""

    @property
    def keyword(self) -> str:
        return self.words[0]

    @property
    def args(self) -> tuple[str, ...]:
        return self.words[1:]


@dataclass
class Section:
    """One section: its keyword, its name (empty for ``global``; ``defaults`` may have none), its lines."""

    kind: str
    name: str
    loc: Loc
    lines: list[Line] = field(default_factory=list)

    def all(self, keyword: str) -> list[Line]:
        """The section's lines with that keyword, in order."""
        return [ln for ln in self.lines if ln.keyword == keyword]


@dataclass
class Loaded:
    """Every section of the configuration, in file order, and the files read (container path -> display)."""

    sections: list[Section]
    files: dict[str, str]
    redact: dict[str, str] = field(default_factory=dict)
    """Values substituted from the environment, each with what was written in its place."""


def split(text: str, env: Mapping[str, str]) -> tuple[list[str], list[str], dict[str, str]] | None:
    """The words of one line, the variables expanded, and value -> written for secrets; None when the
    line has an unterminated quote."""
    words: list[str] = []
    used: list[str] = []
    redact: dict[str, str] = {}
    cur: list[str] = []
    started = False
    quote = ""
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and quote != "'" and i + 1 < len(text):
            cur.append(text[i + 1])
            started = True
            i += 2
            continue
        if quote:
            if c == quote:
                quote = ""
                i += 1
                continue
            if quote == '"' and c == "$":
                i = _expand(text, i, env, cur, used, redact)
                continue
            cur.append(c)
            i += 1
            continue
        if c in "\"'":
            quote = c
            started = True
            i += 1
            continue
        if c == "#":
            break
        if c in " \t":
            if started:
                words.append("".join(cur))
                cur, started = [], False
            i += 1
            continue
        if c == "$":
            started = True
            i = _expand(text, i, env, cur, used, redact)
            continue
        cur.append(c)
        started = True
        i += 1
    if quote:
        return None
    if started:
        words.append("".join(cur))
    return words, used, redact


def _expand(
    text: str, i: int, env: Mapping[str, str], cur: list[str], used: list[str], redact: dict[str, str]
) -> int:
    m = _VAR.match(text, i)
    if m is None:
        cur.append("$")
        return i + 1
    name = m.group(1) or m.group(2)
    value = env.get(name, "")
    used.append(name)
    if value:
        redact[value] = m.group(0)
    cur.append(value)
    return m.end()


def load(entries: list[str], tree: ConfigTree, env: Mapping[str, str]) -> Loaded | str:
    """The sections of the files at ``entries`` (container paths, a directory loads its ``*.cfg``), or
    why they cannot be read (a file inside the image). Raises :class:`InputError` for a file HAProxy
    would refuse to open or a line it cannot split."""
    sections: list[Section] = []
    files: dict[str, str] = {}
    redact: dict[str, str] = {}
    paths: list[str] = []
    for entry in entries:
        found = _read(tree, entry)
        if found is None:
            listed = tree.glob(entry.rstrip("/") + "/*.cfg")
            if listed:
                paths.extend(listed)
                continue
            return f"{entry} is not visible"
        paths.append(entry)
    current: Section | None = None
    for path in paths:
        found = _read(tree, path)
        if found is None:
            return f"{path} is not visible"
        display, data = found
        files[path] = display
        text = data.decode("utf-8", errors="replace")
        for number, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            parsed = split(raw.strip(), env)
            loc = Loc(display, number)
            if parsed is None:
                raise InputError(display, "unmatched quote (HAProxy refuses the file)", number)
            words, used, found_redact = parsed
            redact.update(found_redact)
            if not words:
                continue
            line = Line(tuple(words), loc, raw.split("#", 1)[0].strip(), tuple(used))
            if words[0] in SECTIONS:
                current = Section(words[0], words[1] if len(words) > 1 else "", loc, [])
                sections.append(current)
            elif current is not None:
                current.lines.append(line)
            else:
                raise InputError(
                    display, f"unknown keyword '{words[0]}' out of section (HAProxy refuses the file)", number
                )
    return Loaded(sections, files, redact)


def _read(tree: ConfigTree, path: str) -> tuple[str, bytes] | None:
    try:
        return tree.read(path)
    except IsADirectoryError:
        return None
    except NotRegularFileError as e:
        raise InputError(str(e.filename or path), NOT_REGULAR) from e
    except OSError as e:
        raise InputError(str(e.filename or path), str(e.strerror or e)) from e
