"""The Caddyfile lexer, after Caddy's own (``caddyconfig/caddyfile/lexer.go`` and ``parse.go`` in
https://github.com/caddyserver/caddy), checked against ``caddy adapt`` 2.11.7 by
``tests/dialects/caddy/test_differential.py``.

* ``{$NAME}`` and ``{$NAME:default}`` are replaced in the whole file before it is split into tokens, with
  the container's environment: a value may hold several tokens, even lines
  (https://caddyserver.com/docs/caddyfile/concepts#environment-variables). Each token remembers what was
  *written* (:attr:`Token.written`), so that messages show ``{$NAME}`` and never the value.
* Tokens are separated by white space; ``"..."`` (with ``\\"``) and ```...``` quote, ``<<MARKER`` opens a
  heredoc, ``#`` at the start of a token comments out the rest of the line, a ``\\`` before the newline
  continues the line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_ENV = re.compile(r"\{\$([^{}]*)\}")


@dataclass(frozen=True)
class Token:
    """One Caddyfile token."""

    text: str
    """After environment substitution and unquoting."""
    line: int
    """1-based line where it starts."""
    file: str
    """The container path of its file."""
    quoted: str = ""
    """The quote that enclosed it (``"``, ````` ``, ``<`` for a heredoc), or empty."""
    written: str = ""
    """The token as written, ``{$NAME}`` placeholders kept (for messages)."""
    breaks: int = 0
    """Line breaks inside the token (a quoted or heredoc token may span lines)."""
    env: tuple[str, ...] = ()
    """The ``{$NAME}`` variables that made it (names only)."""
    unset: tuple[str, ...] = ()
    """Those of them that the environment does not set (and that have no default)."""
    origin: str = ""
    """The snippet (``file:name``) it was imported from, if any: a node of the import graph."""

    @property
    def shown(self) -> str:
        """What messages show: the written form when an environment value went into it."""
        return self.written if self.env else self.text


class LexError(ValueError):
    """A token Caddy's lexer refuses (heredoc errors), with its line."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    written: str
    name: str
    unset: bool


def substitute(text: str, env: Mapping[str, str | None]) -> tuple[str, list[_Span]]:
    """``text`` with ``{$NAME}`` replaced, and where each replacement went."""
    out: list[str] = []
    spans: list[_Span] = []
    pos = 0
    size = 0
    for m in _ENV.finditer(text):
        body = m.group(1)
        if not body:
            continue
        name, sep, default = body.partition(":")
        value = env.get(name)
        unset = value is None and not sep
        if value is None:
            value = default
        literal = text[pos : m.start()]
        out.append(literal)
        size += len(literal)
        out.append(value)
        spans.append(_Span(size, size + len(value), m.group(0), name, unset))
        size += len(value)
        pos = m.end()
    out.append(text[pos:])
    return "".join(out), spans


@dataclass(frozen=True)
class Vanished:
    """A ``{$NAME}`` that became nothing (unset, no default): Caddy sees no token there."""

    line: int
    written: str
    name: str


def tokenize(raw: str, file: str, env: Mapping[str, str | None]) -> tuple[list[Token], list[Vanished]]:
    """The tokens of one file, and the placeholders that vanished."""
    text, spans = substitute(raw, env)
    if text.startswith("\ufeff"):
        text = text[1:]
        spans = [_Span(s.start - 1, s.end - 1, s.written, s.name, s.unset) for s in spans]
    tokens = [_attach(t, text, spans, start, end) for t, start, end in _lex(text, file)]
    vanished = [
        Vanished(text.count("\n", 0, s.start) + 1, s.written, s.name) for s in spans if s.start == s.end
    ]
    return tokens, vanished


def _attach(tok: Token, text: str, spans: list[_Span], start: int, end: int) -> Token:
    """Give a token its written form: the spans of substituted values it overlaps, as written."""
    inside = [
        s for s in spans if (s.start < end and s.end > start) or (s.start == s.end and start < s.start < end)
    ]
    if not inside:
        return Token(
            tok.text, tok.line, file=tok.file, quoted=tok.quoted, written=tok.text, breaks=tok.breaks
        )
    parts: list[str] = []
    pos = start
    for s in inside:
        parts.append(text[pos : max(pos, s.start)])
        parts.append(s.written)
        pos = max(pos, s.end)
    parts.append(text[pos:end])
    written = "".join(parts)
    if tok.quoted in ('"', "`"):
        written = written[1:-1] if len(written) >= 2 else written
    return Token(
        tok.text,
        tok.line,
        file=tok.file,
        quoted=tok.quoted,
        written=written,
        breaks=tok.breaks,
        env=tuple(dict.fromkeys(s.name for s in inside)),
        unset=tuple(dict.fromkeys(s.name for s in inside if s.unset)),
    )


def _lex(text: str, file: str) -> list[tuple[Token, int, int]]:
    """(token, start offset, end offset) for each token, following lexer.go's ``next()``."""
    out: list[tuple[Token, int, int]] = []
    i, n, line, skipped = 0, len(text), 1, 0
    while True:
        val: list[str] = []
        comment = quoted = bt = heredoc = heredoc_escaped = escaped = False
        marker = ""
        tline = line
        start = i
        quote = ""
        done = False
        end = -1
        while i < n:
            ch = text[i]
            i += 1
            if not heredoc and not heredoc_escaped and len(val) > 1 and val[0] == "<" and val[1] == "<":
                if ch == "<":
                    raise LexError("too many '<' for heredoc", line)
                if ch == "\r":
                    continue
                if ch == "\n":
                    heredoc = True
                    marker = "".join(val[2:])
                    skipped += 1
                    val = []
                    continue
                val.append(ch)
                continue
            if heredoc:
                val.append(ch)
                if ch == "\n":
                    skipped += 1
                body = "".join(val)
                if len(body) > len(marker) and body.endswith(marker):
                    last = body.rfind("\n")
                    pad = body[last + 1 : len(body) - len(marker)]
                    lines = body[: last + 1].split("\n")[:-1]
                    for k, ln in enumerate(lines):
                        if not ln.startswith(pad):
                            raise LexError(
                                f"mismatched whitespace in heredoc on line #{k} [{ln}], "
                                f"expected whitespace [{pad}]",
                                tline,
                            )
                    val = list("".join(ln[len(pad) :] + "\n" for ln in lines).replace("\r", ""))
                    line += skipped
                    skipped = 0
                    quote, done = "<", True
                    break
                continue
            if not escaped and not bt and ch == "\\":
                escaped = True
                continue
            if quoted or bt:
                if quoted and escaped:
                    if ch != '"':
                        val.append("\\")
                    escaped = False
                elif (quoted and ch == '"') or (bt and ch == "`"):
                    quote, done = ch, True
                    break
                if ch == "\n":
                    line += 1 + skipped
                    skipped = 0
                val.append(ch)
                continue
            if ch.isspace():
                if ch == "\r":
                    continue
                if ch == "\n":
                    if escaped:
                        skipped += 1
                        escaped = False
                    else:
                        line += 1 + skipped
                        skipped = 0
                    comment = False
                if val:
                    end = i - 1
                    break
                continue
            if ch == "#" and not val:
                comment = True
            if comment:
                continue
            if not val:
                tline = line
                start = i - 1
                if ch == '"':
                    quoted = True
                    continue
                if ch == "`":
                    bt = True
                    continue
            if escaped:
                if ch == "<":
                    heredoc_escaped = True
                else:
                    val.append("\\")
                escaped = False
            val.append(ch)
        if done:
            out.append((_token(val, tline, file, quote), start, i))
        elif end >= 0:
            out.append((_token(val, tline, file, ""), start, end))
        else:
            if val:
                # lexer.go makes a token of what it read at EOF, an unclosed quote's text included
                out.append((_token(val, tline, file, ""), start, i))
            return out


def _token(val: list[str], line: int, file: str, quote: str) -> Token:
    text = "".join(val)
    breaks = text.count("\n") + (1 if quote == "<" else 0)
    return Token(text, line, file=file, quoted=quote, breaks=breaks)
