"""Read nginx configuration files the way nginx itself reads them.

Why not crossplane: the crossplane family on PyPI cannot resolve ``include`` against another file tree (the
files live at container paths, reached through bind mounts and image copies), mis-tokenises some configs
that nginx accepts, and recurses forever on include cycles. This module is small and proven against the real
nginx binary by ``tests/dialects/nginx/test_differential.py``; ``docs/nginx-reader.md`` says what exactly is
proven.

Three layers:

* the tokenizer follows ``ngx_conf_read_token()`` in nginx's ``src/core/ngx_conf_file.c`` byte for byte,
  including its quirks (a ``"`` only opens a quoted string at the start of a token, ``${`` does not end a
  token, a quoted string must be followed by a space, ``;``, ``{`` or ``)``, and any span of 4096 bytes in
  which nginx would not start a new token is "too long"); errors carry nginx's own wording and line;
* the per-file parser builds the block structure; a syntax error becomes a marker at the place nginx
  would stop, so that an error inside an included file is reported before a later error in the includer,
  exactly in nginx's order;
* the loader expands ``include`` through a :class:`ConfigTree` (container paths, not this machine's), with
  nginx's path rules (https://nginx.org/en/docs/ngx_core_module.html#include): relative paths are taken
  from the directory of the main file, globs are sorted like glob(3) and may match nothing.

Bytes are decoded as UTF-8 with ``surrogateescape``: nginx is byte-oriented, so every byte sequence
tokenizes as nginx would, and ``arg.encode("utf-8", "surrogateescape")`` gives back nginx's exact bytes.

Why one module of about 650 lines: the three layers share the error positions and the budgets (markers,
``_Budget``), and the differential test proves them together against ``ngx_conf_file.c``; split, they would
have to pass private state between modules.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from dockernet.dialects.base import ConfigTree
from dockernet.errors import InputError
from dockernet.model import Loc

MAX_FILE = 5 * 1024 * 1024
"""Largest config file read (bytes); real ones are a few KB, mime.types is 5 KB."""
MAX_FILES = 2000
"""Most file inclusions in one load (nginx re-reads a file each time it is included)."""
MAX_TOTAL_BYTES = 64 * 1024 * 1024
"""Most bytes read in one load, over all distinct files."""
MAX_DEPTH = 100
"""Deepest nesting of blocks and includes together (nginx has none; real configs stay under 10)."""
MAX_DIRECTIVES = 100_000
"""Most directives in one load (big bot-blocker maps have ~10,000 entries)."""
MAX_TOKENS = 400_000
DEFAULT_PREFIX = "/etc/nginx"
"""The conf prefix of every official and distribution image (``nginx -V``: ``--conf-path``)."""


@dataclass(frozen=True)
class Directive:
    """One nginx directive, with its block if it has one. Includes are already expanded."""

    name: str
    args: tuple[str, ...]
    loc: Loc
    block: tuple[Directive, ...] | None = None
    end_line: int = field(default=0, compare=False)
    """Where its ``;`` or ``{`` is: the line nginx names in an error about the directive (0: unknown)."""


# ngx_conf_file.c: NGX_CONF_BUFFER. A token (or a comment) must fit in the read buffer.
_CONF_BUFFER = 4096
_SPACE = frozenset(b" \t\r\n")
_LF = 0x0A
_SEMI, _LBRACE, _RBRACE, _HASH, _DQ, _SQ, _RPAREN = (ord(c) for c in ";{}#\"')")
_RE_SPACE = re.compile(rb"[ \t\r\n]+")
# An unquoted token: a backslash protects the next byte, "$" lets "{" through (``${name}``), and it ends at
# whitespace, ";" or "{". "}", quotes and "#" inside a token are ordinary bytes.
_RE_BARE = re.compile(rb"(?:[^\\$ \t\r\n;{]+|\\.|\$\{*)*", re.S)
_RE_QUOTED = {_DQ: re.compile(rb'(?:[^\\"]+|\\.)*', re.S), _SQ: re.compile(rb"(?:[^\\']+|\\.)*", re.S)}
_RE_ESCAPE = re.compile(rb"\\(.)", re.S)
_UNESCAPE = {b'"': b'"', b"'": b"'", b"\\": b"\\", b"t": b"\t", b"r": b"\r", b"n": b"\n"}

# Block directives of the stock modules: ``http;`` is "has no opening "{"". ``server`` is a block in
# http/stream/mail and a simple directive inside ``upstream``.
_BLOCKS = frozenset(
    {
        "events",
        "http",
        "stream",
        "mail",
        "location",
        "upstream",
        "map",
        "geo",
        "types",
        "if",
        "limit_except",
        "split_clients",
        "charset_map",
    }
)
_SERVER_BLOCK_PARENTS = frozenset({"http", "stream", "mail"})
# Common simple directives: ``proxy_pass x {`` is "is not terminated by ";"". Unknown names followed by "{"
# are kept as blocks, because third-party modules add block directives (geoip2, otel_exporter...).
_SIMPLE = frozenset(
    {
        "include",
        "listen",
        "server_name",
        "root",
        "alias",
        "index",
        "return",
        "rewrite",
        "set",
        "try_files",
        "proxy_pass",
        "fastcgi_pass",
        "uwsgi_pass",
        "scgi_pass",
        "grpc_pass",
        "memcached_pass",
        "proxy_set_header",
        "proxy_redirect",
        "add_header",
        "resolver",
        "resolver_timeout",
        "error_page",
        "access_log",
        "error_log",
        "client_max_body_size",
        "keepalive",
        "zone",
        "worker_processes",
        "worker_connections",
        "user",
        "pid",
        "sendfile",
        "default_type",
        "ssl_certificate",
        "ssl_certificate_key",
        "gzip",
        "log_format",
        "expires",
        "deny",
        "allow",
        "auth_basic",
        "proxy_http_version",
        "proxy_read_timeout",
        "proxy_connect_timeout",
        "proxy_send_timeout",
        "proxy_buffering",
        "fastcgi_param",
        "uwsgi_param",
        "scgi_param",
        "internal",
        "charset",
        "server_tokens",
        "keepalive_timeout",
    }
)
# Blocks whose body nginx reads with a custom handler (cf->handler): entries, not directives, and "{"
# inside is "unexpected "{"".
_HANDLER_BLOCKS = frozenset({"types", "map", "geo", "split_clients", "charset_map"})
# Of those, the handlers that do not treat "include" specially (types, map and geo do).
_NO_INCLUDE = frozenset({"split_clients", "charset_map"})


# ------------------------------------------------------------------------------------------ tokenizer


@dataclass(frozen=True)
class Token:
    """One token as nginx reads it."""

    kind: str
    """``word``, or the terminator ``;``, ``{`` or ``}``."""
    value: str
    """The word with nginx's unescaping applied (quotes removed); the terminator itself otherwise."""
    line: int
    """Where the word starts (for a terminator: where it is)."""
    start: int
    """Byte offset of the raw text (quotes included)."""
    end: int


_Event = tuple[str, str, int, int, int]
"""(kind, value or message, line, raw start, raw end); kinds: word ; { } eof err."""


def _show(raw: bytes) -> str:
    """Bytes for an error message, printable on any terminal."""
    return raw.decode("utf-8", errors="backslashreplace")


def _unescape(raw: bytes) -> str:
    # ngx_conf_read_token's copy loop: \" \' \\ lose the backslash, \t \r \n become control bytes, any
    # other backslash is kept as it is.
    if b"\\" in raw:
        raw = _RE_ESCAPE.sub(lambda m: _UNESCAPE.get(m.group(1), m.group(0)), raw)
    return raw.decode("utf-8", errors="surrogateescape")


def _scan(data: bytes) -> Iterator[_Event]:
    """ngx_conf_read_token() over a whole file, as a stream of events; stops after the first error.

    nginx reads the file through a 4096-byte buffer and keeps the bytes from ``start`` on when it refills
    it; when ``start`` has not moved for a whole buffer the parameter is "too long". ``start`` moves at
    every byte read between tokens (spaces included), at the first byte of a token, just after an opening
    quote and just after each ``;`` ``{`` ``}``, but not inside a token or a comment. The refills happen at
    ``start_at_previous_refill + 4096``, so the check below is exact, not an approximation.
    """
    n = len(data)
    line = 1
    start = 0
    start_line = 1
    refill_start = 0
    next_refill = _CONF_BUFFER
    nargs = 0

    def too_long(upto: int, quote: int = 0) -> str | None:
        """Replay the buffer refills that happen before the byte at ``upto`` is read."""
        nonlocal refill_start, next_refill
        while next_refill <= upto and next_refill < n:
            if start == refill_start:
                if quote:
                    return f'too long parameter, probably missing terminating "{chr(quote)}" character'
                return f'too long parameter "{_show(data[start : start + 10])}..." started'
            refill_start = start
            next_refill = start + _CONF_BUFFER
        return None

    def eof(upto: int) -> _Event:
        return (
            "err",
            'unexpected end of file, expecting ";" or "}"',
            line + data.count(b"\n", upto, n),
            0,
            0,
        )

    pos = 0
    while True:
        if pos >= n:
            if next_refill <= n and (msg := too_long(n)) is not None:
                yield ("err", msg, start_line, 0, 0)
                return
            if nargs:
                yield ("err", 'unexpected end of file, expecting ";" or "}"', line, 0, 0)
            else:
                yield ("eof", "", line, n, n)
            return
        ch = data[pos]
        if ch in _SPACE:
            m = _RE_SPACE.match(data, pos)
            assert m is not None
            end = m.end()
            if next_refill <= pos and (msg := too_long(pos)) is not None:
                yield ("err", msg, start_line, 0, 0)
                return
            # Between tokens every byte moves start, so no refill inside the run can fail.
            while next_refill <= end - 1 and next_refill < n:
                refill_start = next_refill - 1
                next_refill = refill_start + _CONF_BUFFER
            line += data.count(b"\n", pos, end)
            start, start_line = end - 1, line
            pos = end
            continue
        if next_refill <= pos and (msg := too_long(pos)) is not None:
            yield ("err", msg, start_line, 0, 0)
            return
        start, start_line = pos, line
        if ch == _HASH:
            end = data.find(b"\n", pos)
            pos = n if end < 0 else end
            continue
        if ch in (_SEMI, _LBRACE):
            if not nargs:
                yield ("err", f'unexpected "{chr(ch)}"', line, 0, 0)
                return
            yield (chr(ch), chr(ch), line, pos, pos + 1)
            nargs = 0
            pos += 1
            start, start_line = pos, line
            continue
        if ch == _RBRACE:
            if nargs:
                yield ("err", 'unexpected "}"', line, 0, 0)
                return
            yield ("}", "}", line, pos, pos + 1)
            pos += 1
            start, start_line = pos, line
            continue
        if ch in (_DQ, _SQ):
            start = pos + 1
            m = _RE_QUOTED[ch].match(data, pos + 1)
            assert m is not None
            close = m.end()
            if close >= n or data[close] != ch:
                if next_refill <= n and (msg := too_long(n, ch)) is not None:
                    yield ("err", msg, start_line, 0, 0)
                else:
                    yield eof(pos)
                return
            if next_refill <= close and (msg := too_long(close, ch)) is not None:
                yield ("err", msg, start_line, 0, 0)
                return
            word_line = line
            line += data.count(b"\n", pos, close)
            yield ("word", _unescape(data[pos + 1 : close]), word_line, pos, close + 1)
            nargs += 1
            after = close + 1
            if after >= n:
                yield ("err", 'unexpected end of file, expecting ";" or "}"', line, 0, 0)
                return
            if next_refill <= after and (msg := too_long(after)) is not None:
                yield ("err", msg, start_line, 0, 0)
                return
            nxt = data[after]
            if nxt in _SPACE:
                line += nxt == _LF
                pos = after + 1
            elif nxt in (_SEMI, _LBRACE):
                yield (chr(nxt), chr(nxt), line, after, after + 1)
                nargs = 0
                pos = after + 1
                start, start_line = pos, line
            elif nxt == _RPAREN:
                pos = after  # ngx_conf_read_token lets ")" start the next token: if ($a = "b")
            else:
                yield ("err", f'unexpected "{_show(data[after : after + 1])}"', line, 0, 0)
                return
            continue
        # An unquoted token, including one that starts with "\" or "$".
        m = _RE_BARE.match(data, pos)
        assert m is not None
        end = m.end()
        if end >= n or data[end] not in b" \t\r\n;{":  # the file ends inside the token
            if next_refill <= n and (msg := too_long(n)) is not None:
                yield ("err", msg, start_line, 0, 0)
            else:
                yield eof(pos)
            return
        if next_refill <= end and (msg := too_long(end)) is not None:
            yield ("err", msg, start_line, 0, 0)
            return
        word_line = line
        line += data.count(b"\n", pos, end)
        yield ("word", _unescape(data[pos:end]), word_line, pos, end)
        nargs += 1
        term = data[end]
        pos = end + 1
        if term == _LF:
            line += 1
        elif term in (_SEMI, _LBRACE):
            yield (chr(term), chr(term), line, end, end + 1)
            nargs = 0
            start, start_line = pos, line


def tokenize(data: bytes, file: str) -> Iterator[Token]:
    """The tokens of one file, as nginx reads them; raises :class:`InputError` where nginx stops.

    Unlike nginx this does not know which directives open blocks, so it only reports the errors of
    ``ngx_conf_read_token()`` itself (unbalanced ``}`` at the top of a file is found by the parser).
    """
    for kind, value, line, start, end in _scan(data):
        if kind == "err":
            raise InputError(file, value, line)
        if kind == "eof":
            return
        yield Token(kind, value, line, start, end)


# ------------------------------------------------------------------------------------------ parser


@dataclass(frozen=True)
class _Stmt:
    """A directive as read from one file, includes not yet expanded."""

    name: str
    args: tuple[str, ...]
    line: int
    """Where the directive's name starts (what dockernet reports)."""
    end_line: int
    """Where its ``;`` or ``{`` is: nginx reports errors about the directive at this line."""
    block: tuple[_Stmt | _Fail, ...] | None


@dataclass(frozen=True)
class _Fail:
    """Where nginx stops reading a file, and why."""

    message: str
    line: int


_Body = tuple[_Stmt | _Fail, ...]


@dataclass
class _Budget:
    """What is left to read in one load: hostile input must end in seconds, not minutes."""

    tokens: int = MAX_TOKENS
    statements: int = MAX_DIRECTIVES


def _parse(data: bytes, budget: _Budget) -> _Body:
    """One file's statements; a syntax error ends the (innermost) body with a :class:`_Fail`."""
    # Each level: (children, name, args, line, end_line) of the block being read.
    stack: list[tuple[list[_Stmt | _Fail], str, tuple[str, ...], int, int]] = [([], "", (), 0, 0)]
    words: list[str] = []
    first_line = 0
    for kind, value, line, _, _ in _scan(data):
        body = stack[-1][0]
        if kind == "word":
            budget.tokens -= 1
            if budget.tokens < 0:
                body.append(_Fail(f"more than {MAX_TOKENS} tokens in the configuration", line))
                break
            if not words:
                first_line = line
            words.append(value)
        elif kind in (";", "{") and budget.statements <= 0:
            body.append(_Fail(f"more than {MAX_DIRECTIVES} directives in the configuration", line))
            break
        elif kind == ";":
            budget.statements -= 1
            body.append(_Stmt(words[0], tuple(words[1:]), first_line, line, None))
            words = []
        elif kind == "{":
            budget.statements -= 1
            if len(stack) > MAX_DEPTH:
                body.append(_Fail(f"blocks nested more than {MAX_DEPTH} deep", line))
                break
            stack.append(([], words[0], tuple(words[1:]), first_line, line))
            words = []
        elif kind == "}":
            if len(stack) == 1:
                # ngx_conf_parse(): "}" at the top of a file, even of a file included inside a block.
                body.append(_Fail('unexpected "}"', line))
                break
            children, name, args, start, end = stack.pop()
            stack[-1][0].append(_Stmt(name, args, start, end, tuple(children)))
        elif kind == "eof":
            if len(stack) > 1:
                body.append(_Fail('unexpected end of file, expecting "}"', line))
            break
        else:
            body.append(_Fail(value, line))
            break
    while len(stack) > 1:  # close the blocks left open by an error, keeping the marker inside
        children, name, args, start, end = stack.pop()
        stack[-1][0].append(_Stmt(name, args, start, end, tuple(children)))
    return tuple(stack[0][0])


# ------------------------------------------------------------------------------------------ loader


@dataclass(frozen=True)
class UnseenInclude:
    """An ``include`` whose files dockernet cannot see (they are inside the image)."""

    path: str
    """The absolute container path or pattern, as nginx would open it."""
    loc: Loc
    """The ``include`` directive."""


@dataclass(frozen=True)
class NginxConfig:
    """A whole nginx configuration, includes expanded."""

    directives: tuple[Directive, ...]
    """Top-level directives. An expanded ``include`` is replaced by the included directives (each keeping
    its own file's :class:`Loc`); an unseen one stays in place as an ``include`` directive."""
    files: tuple[str, ...]
    """Every file read, as shown on this machine, once each, in the order nginx first opens them (the
    order of the ``# configuration file`` headers of ``nginx -T``)."""
    unseen_includes: tuple[UnseenInclude, ...]


class _Loader:
    def __init__(self, tree: ConfigTree | None, conf_prefix: str) -> None:
        self.tree = tree
        self.prefix = conf_prefix.rstrip("/") + "/"
        self.files: dict[str, None] = {}
        self.unseen: list[UnseenInclude] = []
        self.parsed: dict[str, _Body] = {}
        self.reads: dict[str, str | None] = {}
        self.total_bytes = 0
        self.inclusions = 0
        self.ndirectives = 0
        self.budget = _Budget()
        self.stack: list[str] = []

    def open(self, cpath: str, display_from: str, line: int) -> str | None:
        """Read and parse a container path once; its display path, or None when it cannot be seen."""
        if cpath in self.reads:
            return self.reads[cpath]
        assert self.tree is not None
        try:
            found = self.tree.read(cpath)
        except IsADirectoryError as exc:
            # nginx opens a directory without complaint; the first read of it fails.
            raise InputError(display_from, f'pread() "{cpath}" failed (21: {os.strerror(21)})', line) from exc
        except OSError as exc:
            code = exc.errno or errno.EIO
            # ngx_conf_parse(): ngx_open_file_n " \"%s\" failed" with the errno and its text.
            raise InputError(
                display_from, f'open() "{cpath}" failed ({code}: {os.strerror(code)})', line
            ) from exc
        self.reads[cpath] = None if found is None else found[0]
        if found is not None and found[0] not in self.parsed:
            self.parsed[found[0]] = self.parse(*found)
        return self.reads[cpath]

    def parse(self, display: str, data: bytes) -> _Body:
        if len(data) > MAX_FILE:
            raise InputError(display, f"file too large (over {MAX_FILE // (1024 * 1024)} MB)")
        if b"\0" in data:
            raise InputError(display, "not a text file (it contains NUL bytes)")
        self.total_bytes += len(data)
        if self.total_bytes > MAX_TOTAL_BYTES:
            raise InputError(display, f"the configuration is over {MAX_TOTAL_BYTES // (1024 * 1024)} MB")
        return _parse(data, self.budget)

    def file(self, display: str, parent: str, depth: int) -> tuple[Directive, ...]:
        self.inclusions += 1
        if self.inclusions > MAX_FILES:
            raise InputError(display, f"more than {MAX_FILES} included files")
        self.files.setdefault(display, None)
        self.stack.append(display)
        try:
            return self.expand(self.parsed[display], display, parent, depth)
        finally:
            self.stack.pop()

    def expand(self, body: _Body, display: str, parent: str, depth: int) -> tuple[Directive, ...]:
        out: list[Directive] = []
        for st in body:
            if isinstance(st, _Fail):
                raise InputError(display, st.message, st.line)
            self.check(st, display, parent)
            if st.name == "include" and parent not in _NO_INCLUDE:
                out.extend(self.include(st, display, parent, depth))
                continue
            self.ndirectives += 1
            if self.ndirectives > MAX_DIRECTIVES:
                raise InputError(display, f"more than {MAX_DIRECTIVES} directives", st.line)
            block = None
            if st.block is not None:
                if depth >= MAX_DEPTH:
                    raise InputError(
                        display, f"blocks and includes nested more than {MAX_DEPTH} deep", st.line
                    )
                block = self.expand(st.block, display, st.name, depth + 1)
            out.append(Directive(st.name, st.args, Loc(display, st.line), block, st.end_line))
        return tuple(out)

    def check(self, st: _Stmt, display: str, parent: str) -> None:
        """The checks of ngx_conf_handler() that need no module tables: ";" versus "{"."""
        is_block = st.block is not None
        if st.name.endswith("_lua_block"):
            # content_by_lua_block & co. hold Lua code, which only the Lua module's own lexer reads.
            raise InputError(display, f'"{st.name}": Lua blocks are not supported', st.line)
        if parent in _HANDLER_BLOCKS:
            if is_block:  # ngx_conf_parse() with cf->handler set
                raise InputError(display, 'unexpected "{"', st.end_line)
            if st.name != "include":
                return
        if st.name == "server":
            block_here = parent in _SERVER_BLOCK_PARENTS
            simple_here = parent == "upstream"
        else:
            block_here = st.name in _BLOCKS
            simple_here = st.name in _SIMPLE
        if block_here and not is_block:
            raise InputError(display, f'directive "{st.name}" has no opening "{{"', st.end_line)
        if simple_here and is_block:
            raise InputError(display, f'directive "{st.name}" is not terminated by ";"', st.end_line)
        if st.name == "include" and len(st.args) != 1:
            raise InputError(display, 'invalid number of arguments in "include" directive', st.end_line)

    def include(self, st: _Stmt, display: str, parent: str, depth: int) -> tuple[Directive, ...]:
        keep = Directive(st.name, st.args, Loc(display, st.line), end_line=st.end_line)
        if self.tree is None:
            return (keep,)
        arg = st.args[0]
        # ngx_conf_full_name(cycle, name, conf_prefix=1): relative to the directory of the main file.
        path = arg if arg.startswith("/") else self.prefix + arg
        if depth >= MAX_DEPTH:
            raise InputError(display, f"nested more than {MAX_DEPTH} deep", st.end_line)
        if any(c in path for c in "*?["):  # ngx_conf_include(): strpbrk(file, "*?[") decides
            names = self.tree.glob(path)
            if names is None:
                self.unseen.append(UnseenInclude(path, Loc(display, st.line)))
                return (keep,)
        else:
            names = [path]
        out: list[Directive] = []
        for name in names:
            shown = self.open(name, display, st.end_line)
            if shown is None:
                self.unseen.append(UnseenInclude(name, Loc(display, st.line)))
                out.append(keep)
                continue
            if shown in self.stack:
                # nginx itself recurses until its stack overflows (SIGSEGV).
                cycle = [*self.stack[self.stack.index(shown) :], shown]
                raise InputError(display, "include cycle: " + " -> ".join(cycle), st.end_line)
            out.extend(self.file(shown, parent, depth + 1))
        return tuple(out)


_OWN_LIMITS = re.compile(
    r"^(file too large|not a text file|more than \d+|(blocks )?(and includes )?nested more than"
    r"|the configuration is over|include cycle|the configuration file is not visible|\"[^\"]+\": Lua)"
)


def own_limit(error: InputError) -> bool:
    """Whether :func:`load` refused a configuration for a limit of dockernet's own (size, nesting, Lua
    blocks, include cycles, an entry file it cannot see), not with a message of nginx's."""
    return bool(_OWN_LIMITS.match(error.message))


def load(entry_container_path: str, tree: ConfigTree, *, conf_prefix: str | None = None) -> NginxConfig:
    """Read a whole configuration from its main file, expanding includes through ``tree``.

    ``conf_prefix`` is where relative include paths start; nginx uses the directory of the main file.
    Raises :class:`InputError` where nginx would refuse the configuration for its syntax or includes.
    """
    if not entry_container_path.startswith("/"):
        raise ValueError(f"not an absolute container path: {entry_container_path}")
    prefix = conf_prefix or (entry_container_path.rsplit("/", 1)[0] or "/")
    loader = _Loader(tree, prefix)
    try:
        found = tree.read(entry_container_path)
    except OSError as exc:
        code = exc.errno or errno.EIO
        raise InputError(
            entry_container_path, f'open() "{entry_container_path}" failed ({code}: {os.strerror(code)})'
        ) from exc
    if found is None:
        raise InputError(entry_container_path, "the configuration file is not visible from this machine")
    loader.reads[entry_container_path] = found[0]
    loader.parsed[found[0]] = loader.parse(*found)
    directives = loader.file(found[0], "", 0)
    return NginxConfig(directives, tuple(loader.files), tuple(loader.unseen))


def parse_text(text: str, file: str) -> tuple[Directive, ...]:
    """The directives of one file's text, includes left as they are (for tests and single files)."""
    loader = _Loader(None, DEFAULT_PREFIX)
    loader.parsed[file] = loader.parse(file, text.encode("utf-8", errors="surrogateescape"))
    return loader.file(file, "", 0)


def walk(
    directives: tuple[Directive, ...], parents: tuple[Directive, ...] = ()
) -> Iterator[tuple[Directive, tuple[Directive, ...]]]:
    """Every directive of a config with its enclosing blocks, depth first in file order."""
    for d in directives:
        yield d, parents
        if d.block:
            yield from walk(d.block, (*parents, d))
