"""The Caddyfile's block structure, after Caddy's ``caddyconfig/caddyfile/parse.go``: the global options
block, snippets ``(name) { ... }``, site blocks (addresses, then directives), and ``import`` of snippets
and files, expanded where Caddy expands them (at the start of a line), with ``{args[N]}`` replaced.

Files are read through a :class:`~dockernet.dialects.base.ConfigTree` (container paths); a relative import
is taken from the directory of the importing file, and a glob may match nothing
(https://caddyserver.com/docs/caddyfile/directives/import). Errors are :class:`~dockernet.errors.InputError`
at the file and line Caddy names, with Caddy's wording.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from dockernet.dialects.base import ConfigTree
from dockernet.dialects.caddy.lexer import LexError, Token, Vanished, tokenize
from dockernet.errors import InputError

MAX_FILE = 5 * 1024 * 1024
"""Largest Caddyfile read (bytes)."""
MAX_IMPORTS = 500
"""Most imports expanded in one load."""
MAX_DEPTH = 100
"""Deepest nesting of blocks (Caddy has none; real Caddyfiles stay under 5)."""
_ARGS = re.compile(r"\{args\[(\d+)\]\}|\{args\.(\d+)\}")


@dataclass(frozen=True)
class Directive:
    """One directive with its arguments and, if it opens one, its block of sub-directives."""

    name: Token
    args: tuple[Token, ...]
    block: tuple[Directive, ...] | None = None


@dataclass(frozen=True)
class Block:
    """A site block (or the global options block, which has no keys)."""

    keys: tuple[Token, ...]
    body: tuple[Directive, ...]
    line: int
    file: str


@dataclass
class Loaded:
    """A whole Caddyfile, imports expanded."""

    blocks: list[Block]
    files: dict[str, str] = field(default_factory=dict)
    """Container path -> path to show, in load order."""
    vanished: list[tuple[str, Vanished]] = field(default_factory=list)
    """(container path, placeholder) for every ``{$NAME}`` that became nothing."""

    @property
    def options(self) -> Block | None:
        """The global options block: a first block with no keys."""
        return self.blocks[0] if self.blocks and not self.blocks[0].keys else None

    @property
    def sites(self) -> list[Block]:
        return [b for b in self.blocks if b.keys]


class _Reader:
    def __init__(self, tree: ConfigTree, env: Mapping[str, str | None], loaded: Loaded) -> None:
        self.tree, self.env, self.loaded, self.imports = tree, env, loaded, 0
        self.graph: dict[str, set[str]] = {}
        """The import graph (files and snippets), to refuse a cycle as Caddy does."""

    def add_edge(self, at: Token, source: str, target: str) -> None:
        """``source`` imports ``target``; a cycle is Caddy's error."""
        seen, todo = set(), [target]
        while todo:
            node = todo.pop()
            if node == source:
                raise self.fail(at, f"a cycle of imports exists between {source} and {target}")
            if node not in seen:
                seen.add(node)
                todo.extend(self.graph.get(node, ()))
        self.graph.setdefault(source, set()).add(target)

    def display(self, path: str) -> str:
        return self.loaded.files.get(path, path)

    def fail(self, tok: Token, message: str) -> InputError:
        return InputError(self.display(tok.file), message, tok.line)

    def file_tokens(self, path: str, by: Token | None) -> list[Token]:
        try:
            found = self.tree.read(path)
        except OSError as e:
            if by is None:
                raise InputError(path, e.strerror or str(e)) from None
            raise self.fail(by, f"Could not import {path}: {e.strerror or e}") from None
        if found is None:
            if by is None:
                raise InputError(path, "the Caddyfile is not visible from this machine")
            raise self.fail(by, f"File to import not found: {path} (not visible from this machine)")
        display, data = found
        if len(data) > MAX_FILE:
            raise InputError(display, f"file too large (over {MAX_FILE // (1024 * 1024)} MB)")
        if b"\0" in data:
            raise InputError(display, "not a text file (it contains NUL bytes)")
        self.loaded.files.setdefault(path, display)
        try:
            tokens, vanished = tokenize(data.decode("utf-8", errors="replace"), path, self.env)
        except LexError as e:
            raise InputError(display, str(e), e.line) from None
        self.loaded.vanished.extend((path, v) for v in vanished)
        return tokens


def load(entry: str, tree: ConfigTree, env: Mapping[str, str | None]) -> Loaded:
    """The Caddyfile at container path ``entry``, imports expanded; raises InputError where Caddy stops."""
    loaded = Loaded(blocks=[])
    reader = _Reader(tree, env, loaded)
    tokens = reader.file_tokens(entry, None)
    _Parser(reader, tokens).parse_all()
    return loaded


def _new_line(tokens: list[Token], i: int) -> bool:
    """Caddy's ``isNewLine``: the token starts a line, or another file or snippet (an import's first token
    starts a line of its own)."""
    if i == 0:
        return True
    prev, tok = tokens[i - 1], tokens[i]
    if prev.file != tok.file or prev.origin != tok.origin:
        return True
    return tok.line > prev.line + prev.breaks or tok.line < prev.line


class _Parser:
    def __init__(self, reader: _Reader, tokens: list[Token]) -> None:
        self.r, self.t, self.i = reader, tokens, 0
        self.snippets: dict[str, tuple[str, list[Token]]] = {}
        """name -> (the file that defines it, its tokens)."""
        self.depth = 0

    def parse_all(self) -> None:
        while self.i < len(self.t):
            block = self.block()
            if block is not None and (block.keys or block.body or not self.r.loaded.blocks):
                self.r.loaded.blocks.append(block)

    def expand_import(self) -> None:
        """Replace the ``import`` at ``self.i`` (and its arguments) by what it names."""
        at = self.t[self.i]
        end = self.i + 1
        while end < len(self.t) and not _new_line(self.t, end):
            end += 1
        args = self.t[self.i + 1 : end]
        if not args:
            raise self.r.fail(at, "Wrong argument count or unexpected line ending after 'import'")
        self.r.imports += 1
        if self.r.imports > MAX_IMPORTS:
            raise self.r.fail(at, f"more than {MAX_IMPORTS} imports: a cycle of imports exists")
        pattern = args[0].text
        source = at.origin or at.file
        if pattern in self.snippets:
            node = f"{self.r.display(self.snippets[pattern][0])}:{pattern}"
            self.r.add_edge(at, source, node)
            got = [replace(t, origin=node) for t in self.snippets[pattern][1]]
        else:
            got = self.import_files(at, pattern, source)
        values = [a.text for a in args[1:]]
        self.t[self.i : end] = [_with_args(tok, values) for tok in got]

    def import_files(self, at: Token, pattern: str, source: str) -> list[Token]:
        path = pattern if pattern.startswith("/") else posixpath.join(posixpath.dirname(at.file), pattern)
        path = posixpath.normpath(path)
        if any(c in path for c in "*?["):
            if path.count("*") > 1 or path.count("?") > 1 or ("[" in path and "]" in path):
                raise self.r.fail(
                    at, f"Glob pattern may only contain one wildcard (*), but has others: {path}"
                )
            matches = self.r.tree.glob(path) or []
        else:
            try:
                self.r.tree.read(path)
            except FileNotFoundError:
                raise self.r.fail(at, f"File to import not found: {pattern}") from None
            except OSError:
                pass  # file_tokens names it
            matches = [path]
        out: list[Token] = []
        for m in matches:
            self.r.add_edge(at, source, m)
            out.extend(self.r.file_tokens(m, at))
        return out

    def block(self) -> Block | None:
        start = self.t[self.i]
        keys: list[Token] = []
        expecting = False
        while True:
            tok = self.t[self.i]
            if tok.text == "import" and not tok.quoted and _new_line(self.t, self.i):
                self.expand_import()
                if self.i >= len(self.t):
                    return None
                continue
            if tok.text == "{" and not tok.quoted:
                if expecting:
                    raise self.r.fail(tok, "Expected another address but had '{' - check for extra comma")
                break
            text = tok.text
            if text == "}" and not tok.quoted:
                # Caddy takes a stray "}" for the next site's address, and refuses it.
                raise self.r.fail(tok, "subject does not qualify for certificate: '}'")
            if text:
                expecting = text.endswith(",")
                keys.append(replace(tok, text=text.rstrip(",") if expecting else text))
            self.i += 1
            if self.i >= len(self.t):
                if expecting:
                    raise self.r.fail(tok, "Unexpected EOF")
                return Block(tuple(keys), (), start.line, start.file)
            if not expecting and _new_line(self.t, self.i):
                break
        if len(keys) == 1 and keys[0].text.startswith("(") and keys[0].text.endswith(")"):
            self.snippet(keys[0])
            return None
        if self.i < len(self.t) and self.t[self.i].text == "{" and not self.t[self.i].quoted:
            self.i += 1
            body = self.directives(closing=True, opener=self.t[self.i - 1])
        else:
            body = self.directives(closing=False, opener=start)
        return Block(tuple(keys), tuple(body), start.line, start.file)

    def snippet(self, key: Token) -> None:
        name = key.text[1:-1]
        if name in self.snippets:
            raise self.r.fail(key, f"redeclaration of previously declared snippet {name}")
        if self.i >= len(self.t) or self.t[self.i].text != "{":
            raise self.r.fail(key, "Syntax error: Unexpected token, expecting '{'")
        self.i += 1
        depth, body = 1, list[Token]()
        while self.i < len(self.t):
            tok = self.t[self.i]
            self.i += 1
            if tok.text == "}" and not tok.quoted:
                depth -= 1
                if depth == 0:
                    self.snippets[name] = (key.file, body)
                    return
            elif tok.text == "{" and not tok.quoted:
                depth += 1
            body.append(tok)
        raise self.r.fail(key, "Syntax error: Unexpected EOF, expecting '}'")

    def directives(self, *, closing: bool, opener: Token) -> list[Directive]:
        """Directives until the ``}`` that closes the block (or the end, for a site without braces)."""
        out: list[Directive] = []
        while self.i < len(self.t):
            tok = self.t[self.i]
            if tok.text == "}" and not tok.quoted:
                if not closing:
                    raise self.r.fail(tok, "Unexpected '}' because no matching opening brace")
                self.i += 1
                return out
            if tok.text == "import" and not tok.quoted and _new_line(self.t, self.i):
                self.expand_import()
                continue
            out.append(self.directive())
        if closing:
            raise self.r.fail(self.t[-1] if self.t else opener, "Unexpected EOF")
        return out

    def directive(self) -> Directive:
        name = self.t[self.i]
        self.i += 1
        args: list[Token] = []
        while self.i < len(self.t) and not _new_line(self.t, self.i):
            tok = self.t[self.i]
            if tok.text == "}" and not tok.quoted:
                break
            if tok.text == "{" and not tok.quoted:
                self.i += 1
                self.depth += 1
                if self.depth > MAX_DEPTH:
                    raise self.r.fail(tok, f"blocks nested more than {MAX_DEPTH} deep")
                block = tuple(self.directives(closing=True, opener=tok))
                self.depth -= 1
                return Directive(name, tuple(args), block)
            args.append(tok)
            self.i += 1
        return Directive(name, tuple(args))


def _with_args(tok: Token, values: list[str]) -> Token:
    """A snippet's or imported file's token with ``{args[N]}`` replaced (unknown ones become empty)."""
    if "{args" not in tok.text:
        return tok

    def sub(m: re.Match[str]) -> str:
        n = int(m.group(1) or m.group(2))
        return values[n] if n < len(values) else ""

    return replace(tok, text=_ARGS.sub(sub, tok.text), written=_ARGS.sub(sub, tok.written))
