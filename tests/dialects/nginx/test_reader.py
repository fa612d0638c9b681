"""The nginx reader (tokenizer, parser, includes) and the routes read from its tree.

Inline configs with exact expected values. tests/dialects/nginx/test_differential.py proves the same reader
against the real nginx binary; these tests pin down the behaviour, including nginx's odd corners, without it.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import pytest

from dockernet.dialects.nginx import syntax
from dockernet.dialects.nginx.routes import Group, PassKind, extract, parse_target, variables_in
from dockernet.dialects.nginx.syntax import Directive, UnseenInclude, load, parse_text, tokenize
from dockernet.errors import InputError
from dockernet.model import NOWHERE, Candidate, Loc, Lookup, Role, Upstream
from dockernet.sources.files import HostTree

KEY = ("proj", "proxy")


def args_of(text: str) -> list[tuple[str, ...]]:
    """(name, *args) of each top-level directive."""
    return [(d.name, *d.args) for d in parse_text(text, "t.conf")]


def error_of(text: str | bytes) -> tuple[str, int]:
    data = text if isinstance(text, str) else text.decode("utf-8", "surrogateescape")
    with pytest.raises(InputError) as info:
        parse_text(data, "t.conf")
    assert info.value.file == "t.conf"
    return info.value.message, info.value.line


# ------------------------------------------------------------------------------------------ tokenizer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a \"b c\" 'd e';", [("a", "b c", "d e")]),
        (r'a "x\"y" ' + r"'x\'y';", [("a", 'x"y', "x'y")]),
        (r'a "\t\n\r\\";', [("a", "\t\n\r\\")]),
        # any other backslash stays, in quotes and out
        (r'a "\x\$" \d a\ b;', [("a", r"\x\$", r"\d", r"a\ b")]),
        # a backslash protects ";", "{" and spaces from ending the token; the backslash is kept
        (r"a b\;c d\{e;", [("a", r"b\;c", r"d\{e")]),
        # "#" starts a comment only where a token could start
        ("a b#c 'd#e';", [("a", "b#c", "d#e")]),
        ("a # comment ; {\n  b; # another\n", [("a", "b")]),
        ("a#\n;", [("a#",)]),
        # "${" does not end a token, at its start or inside
        ("return 200 ${host}x;", [("return", "200", "${host}x")]),
        ("set $a a${b}c${{d;", [("set", "$a", "a${b}c${{d")]),
        # "}" and quotes inside a token are ordinary
        ("a b}c d\"e f'g;", [("a", "b}c", 'd"e', "f'g")]),
        # a quote only opens a string at the start of a token
        ('a b"c d";', [("a", 'b"c', 'd"')]),
        ("location ~* \\.php$ { }", [("location", "~*", "\\.php$")]),
        ('"quoted-name" arg;', [("quoted-name", "arg")]),
        ("a '';", [("a", "")]),
        ("a\r\n\tb\r\n;", [("a", "b")]),
    ],
)
def test_tokens(text: str, expected: list[tuple[str, ...]]) -> None:
    assert args_of(text) == expected


def test_closing_paren_may_follow_a_quote() -> None:
    # ngx_conf_read_token() accepts ")" right after a closing quote: if ($a = "b") { ... }
    [d] = parse_text('if ($a = "b") { return 404; }', "t.conf")
    assert d.args == ("($a", "=", "b", ")")
    assert d.block == (Directive("return", ("404",), Loc("t.conf", 1)),)


def test_token_spans_and_lines() -> None:
    data = b'a "b\nc" d;\n}'
    tokens = list(tokenize(data[:-1], "t.conf"))
    assert [(t.kind, t.value, t.line, t.start, t.end) for t in tokens] == [
        ("word", "a", 1, 0, 1),
        ("word", "b\nc", 1, 2, 7),
        ("word", "d", 2, 8, 9),
        (";", ";", 2, 9, 10),
    ]


def test_lines_of_directives_and_blocks() -> None:
    text = "events {}\n\nhttp {\n  server\n  {\n    listen\n      80;\n  }\n}\n"
    [events, http] = parse_text(text, "t.conf")
    assert events == Directive("events", (), Loc("t.conf", 1), ())
    assert http.loc == Loc("t.conf", 3)
    assert http.block is not None
    [server] = http.block
    assert server.loc == Loc("t.conf", 4)
    assert server.block == (Directive("listen", ("80",), Loc("t.conf", 6)),)


def test_non_utf8_bytes_keep_their_value() -> None:
    [d] = parse_text(b"a \xff\xfe '\xe9t\xc3\xa9';".decode("utf-8", "surrogateescape"), "t.conf")
    assert d.args == ("\udcff\udcfe", "\udce9t\xe9")
    assert [a.encode("utf-8", "surrogateescape") for a in d.args] == [b"\xff\xfe", b"\xe9t\xc3\xa9"]


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("a;\n}\n", 'unexpected "}"', 2),
        ("http {\n  a b\n}\n", 'unexpected "}"', 3),  # the missing ";" before "}"
        ("http {\n  a;\n", 'unexpected end of file, expecting "}"', 3),
        ("a b", 'unexpected end of file, expecting ";" or "}"', 1),
        ('a "b;\n\n', 'unexpected end of file, expecting ";" or "}"', 3),
        ("a 'b\\'\n;", 'unexpected end of file, expecting ";" or "}"', 2),
        ("a \\", 'unexpected end of file, expecting ";" or "}"', 1),
        ('a "b"c;', 'unexpected "c"', 1),
        ("a 'b'#c;", 'unexpected "#"', 1),
        ("\n;", 'unexpected ";"', 2),
        ("{ }", 'unexpected "{"', 1),
        ("http\n;", 'directive "http" has no opening "{"', 2),
        ("http { upstream u { server a {} } }", 'directive "server" is not terminated by ";"', 1),
        ("http { server; }", 'directive "server" has no opening "{"', 1),
        (
            "location / {\n proxy_pass http://a\n location /b {}\n}",
            'directive "proxy_pass" is not terminated by ";"',
            3,
        ),
        ("types {\n text/html html;\n a {\n", 'unexpected "{"', 3),
        ("include;", 'invalid number of arguments in "include" directive', 1),
        ("include a b;", 'invalid number of arguments in "include" directive', 1),
        ("content_by_lua_block { ngx.say('x') }", '"content_by_lua_block": Lua blocks are not supported', 1),
    ],
)
def test_syntax_errors_like_nginx(text: str, message: str, line: int) -> None:
    assert error_of(text) == (message, line)


def test_bad_byte_after_quote_is_shown_escaped() -> None:
    assert error_of(b'a "b"\xff;') == ('unexpected "\\xff"', 1)


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        # nginx keeps the bytes from the start of the current token (or comment) in a 4096-byte buffer
        ("a;\n#" + "x" * 4095 + "\nb;", 'too long parameter "#xxxxxxxxx..." started', 2),
        ("a " + "y" * 5000 + ";", 'too long parameter "yyyyyyyyyy..." started', 1),
        ('a\n"' + "z" * 5000 + '";', 'too long parameter, probably missing terminating """ character', 2),
        ("a '\n" + "z" * 5000, 'too long parameter, probably missing terminating "\'" character', 1),
    ],
)
def test_too_long_parameter(text: str, message: str, line: int) -> None:
    assert error_of(text) == (message, line)


def test_long_comment_and_blank_runs_that_nginx_accepts() -> None:
    # 4094 bytes of comment end before the buffer does; blank runs never count (start moves at each byte)
    assert args_of("a;\n#" + "x" * 4094 + "\nb;") == [("a",), ("b",)]
    assert args_of("a" + " " * 10000 + "b" + "\n" * 9000 + ";") == [("a", "b")]
    assert args_of("a " + "y" * 4000 + ";") == [("a", "y" * 4000)]


def test_error_inside_block_is_reported_at_its_line() -> None:
    assert error_of("http {\n server {\n  listen 80;\n  x 'a'b;\n }\n}\n") == ('unexpected "b"', 4)


# ------------------------------------------------------------------------------------------ includes


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        path.write_text(text)
    else:
        path.write_bytes(text)
    return path


@pytest.fixture
def etc(tmp_path: Path) -> Path:
    """A host directory bind-mounted at /etc/nginx."""
    return tmp_path / "etc-nginx"


def tree(etc: Path) -> HostTree:
    return HostTree([("/etc/nginx", str(etc))])


def test_relative_glob_includes_in_glob_order(etc: Path) -> None:
    main = write(etc / "nginx.conf", "events {}\nhttp {\n    include conf.d/*.conf;\n    gzip on;\n}\n")
    b = write(etc / "conf.d" / "b.conf", "server { listen 81; }\n")
    a = write(etc / "conf.d" / "a.conf", "\nserver { listen 80; }\n")
    write(etc / "conf.d" / ".hidden.conf", "broken")
    write(etc / "conf.d" / "c.conf.off", "broken")
    write(etc / "conf.d" / "B.conf", "server { listen 82; }\n")  # byte order: "B" < "a"
    conf = load("/etc/nginx/nginx.conf", tree(etc))
    assert conf.files == (str(main), str(etc / "conf.d" / "B.conf"), str(a), str(b))
    http = conf.directives[1]
    assert http.block is not None
    assert [(d.name, d.args, d.loc) for d in http.block] == [
        ("server", (), Loc(str(etc / "conf.d" / "B.conf"), 1)),
        ("server", (), Loc(str(a), 2)),
        ("server", (), Loc(str(b), 1)),
        ("gzip", ("on",), Loc(str(main), 4)),
    ]
    assert conf.unseen_includes == ()


def test_relative_include_uses_the_main_files_directory(tmp_path: Path) -> None:
    root = tmp_path / "conf"
    write(root / "main.conf", "include sub/x.conf;\n")
    write(root / "sub" / "x.conf", "a 1;\n")
    conf = load("/opt/app/main.conf", HostTree([("/opt/app", str(root))]))
    assert conf.directives == (Directive("a", ("1",), Loc(str(root / "sub" / "x.conf"), 1)),)
    # ... or an explicit conf prefix
    write(tmp_path / "other" / "sub" / "x.conf", "b 2;\n")
    both = HostTree([("/opt/app", str(root)), ("/srv", str(tmp_path / "other"))])
    conf = load("/opt/app/main.conf", both, conf_prefix="/srv")
    assert [d.name for d in conf.directives] == ["b"]


def test_each_inclusion_is_read_again_but_listed_once(etc: Path) -> None:
    main = write(etc / "nginx.conf", "include p;\ninclude p;\ninclude /etc/nginx/./p;\n")
    p = write(etc / "p", "x;\n")
    conf = load("/etc/nginx/nginx.conf", tree(etc))
    assert [d.loc for d in conf.directives] == [Loc(str(p), 1)] * 3
    assert conf.files == (str(main), str(p))


def test_include_cycle(etc: Path) -> None:
    a = write(etc / "nginx.conf", "events {}\n\ninclude b.conf;\n")
    b = write(etc / "b.conf", "x;\ninclude nginx.conf;\n")
    with pytest.raises(InputError) as info:
        load("/etc/nginx/nginx.conf", tree(etc))
    assert (info.value.file, info.value.line) == (str(b), 2)
    assert info.value.message == f"include cycle: {a} -> {b} -> {a}"


def test_include_of_itself(etc: Path) -> None:
    a = write(etc / "nginx.conf", "include /etc/nginx/*.conf;\n")
    with pytest.raises(InputError) as info:
        load("/etc/nginx/nginx.conf", tree(etc))
    assert (info.value.message, info.value.line) == (f"include cycle: {a} -> {a}", 1)


def test_missing_include_in_a_visible_directory(etc: Path) -> None:
    main = write(etc / "nginx.conf", "events {}\nhttp {\n  include /etc/nginx/x.conf;\n}\n")
    with pytest.raises(InputError) as info:
        load("/etc/nginx/nginx.conf", tree(etc))
    assert (info.value.file, info.value.line) == (str(main), 3)
    assert info.value.message == 'open() "/etc/nginx/x.conf" failed (2: No such file or directory)'


def test_glob_matching_a_directory_fails_like_nginx(etc: Path) -> None:
    write(etc / "nginx.conf", "include d/*;\n")
    (etc / "d" / "sub").mkdir(parents=True)
    with pytest.raises(InputError) as info:
        load("/etc/nginx/nginx.conf", tree(etc))
    assert info.value.message == 'pread() "/etc/nginx/d/sub" failed (21: Is a directory)'


def test_invisible_includes_are_kept_and_recorded(tmp_path: Path) -> None:
    # Only nginx.conf is mounted: mime.types and conf.d/ are the image's own.
    main = write(
        tmp_path / "nginx.conf",
        "http {\n  include mime.types;\n  include /etc/nginx/conf.d/*.conf;\n  include none/*.x;\n}\n",
    )
    conf = load("/etc/nginx/nginx.conf", HostTree([("/etc/nginx/nginx.conf", str(main))]))
    assert conf.unseen_includes == (
        UnseenInclude("/etc/nginx/mime.types", Loc(str(main), 2)),
        UnseenInclude("/etc/nginx/conf.d/*.conf", Loc(str(main), 3)),
        UnseenInclude("/etc/nginx/none/*.x", Loc(str(main), 4)),
    )
    http = conf.directives[0]
    assert http.block is not None
    assert [d.args for d in http.block] == [("mime.types",), ("/etc/nginx/conf.d/*.conf",), ("none/*.x",)]
    assert conf.files == (str(main),)


def test_glob_matching_nothing_is_fine(etc: Path) -> None:
    write(etc / "nginx.conf", "include conf.d/*.conf;\ninclude sites-enabled/*;\nx;\n")
    (etc / "conf.d").mkdir()
    conf = load("/etc/nginx/nginx.conf", tree(etc))
    assert [d.name for d in conf.directives] == ["x"]
    assert conf.unseen_includes == ()


def test_single_file_mounts_and_longest_prefix(tmp_path: Path) -> None:
    main = write(tmp_path / "main.conf", "include /etc/nginx/conf.d/*.conf;\n")
    site = write(tmp_path / "site.conf", "a;\n")
    other_dir = tmp_path / "confd"
    write(other_dir / "default.conf", "shadowed;\n")
    write(other_dir / "z.conf", "z;\n")
    mounts = HostTree(
        [
            ("/etc/nginx/nginx.conf", str(main)),
            ("/etc/nginx/conf.d", str(other_dir)),
            ("/etc/nginx/conf.d/default.conf", str(site)),
        ]
    )
    conf = load("/etc/nginx/nginx.conf", mounts)
    assert [(d.name, d.loc) for d in conf.directives] == [
        ("a", Loc(str(site), 1)),
        ("z", Loc(str(other_dir / "z.conf"), 1)),
    ]
    # only a file mounted into an image directory: that file is all that can be seen there
    alone = HostTree([("/etc/nginx/nginx.conf", str(main)), ("/etc/nginx/conf.d/default.conf", str(site))])
    assert alone.glob("/etc/nginx/conf.d/*.conf") == ["/etc/nginx/conf.d/default.conf"]
    assert alone.read("/etc/nginx/conf.d/other.conf") is None
    assert alone.host_path("/etc/nginx/conf.d/default.conf") == str(site)


def test_symlinks_are_followed_in_container_space(tmp_path: Path, etc: Path) -> None:
    write(etc / "nginx.conf", "include sites-enabled/*;\n")
    avail = write(etc / "sites-available" / "default", "server_name x;\n")
    (etc / "sites-enabled").mkdir()
    os.symlink("/etc/nginx/sites-available/default", etc / "sites-enabled" / "default")
    # an absolute link is a container path: it must not reach this machine's own file
    write(tmp_path / "secret", "leak;\n")
    os.symlink(str(tmp_path / "secret"), etc / "sites-enabled" / "escape")
    conf = load("/etc/nginx/nginx.conf", tree(etc))
    main = Loc(str(etc / "nginx.conf"), 1)
    assert [(d.name, d.loc) for d in conf.directives] == [
        ("server_name", Loc(str(avail), 1)),
        ("include", main),
    ]
    assert conf.unseen_includes == (
        UnseenInclude("/etc/nginx/sites-enabled/escape", Loc(str(etc / "nginx.conf"), 1)),
    )


def test_glob_patterns(etc: Path) -> None:
    for name in ("a1.conf", "a2.conf", "b.conf", "[x].conf", ".a.conf"):
        write(etc / "d" / name, "")
    write(etc / "e" / "sub" / "s.conf", "")
    t = tree(etc)
    assert t.glob("/etc/nginx/d/a?.conf") == ["/etc/nginx/d/a1.conf", "/etc/nginx/d/a2.conf"]
    assert t.glob("/etc/nginx/d/[!a]*") == ["/etc/nginx/d/[x].conf", "/etc/nginx/d/b.conf"]
    assert t.glob("/etc/nginx/d/[a-b][0-9].conf") == ["/etc/nginx/d/a1.conf", "/etc/nginx/d/a2.conf"]
    assert t.glob("/etc/nginx/d/\\[x\\].conf") == ["/etc/nginx/d/[x].conf"]
    assert t.glob("/etc/nginx/d/.*") == ["/etc/nginx/d/.a.conf"]
    assert t.glob("/etc/nginx/*/sub/*.conf") == ["/etc/nginx/e/sub/s.conf"]
    assert t.glob("/etc/nginx/missing/*") == []
    assert t.glob("/etc/other/*") is None


def test_hostile_glob_is_fast(etc: Path) -> None:
    write(etc / "d" / ("a" * 200), "")
    started = time.monotonic()
    assert tree(etc).glob("/etc/nginx/d/" + "*a" * 30 + "b") == []
    assert time.monotonic() - started < 2


def test_file_too_large(etc: Path) -> None:
    write(etc / "nginx.conf", "include big.conf;\n")
    big = write(etc / "big.conf", b"#" + b" " * (6 * 1024 * 1024))
    with pytest.raises(InputError) as info:
        load("/etc/nginx/nginx.conf", tree(etc))
    assert (info.value.file, info.value.message) == (str(big), "file too large (over 5 MB)")


def test_binary_file(etc: Path) -> None:
    write(etc / "nginx.conf", b"events {}\x00\x01\x02")
    with pytest.raises(InputError) as info:
        load("/etc/nginx/nginx.conf", tree(etc))
    assert info.value.message == "not a text file (it contains NUL bytes)"


def test_non_utf8_file(etc: Path) -> None:
    write(etc / "nginx.conf", b"# caf\xe9\nserver_name caf\xe9.example;\n")
    conf = load("/etc/nginx/nginx.conf", tree(etc))
    assert conf.directives[0].args == ("caf\udce9.example",)


def test_entry_not_visible_or_missing(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not visible"):
        load("/etc/nginx/nginx.conf", HostTree([]))
    with pytest.raises(InputError, match=r'open\(\) "/etc/nginx/nginx.conf" failed \(2: No such file'):
        load("/etc/nginx/nginx.conf", HostTree([("/etc/nginx", str(tmp_path))]))


def test_too_many_inclusions(etc: Path) -> None:
    write(etc / "nginx.conf", "include a;\n" * (syntax.MAX_FILES + 1))
    write(etc / "a", "")
    with pytest.raises(InputError, match="more than 2000 included files"):
        load("/etc/nginx/nginx.conf", tree(etc))


def test_deep_include_chain(etc: Path) -> None:
    for i in range(150):
        write(etc / f"f{i}", f"include f{i + 1};\n")
    write(etc / "f150", "")
    with pytest.raises(InputError, match="nested more than 100 deep"):
        load("/etc/nginx/f0", tree(etc))


@pytest.mark.parametrize(
    "data",
    [
        b"a;" * 2_000_000,
        b"a " * 2_000_000 + b";",
        b"a{" * 2_000_000,
        b'"' + b"x" * 5_000_000,
        b"#" + b"x" * 5_000_000,
        b"http { server { location / { proxy_pass http://a:1; } } }\n" * 80_000,
    ],
    ids=["statements", "tokens", "nesting", "quote", "comment", "blocks"],
)
def test_hostile_input_ends_quickly(etc: Path, data: bytes) -> None:
    write(etc / "nginx.conf", data)
    started = time.monotonic()
    with pytest.raises(InputError):
        load("/etc/nginx/nginx.conf", tree(etc))
    assert time.monotonic() - started < 20  # a few seconds on a loaded CI machine


# ------------------------------------------------------------------------------------------ targets


T_LOC = Loc("t.conf", 1)


_PROTOCOL = {
    PassKind.PROXY: "http",
    PassKind.FASTCGI: "fastcgi",
    PassKind.UWSGI: "uwsgi",
    PassKind.SCGI: "scgi",
    PassKind.GRPC: "grpc",
    PassKind.MEMCACHED: "memcached",
    PassKind.UPSTREAM_SERVER: "http",
}


def target(
    raw: str, kind: PassKind = PassKind.PROXY, loc: Loc = T_LOC, *, stream: bool = False, **kw: object
) -> Upstream:
    """The expected upstream: what the test states, with what follows from it (the protocol from the
    scheme or the directive; a host with variables is dynamic and looked up per request)."""
    scheme = kw.get("scheme")
    host = kw.get("host")
    dynamic = bool(kw.get("variables")) and (not host or "$" in str(host))
    base = Upstream(
        raw,
        loc,
        kind.value,
        protocol="tcp" if stream else str(scheme or _PROTOCOL[kind]),
        dynamic=dynamic,
        lookup=Lookup.PER_REQUEST if dynamic else Lookup.STARTUP,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def server(raw: str, loc: Loc, group: str, *, stream: bool = False, **kw: object) -> Upstream:
    """An expected ``server`` line of ``upstream group``."""
    return target(
        raw, PassKind.UPSTREAM_SERVER, loc, stream=stream, group=group, defined_in=f"upstream {group}", **kw
    )


@pytest.mark.parametrize(
    ("raw", "kind", "stream", "expected"),
    [
        (
            "http://app:3000",
            PassKind.PROXY,
            False,
            dict(scheme="http", host="app", port=3000, port_written=True),
        ),
        ("http://app", PassKind.PROXY, False, dict(scheme="http", host="app", port=80)),
        ("HTTPS://app", PassKind.PROXY, False, dict(scheme="https", host="app", port=443)),
        ("http://app/", PassKind.PROXY, False, dict(scheme="http", host="app", port=80, path="/")),
        (
            "http://app:81/api/v1?x=1",
            PassKind.PROXY,
            False,
            dict(scheme="http", host="app", port=81, port_written=True, path="/api/v1?x=1"),
        ),
        ("http://app?x", PassKind.PROXY, False, dict(scheme="http", host="app", port=80, path="?x")),
        (
            "http://[::1]:8080/x",
            PassKind.PROXY,
            False,
            dict(scheme="http", host="::1", port=8080, port_written=True, path="/x"),
        ),
        ("http://[fd00::2]", PassKind.PROXY, False, dict(scheme="http", host="fd00::2", port=80)),
        ("http://unix:/run/app.sock", PassKind.PROXY, False, dict(scheme="http", unix_path="/run/app.sock")),
        (
            "http://unix:/run/app.sock:/api/",
            PassKind.PROXY,
            False,
            dict(scheme="http", unix_path="/run/app.sock", path="/api/"),
        ),
        (
            "http://app:99999",
            PassKind.PROXY,
            False,
            dict(scheme="http", host="app", port=None, port_written=True),
        ),
        ("app:3000", PassKind.PROXY, False, dict()),  # "invalid URL prefix"
        (
            "http://$backend:8080/x",
            PassKind.PROXY,
            False,
            dict(
                scheme="http",
                host="$backend",
                port=8080,
                port_written=True,
                path="/x",
                variables=("backend",),
            ),
        ),
        ("$target", PassKind.PROXY, False, dict(variables=("target",))),
        (
            "http://${up}$request_uri",
            PassKind.PROXY,
            False,
            dict(scheme="http", host="${up}$request_uri", port=80, variables=("up", "request_uri")),
        ),
        ("app:3000", PassKind.PROXY, True, dict(host="app", port=3000, port_written=True)),
        ("unix:/run/s.sock", PassKind.PROXY, True, dict(unix_path="/run/s.sock")),
        ("php:9000", PassKind.FASTCGI, False, dict(host="php", port=9000, port_written=True)),
        ("php", PassKind.FASTCGI, False, dict(host="php")),
        ("unix:/run/php/fpm.sock", PassKind.FASTCGI, False, dict(unix_path="/run/php/fpm.sock")),
        ("unix:/tmp/a.sock:9000", PassKind.FASTCGI, False, dict(unix_path="/tmp/a.sock:9000")),
        (
            "uwsgi://app:3031",
            PassKind.UWSGI,
            False,
            dict(scheme="uwsgi", host="app", port=3031, port_written=True),
        ),
        (
            "suwsgi://app:3031",
            PassKind.UWSGI,
            False,
            dict(scheme="suwsgi", host="app", port=3031, port_written=True),
        ),
        ("app:3031", PassKind.UWSGI, False, dict(host="app", port=3031, port_written=True)),
        (
            "grpc://app:50051",
            PassKind.GRPC,
            False,
            dict(scheme="grpc", host="app", port=50051, port_written=True),
        ),
        ("grpcs://app", PassKind.GRPC, False, dict(scheme="grpcs", host="app")),  # no default port in nginx
        ("app:50051", PassKind.GRPC, False, dict(host="app", port=50051, port_written=True)),
        ("app:4000", PassKind.SCGI, False, dict(host="app", port=4000, port_written=True)),
        ("cache:11211", PassKind.MEMCACHED, False, dict(host="cache", port=11211, port_written=True)),
        ("app", PassKind.UPSTREAM_SERVER, False, dict(host="app", port=80)),
        ("app", PassKind.UPSTREAM_SERVER, True, dict(host="app")),
        (
            "10.0.0.2:8080",
            PassKind.UPSTREAM_SERVER,
            False,
            dict(host="10.0.0.2", port=8080, port_written=True),
        ),
    ],
)
def test_parse_target(raw: str, kind: PassKind, stream: bool, expected: dict[str, object]) -> None:
    assert parse_target(raw, kind, T_LOC, stream=stream) == target(
        raw, kind, T_LOC, stream=stream, **expected
    )


def test_variables_in() -> None:
    assert variables_in("http://$a${b}$12/$a_c$") == ("a", "b", "1", "a_c")


# ------------------------------------------------------------------------------------------ routes

ROUTES = """\
http {
    resolver 127.0.0.11 valid=10s ipv6=off;
    upstream backend {
        server app1:8000 weight=3;
        server app2 backup;
        server 10.0.0.9:8000 down;
        server app3:8000 resolve;
        server unix:/run/app.sock;
    }
    map $host $mapped {
        default http://app1:8000;
        api.example http://api:9000;
    }
    error_page 500 502 503 504 /50x.html;
    server {
        listen 80;
        listen [::]:8080;
        server_name example.org www.example.org;
        location /api/ {
            proxy_pass http://backend;
        }
        location ~ ^/re {
            set $u app:5000;
            proxy_pass http://$u;
        }
        location = /m {
            resolver 1.1.1.1;
            proxy_pass $mapped;
        }
        location @fallback {
            location /nested/ {
                proxy_pass http://unix:/run/web.sock:/x/;
            }
        }
        location /rw/ {
            rewrite ^/rw/(.*)$ /new/$1 break;
            proxy_pass http://app1:8000/ignored/;
        }
        location ~ \\.php$ {
            fastcgi_pass php:9000;
        }
        location /u { uwsgi_pass uwsgi://py:3031; }
        location /s { scgi_pass sc:4000; }
        location /g { grpc_pass grpc://rpc:50051; }
        location /c { memcached_pass cache:11211; }
    }
    server {
        listen 127.0.0.1:8081 ssl;
        listen unix:/run/nginx.sock;
        resolver 8.8.8.8 ipv4=on;
        error_page 404 =200 /index.html;
        location / {
            if ($request_method = POST) {
                set $be api;
                proxy_pass http://$be:9000;
            }
        }
    }
    server {
        location / { return 200; }
    }
}
stream {
    upstream db { server pg:5432; }
    server {
        listen 15432;
        proxy_pass db;
    }
    server {
        listen 6000 udp;
        proxy_pass dns:53;
    }
}
"""


@pytest.fixture(scope="module")
def routes() -> object:
    return extract(parse_text(ROUTES, "n.conf"), KEY)


def loc(line: int) -> Loc:
    return Loc("n.conf", line)


def test_listens_and_error_pages(routes: object) -> None:
    from dockernet.dialects.nginx.routes import RoutesResult

    assert isinstance(routes, RoutesResult)
    assert routes.listens == (80, 6000, 8080, 8081, 15432)
    assert routes.error_pages == (404, 500, 502, 503, 504)


def test_every_route(routes: object) -> None:
    from dockernet.dialects.nginx.routes import RoutesResult

    assert isinstance(routes, RoutesResult)
    got = [(r.match.path, r.forward.raw, r.forward.directive, r.title) for r in routes.routes]
    assert got == [
        ("/api/", "http://backend", "proxy_pass", "location /api/"),
        ("~ ^/re", "http://$u", "proxy_pass", "location ~ ^/re"),
        ("= /m", "$mapped", "proxy_pass", "location = /m"),
        ("/nested/", "http://unix:/run/web.sock:/x/", "proxy_pass", "location /nested/"),
        ("/rw/", "http://app1:8000/ignored/", "proxy_pass", "location /rw/"),
        ("~ \\.php$", "php:9000", "fastcgi_pass", "location ~ \\.php$"),
        ("/u", "uwsgi://py:3031", "uwsgi_pass", "location /u"),
        ("/s", "sc:4000", "scgi_pass", "location /s"),
        ("/g", "grpc://rpc:50051", "grpc_pass", "location /g"),
        ("/c", "cache:11211", "memcached_pass", "location /c"),
        ("/", "http://$be:9000", "proxy_pass", "location /"),
        (None, "db", "proxy_pass", "server"),
        (None, "dns:53", "proxy_pass", "server"),
    ]


def test_upstream_group_route(routes: object) -> None:
    from dockernet.dialects.nginx.routes import RoutesResult

    assert isinstance(routes, RoutesResult)
    r = routes.routes[0]
    assert r.forward == target("http://backend", loc=loc(20), scheme="http", host="backend", group="backend")
    assert r.upstreams == (
        server("app1:8000", loc(4), "backend", host="app1", port=8000, port_written=True),
        server("app2", loc(5), "backend", host="app2", port=80, role=Role.BACKUP),
        server(
            "10.0.0.9:8000",
            loc(6),
            "backend",
            host="10.0.0.9",
            port=8000,
            port_written=True,
            role=Role.DISABLED,
        ),
        server(
            "app3:8000",
            loc(7),
            "backend",
            host="app3",
            port=8000,
            port_written=True,
            lookup=Lookup.PER_REQUEST,
        ),
        server("unix:/run/app.sock", loc(8), "backend", unix_path="/run/app.sock"),
    )
    assert r.match.hosts == ("example.org", "www.example.org")
    assert r.match.entry == ("80", "[::]:8080")
    assert (r.match.loc, r.resolvers, r.resolver_loc) == (loc(19), ("127.0.0.11",), loc(2))
    assert routes.group("BACKEND") == Group("backend", "http", r.upstreams, loc(3))


def test_variables_from_set_and_map(routes: object) -> None:
    from dockernet.dialects.nginx.routes import RoutesResult

    assert isinstance(routes, RoutesResult)
    by_raw = {r.forward.raw: r for r in routes.routes}
    assert routes.values[by_raw["http://$u"].id] == ("http://app:5000",)
    assert by_raw["http://$u"].upstreams == (by_raw["http://$u"].forward,)
    assert by_raw["http://$u"].forward.candidates == (Candidate("app", 5000),)
    mapped = by_raw["$mapped"]
    assert sorted(routes.values[mapped.id]) == ["http://api:9000", "http://app1:8000"]
    assert mapped.forward == target(
        "$mapped",
        loc=loc(28),
        variables=("mapped",),
        candidates=(Candidate("api", 9000), Candidate("app1", 8000)),
    )
    # set inside the if that holds proxy_pass: it runs whenever that proxy_pass does
    assert routes.values[by_raw["http://$be:9000"].id] == ("http://api:9000",)


def test_resolver_inheritance(routes: object) -> None:
    from dockernet.dialects.nginx.routes import RoutesResult

    assert isinstance(routes, RoutesResult)
    got = [(r.match.path, r.resolvers, r.resolver_loc.line) for r in routes.routes[:4]]
    assert got == [
        ("/api/", ("127.0.0.11",), 2),
        ("~ ^/re", ("127.0.0.11",), 2),
        ("= /m", ("1.1.1.1",), 27),
        ("/nested/", ("127.0.0.11",), 2),
    ]
    post = routes.routes[10]
    assert (post.resolvers, post.resolver_loc, post.match.entry) == (
        ("8.8.8.8",),
        loc(50),
        ("127.0.0.1:8081", "unix:/run/nginx.sock"),
    )
    assert routes.routes[11].resolvers == ()  # stream has no resolver here


def test_unix_uri_rewrite_and_other_kinds(routes: object) -> None:
    from dockernet.dialects.nginx.routes import RoutesResult

    assert isinstance(routes, RoutesResult)
    nested = routes.routes[3]
    assert (nested.forward.unix_path, nested.forward.path) == ("/run/web.sock", "/x/")
    rw = routes.routes[4]
    assert rw.id in routes.rewrite_break and rw.forward.path == "/ignored/"
    assert routes.routes[0].id not in routes.rewrite_break
    php = routes.routes[5]
    assert php.upstreams == (
        target("php:9000", PassKind.FASTCGI, loc(40), host="php", port=9000, port_written=True),
    )
    grpc = routes.routes[8]
    assert (grpc.forward.scheme, grpc.forward.host, grpc.forward.port) == ("grpc", "rpc", 50051)


def test_stream_routes(routes: object) -> None:
    from dockernet.dialects.nginx.routes import RoutesResult

    assert isinstance(routes, RoutesResult)
    db, dns = routes.routes[11], routes.routes[12]
    assert db.forward == target("db", PassKind.PROXY, loc(67), stream=True, host="db", group="db")
    assert db.upstreams == (
        server("pg:5432", loc(64), "db", stream=True, host="pg", port=5432, port_written=True),
    )
    assert (db.match.path, db.match.loc, db.match.entry) == (None, loc(65), ("15432",))
    assert dns.upstreams == (
        target("dns:53", PassKind.PROXY, loc(71), stream=True, host="dns", port=53, port_written=True),
    )


def test_values_naming_groups_need_no_resolver() -> None:
    # LemmyNet: set $proxpass "http://lemmy-ui"; proxy_pass $proxpass; with upstream lemmy-ui {...}
    text = """http {
        upstream lemmy-ui { server lemmy-ui:1234; }
        server {
            location / {
                set $proxpass "http://lemmy-ui";
                if ($http_accept = "application/activity+json") { set $proxpass "http://lemmy"; }
                proxy_pass $proxpass;
            }
            location /static { proxy_pass http://static:8080; }
            location /v { set $v static:8080; proxy_pass http://$v; }
        }
    }"""
    result = extract(parse_text(text, "l.conf"), KEY)
    lemmy, _, v = result.routes
    assert sorted(result.values[lemmy.id]) == ["http://lemmy", "http://lemmy-ui"]
    # lemmy-ui is a group (its servers), "lemmy" is not: the variable target stays, resolved per request
    assert [t.raw for t in lemmy.upstreams] == ["$proxpass", "lemmy-ui:1234"]
    assert sorted(lemmy.forward.candidates, key=repr) == [
        Candidate("lemmy", None),
        Candidate("lemmy-ui", None, group=True),
    ]
    assert result.finds_upstream("http://lemmy-ui") and not result.finds_upstream("http://lemmy-ui:80")
    assert not result.finds_upstream("http://lemmy")
    # an implicit group: the static proxy_pass http://static:8080 elsewhere
    assert result.implicit_upstreams == (("http", "static", 8080),)
    assert result.finds_upstream("static:8080") and not result.finds_upstream("static:8081")
    assert v.upstreams == (
        target(
            "http://static:8080",
            PassKind.PROXY,
            Loc("l.conf", 10),
            scheme="http",
            host="static",
            port=8080,
            port_written=True,
        ),
    )


def test_unknown_values_stay_empty() -> None:
    text = """http { server {
        location / { proxy_pass http://$host$request_uri; }
        location /a { set $b $http_x_backend; proxy_pass http://$b; }
        location /c { proxy_pass http://$undefined; }
    } }"""
    result = extract(parse_text(text, "u.conf"), KEY)
    assert [result.values.get(r.id, ()) for r in result.routes] == [(), (), ()]
    assert [r.forward.candidates for r in result.routes] == [(), (), ()]


def test_set_order_and_conditions() -> None:
    text = """http { server {
        set $a one;
        if ($x) { set $a two; }
        location / { proxy_pass http://$a; }
        location /b { set $a three; proxy_pass http://$a; }
        location /c { if ($y) { set $c four; } proxy_pass http://$c; }
    } }"""
    result = extract(parse_text(text, "o.conf"), KEY)
    assert [sorted(result.values.get(r.id, ())) for r in result.routes] == [
        ["http://one", "http://two"],
        ["http://three"],
        [],
    ]


def test_environment_fills_envsubst_variables() -> None:
    # awesome-compose nginx-flask-mongo: envsubst < /tmp/nginx.conf > /etc/nginx/conf.d/default.conf
    text = "server { location / { proxy_pass http://$FLASK_SERVER_ADDR; proxy_set_header Host $host; } }"
    result = extract(
        parse_text(text, "e.conf"), KEY, environment={"FLASK_SERVER_ADDR": "backend:9091", "host": "x"}
    )
    [r] = result.routes
    assert result.values[r.id] == ("http://backend:9091",)
    assert r.forward.candidates == (Candidate("backend", 9091),)
    assert result.listens == (80,)  # a conf.d file read on its own is inside http, default listen


def test_map_without_default_can_be_empty_and_split_clients() -> None:
    text = """http {
        map $host $m { a.example app:1; }
        split_clients "$remote_addr" $s { 50% b1:80; * b2:80; }
        server {
            location /m { proxy_pass http://$m; }
            location /s { proxy_pass http://$s; }
        }
    }"""
    result = extract(parse_text(text, "s.conf"), KEY)
    assert [sorted(result.values.get(r.id, ())) for r in result.routes] == [
        ["http://", "http://app:1"],
        ["http://b1:80", "http://b2:80"],
    ]


def test_listen_forms() -> None:
    text = """http {
        server { listen 80 default_server; listen [::]:443 ssl http2; listen 10.0.0.1; listen *:8000; }
        server { listen unix:/tmp/s; listen localhost:9000; }
    }
    mail { server { listen 25; } }"""
    assert extract(parse_text(text, "l.conf"), KEY).listens == (25, 80, 443, 8000, 9000)


def test_routes_keep_nowhere_for_no_resolver() -> None:
    result = extract(parse_text("http { server { location / { proxy_pass http://a:1; } } }", "x"), KEY)
    assert result.routes[0].resolver_loc == NOWHERE and result.routes[0].resolvers == ()
    assert result.routes[0].proxy == KEY
