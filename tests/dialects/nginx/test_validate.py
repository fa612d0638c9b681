"""What nginx -t refuses beyond syntax (dockernet.dialects.nginx.validate): inline configs, exact message and
line. tests/dialects/nginx/test_differential.py proves the same against the real nginx."""

from __future__ import annotations

import pytest

from dockernet.dialects.nginx.directives import DEBIAN_1_22, OFFICIAL, Profile
from dockernet.dialects.nginx.syntax import parse_text
from dockernet.dialects.nginx.validate import first_refusal

MAIN = "events {}\nhttp {\n%s\n}\n"


def refusal(body: str, profile: Profile = OFFICIAL) -> tuple[str, int] | None:
    text = MAIN % body
    found = first_refusal(parse_text(text, "t.conf"), profile, entry="t.conf")
    return None if found is None else (found.message, found.loc.line)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("server {\n location / {\n  proxy_pas http://a;\n }\n}", ('unknown directive "proxy_pas"', 5)),
        (
            "server { location / { proxy_pass http://a x; } }",
            ('invalid number of arguments in "proxy_pass" directive', 3),
        ),
        ("proxy_pass http://a;", ('"proxy_pass" directive is not allowed here', 3)),
        ("server { location / { server { } } }", ('"server" directive is not allowed here', 3)),
        ("server { listen 80; if ($a) { if ($b) { } } }", ('"if" directive is not allowed here', 3)),
        (
            "server { location / { if ($a) { location /b { } } } }",
            ('"location" directive is not allowed here', 3),
        ),
        ("worker_processes 2;", ('"worker_processes" directive is not allowed here', 3)),
        ("gzip on off;", ('invalid number of arguments in "gzip" directive', 3)),
        (
            "proxy_ignore_client_abort on {\n}",
            ('directive "proxy_ignore_client_abort" is not terminated by ";"', 3),
        ),
        ("more_set_headers 'X: y';", ('unknown directive "more_set_headers"', 3)),
        # the argument count is checked at the ";", where nginx reports it
        ("server {\n proxy_pass\n  http://a\n  x;\n}", ('"proxy_pass" directive is not allowed here', 6)),
    ],
)
def test_refused(body: str, expected: tuple[str, int]) -> None:
    assert refusal(body) == expected
    assert refusal(body, DEBIAN_1_22) == expected


@pytest.mark.parametrize(
    "body",
    [
        "server { listen 80; location / { proxy_pass http://a; } }",
        "server { location / { limit_except GET { proxy_pass http://a; } } }",
        "server { location / { if ($a) { proxy_pass http://a; } } }",
        "upstream u { server a:1; keepalive 4; }",
        # the bodies of map, geo, types, split_clients and charset_map are data
        "map $a $b { default 0; whatever_word 1; proxy_pass x; }",
        "geo $g { default 0; 10.0.0.0/8 1; }",
        "types { text/html html; application/x-anything foo bar baz qux quux corge grault garply; }",
        "split_clients $a $v { 50% one; * two; }",
        "charset_map koi8-r utf-8 { C0 D18E; }",
        "server { location / { types { } default_type text/plain; } }",
    ],
)
def test_accepted(body: str) -> None:
    assert refusal(body) is None
    assert refusal(body, DEBIAN_1_22) is None


def test_official_image_differs_from_debian_1_22() -> None:
    # "ssl on;" was removed in 1.25.1; "http2 on;" and HTTP/3 came after 1.22; stream is built in.
    assert refusal("server { ssl on; }") == ('unknown directive "ssl"', 3)
    assert refusal("server { ssl on; }", DEBIAN_1_22) is None
    assert refusal("server { http2 on; http3 on; quic_retry on; }") is None
    assert refusal("server { http2 on; }", DEBIAN_1_22) == ('unknown directive "http2"', 3)
    # names known only by name are not checked where they stand, nor their arguments
    assert refusal("upstream u { server a:1 resolve; resolver 127.0.0.11; }") is None
    text = "events {}\nstream {\n server { listen 53 udp; proxy_pass dns:53; }\n}\n"
    assert first_refusal(parse_text(text, "t"), OFFICIAL, entry="t") is None
    assert first_refusal(parse_text(text, "t"), DEBIAN_1_22, entry="t") is not None


def test_no_events_and_loaded_modules() -> None:
    found = first_refusal(parse_text("http {}\n", "t.conf"), OFFICIAL, entry="t.conf")
    assert found is not None and (found.message, found.loc.line) == (
        'no "events" section in configuration',
        0,
    )
    text = "load_module modules/ngx_http_js_module.so;\nevents {}\nhttp { js_import x.js; }\n"
    assert first_refusal(parse_text(text, "t.conf"), OFFICIAL, entry="t.conf") is None
    # a server-level file checked on its own starts in http
    assert first_refusal(parse_text("server { }\n", "d.conf"), OFFICIAL, entry="d.conf", main=False) is None


def test_absent_include() -> None:
    directives = parse_text("events {}\nhttp {\n include /etc/nginx/x.conf;\n}\n", "t.conf")
    absent = {("t.conf", 3): "/etc/nginx/x.conf"}
    found = first_refusal(directives, OFFICIAL, entry="t.conf", absent_includes=absent)
    assert found is not None
    assert (found.message, found.loc.line) == (
        'open() "/etc/nginx/x.conf" failed (2: No such file or directory)',
        3,
    )


def test_generic_setters() -> None:
    """ngx_conf_set_*_slot(): a second value in the same block is a duplicate; flags are on or off."""
    assert refusal("gzip on;\ngzip off;") == ('"gzip" directive is duplicate', 4)
    assert refusal("proxy_buffering yes;") == (
        'invalid value "yes" in "proxy_buffering" directive, it must be "on" or "off"',
        3,
    )
    assert refusal("gzip ON; server { gzip off; location / { gzip on; if ($a) { gzip off; } } }") is None
    assert refusal("server { gzip on; } server { gzip on; }") is None
    # keepalive_timeout of the core module (a custom handler) and of upstream (a setter) are not the same
    assert refusal("keepalive_timeout 5s; keepalive_timeout 6s;") is None
    assert refusal("upstream u { server a:1; keepalive_timeout 1s; keepalive_timeout 2s; }") == (
        '"keepalive_timeout" directive is duplicate',
        3,
    )


def test_one_pass_per_location() -> None:
    body = "server { location / { proxy_pass http://a; proxy_pass http://b; } }"
    assert refusal(body) == ('"proxy_pass" directive is duplicate', 3)
    assert refusal("server { location / { proxy_pass http://a; if ($x) { proxy_pass http://b; } } }") is None
