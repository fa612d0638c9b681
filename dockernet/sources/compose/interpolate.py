"""Compose variable interpolation and ``.env`` parsing, as compose-go does them.

Interpolation follows the compose specification
(https://github.com/compose-spec/compose-spec/blob/main/12-interpolation.md) and compose-go's ``template``
package, which is what ``docker compose`` runs:

* ``$VAR`` and ``${VAR}``; names are ``[_a-zA-Z][_a-zA-Z0-9]*``.
* ``${VAR:-default}`` (unset or empty), ``${VAR-default}`` (unset), ``${VAR:+alt}`` (set and non-empty),
  ``${VAR+alt}`` (set), ``${VAR:?msg}`` / ``${VAR?msg}`` (an error when unset [or empty]); the default and
  alternative values are themselves interpolated, so ``${A:-${B:-x}}`` nests.
* ``$$`` is a literal ``$`` (the container sees one ``$``; ``docker compose config`` prints ``$$`` again).
* A ``$`` not followed by a name or ``{`` stays as it is; ``${`` followed by anything that is not a valid
  expression is an error ("Invalid template"), as in compose-go.

The ``.env`` syntax follows compose-go's ``dotenv`` parser (a fork of godotenv): ``KEY=value``,
``KEY: value``, an optional ``export`` prefix, ``#`` comments (inline only after a space in unquoted
values), single quotes (literal), double quotes (escapes like ``\\n``, then interpolation), unquoted values
interpolated, and a bare ``KEY`` that inherits the value of the environment.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

__all__ = [
    "DotenvError",
    "InterpolationError",
    "Substituter",
    "parse_dotenv",
]

_NAME = re.compile(r"[_a-zA-Z][_a-zA-Z0-9]*")
_OPS = (":?", "?", ":-", "-", ":+", "+")
_DQ_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "c": "",  # Go's strconv rejects \c; compose-go's regex accepts it. It never reaches a user twice.
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    '"': '"',
    "\\": "\\",
}


class InterpolationError(Exception):
    """A template cannot be substituted: a required variable is missing, or the template is malformed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Substituter:
    """Substitutes variables from one environment and remembers the variables that were not set.

    ``lookup`` returns the value or None when the variable is unset (an empty string is a set value).
    """

    __slots__ = ("depth", "lookup", "produced", "unset")

    MAX_DEPTH = 32
    """Nesting of ``${A:-${B:-...}}`` beyond this is refused: each level rescans the rest of the value."""

    MAX_VALUE_CHARS = 1024 * 1024
    """An interpolated value longer than this is refused. Variables that double each other (``B=$A$A``,
    ``C=$B$B``...) reach gigabytes in 40 lines; no real value comes near a megabyte (Linux caps one
    environment string at 128 KB, ``MAX_ARG_STRLEN``)."""

    MAX_TOTAL_CHARS = 64 * 1024 * 1024
    """All the values one substituter produces, together: a file that repeats a large variable in many
    places (or through YAML aliases) is refused before it fills memory."""

    def __init__(self, lookup: Callable[[str], str | None]) -> None:
        self.lookup = lookup
        self.depth = 0
        self.produced = 0
        self.unset: list[str] = []
        """Variables used without a default while unset, first seen first (compose warns about each)."""

    @classmethod
    def from_mapping(cls, env: Mapping[str, str]) -> Substituter:
        return cls(env.get)

    def __call__(self, template: str) -> str:
        """The template with every variable substituted. Raises InterpolationError."""
        if "$" not in template:
            return template
        value = self._substitute(template)
        self.produced += len(value)
        if self.produced > self.MAX_TOTAL_CHARS:
            raise InterpolationError(
                f"variables expand to more than {self.MAX_TOTAL_CHARS // (1024 * 1024)} MB of text in all"
            )
        return value

    def _value(self, name: str) -> str:
        value = self.lookup(name)
        if value is None:
            if name not in self.unset:
                self.unset.append(name)
            return ""
        return value

    def _substitute(self, s: str) -> str:
        self.depth += 1
        try:
            if self.depth > self.MAX_DEPTH:
                raise InterpolationError(f"variables nested more than {self.MAX_DEPTH} levels deep")
            return self._substitute_level(s)
        finally:
            self.depth -= 1

    def _substitute_level(self, s: str) -> str:
        out: list[str] = []
        size = 0
        limit = self.MAX_VALUE_CHARS
        i = 0
        n = len(s)
        while True:
            j = s.find("$", i)
            if j < 0:
                out.append(s[i:])
                break
            out.append(s[i:j])
            size += j - i
            if j + 1 >= n:
                out.append("$")
                break
            c = s[j + 1]
            if c == "$":
                out.append("$")
                size += 1
                i = j + 2
                continue
            if c == "{":
                close = _closing_brace(s, j + 1)
                if close < 0:
                    raise InterpolationError(f"invalid template: {_short(s)} (no closing brace)")
                piece = self._braced(s[j + 2 : close], s)
                i = close + 1
            else:
                m = _NAME.match(s, j + 1)
                if m is None:
                    # compose-go's pattern does not match "$" before e.g. a digit or a space: kept literally.
                    piece = "$"
                    i = j + 1
                else:
                    piece = self._value(m.group())
                    i = m.end()
            out.append(piece)
            size += len(piece)
            if size > limit:
                # Checked as the value grows, so that a value never holds more than the cap plus one piece.
                raise InterpolationError(
                    f"an interpolated value is longer than {limit // 1024} KB"
                    " (variables that repeat each other?)"
                )
        return "".join(out)

    def _braced(self, inner: str, template: str) -> str:
        m = _NAME.match(inner)
        if m is None:
            raise InterpolationError(f"invalid template: {_short(template)}")
        name = m.group()
        rest = inner[m.end() :]
        if not rest:
            return self._value(name)
        for op in _OPS:
            if rest.startswith(op):
                arg = rest[len(op) :]
                break
        else:
            raise InterpolationError(f"invalid template: {_short(template)}")
        value = self.lookup(name)
        if op == ":-":
            return value if value else self._substitute(arg)
        if op == "-":
            return self._substitute(arg) if value is None else value
        if op == ":+":
            return self._substitute(arg) if value else ""
        if op == "+":
            return self._substitute(arg) if value is not None else ""
        # ":?" and "?": the message is printed as written, like compose-go's MissingRequiredError.
        if value is None or (op == ":?" and not value):
            if arg:
                raise InterpolationError(f"required variable {name} is missing a value: {arg}")
            raise InterpolationError(f"required variable {name} is missing a value")
        return value


_BRACES = re.compile(r"[{}]")
_MAX_BRACE_DEPTH = 64


def _closing_brace(s: str, start: int) -> int:
    """Index of the brace that closes the one at ``start`` (compose-go's getFirstBraceClosingIndex)."""
    depth = 0
    for m in _BRACES.finditer(s, start):
        if m.group() == "{":
            depth += 1
            if depth > _MAX_BRACE_DEPTH:
                raise InterpolationError(f"braces nested more than {_MAX_BRACE_DEPTH} levels deep")
        else:
            depth -= 1
            if depth == 0:
                return m.start()
    return -1


def _short(template: str) -> str:
    """The template for an error message, cut to a readable length."""
    return repr(template if len(template) <= 80 else template[:77] + "...")


class DotenvError(Exception):
    """A ``.env`` file cannot be parsed; ``line`` is 1-based."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


_KEY_CHAR = re.compile(r"[\w.\-\[\]]")


def parse_dotenv(text: str, lookup: Callable[[str], str | None]) -> dict[str, tuple[str, int]]:
    """Parse ``.env`` text into ``{key: (value, line)}``.

    ``lookup`` resolves variables referenced in values (and bare ``KEY`` lines) before the keys defined
    earlier in the same file, as compose-go's ``dotenv.ParseWithLookup`` does. Raises DotenvError.
    """
    result: dict[str, tuple[str, int]] = {}

    def look(name: str) -> str | None:
        value = lookup(name)
        if value is not None:
            return value
        own = result.get(name)
        return own[0] if own is not None else None

    expand = Substituter(look)
    pos = 0
    line = 1
    n = len(text)
    while pos < n:
        eol = text.find("\n", pos)
        if eol < 0:
            eol = n
        raw = text[pos:eol]
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            pos = eol + 1
            line += 1
            continue
        start_line = line
        if stripped.startswith(("export ", "export\t")):
            stripped = stripped[7:].lstrip(" \t")
        key_end = -1
        for idx, ch in enumerate(stripped):
            if ch in "=:":
                key_end = idx
                break
            if ch not in " \t" and not _KEY_CHAR.match(ch):
                raise DotenvError(f"unexpected character {ch!r} in variable name", start_line)
        if key_end < 0:
            # A bare KEY inherits its value from the environment (compose-go: "inherited").
            inherited = lookup(stripped)
            if inherited is not None:
                result[stripped] = (inherited, start_line)
            pos = eol + 1
            line += 1
            continue
        key = stripped[:key_end].strip()
        if not key:
            raise DotenvError("missing variable name", start_line)
        # The value starts after the first separator of the line (the key and "export" contain none); a
        # quoted value may span lines, so it is read from the text itself.
        vstart = pos + min(i for i in (raw.find("="), raw.find(":")) if i >= 0) + 1
        while vstart < eol and text[vstart] in " \t":
            vstart += 1
        quote = text[vstart] if vstart < eol else ""
        if quote in ("'", '"'):
            value, end = _quoted(text, vstart, quote, key, start_line)
            if quote == '"':
                try:
                    value = expand(_expand_escapes(value))
                except InterpolationError as e:
                    raise DotenvError(e.message, start_line) from e
            line += text.count("\n", vstart, end)
            nl = text.find("\n", end)
            pos = n if nl < 0 else nl + 1
        else:
            value_text = text[vstart:eol].split(" #", 1)[0].rstrip()
            try:
                value = expand(value_text)
            except InterpolationError as e:
                raise DotenvError(e.message, start_line) from e
            pos = eol + 1
        line += 1
        result[key] = (value, start_line)
    return result


def _quoted(text: str, start: int, quote: str, key: str, line: int) -> tuple[str, int]:
    """The raw content of the quoted value opening at ``start`` and the index of its closing quote."""
    chars: list[str] = []
    escaped = False
    for k in range(start + 1, len(text)):
        ch = text[k]
        if ch != quote:
            if not escaped and ch == "\\":
                escaped = True
                continue
            if escaped:
                escaped = False
                chars.append("\\")
            chars.append(ch)
            continue
        if escaped:
            escaped = False
            chars.append(ch)
            continue
        return "".join(chars), k
    raise DotenvError(f"unterminated quoted value for {key}", line)


_ESCAPE = re.compile(r"\\([abcfnrtv$\"\\]|0[0-7]{0,3})")


def _expand_escapes(value: str) -> str:
    def repl(m: re.Match[str]) -> str:
        seq = m.group(1)
        if seq == "$":
            return "$$"  # kept literal by the interpolation that follows
        if seq[0] == "0":
            return chr(int(seq, 8)) if len(seq) > 1 else "\0"
        return _DQ_ESCAPES[seq]

    return _ESCAPE.sub(repl, value)
