"""dockernet.dialects.nginx.fix: the per-request hint for each shape of pass and group, the image tags that
decide between ``server ... resolve`` and a variable, and :func:`fix.apply`. Each patched config is also
given to the real nginx (``nginx -t``), as tests/rules/test_hints_apply.py does for the samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockernet.dialects.nginx import fix, routes
from dockernet.dialects.nginx.syntax import parse_text
from dockernet.errors import InputError
from dockernet.model import Loc
from dockernet.model.findings import Edit, Fix
from dockernet.sources.files import HostTree
from tests.dialects.nginx.test_differential import Sandbox, isolation

__all__ = ["isolation"]  # a fixture, used by name

FILE = "/etc/nginx/nginx.conf"


def hint(http: str, image: str | None = None, line: int | None = None) -> tuple[str, Fix]:
    """The DN301 hint for the address at ``line`` (default: the first route's first address)."""
    text = f"events {{}}\nhttp {{\n{http}\n}}\n"
    directives = parse_text(text, FILE)
    found = routes.extract(directives, ("p", "nginx")).routes
    for route in found:
        for up in route.upstreams:
            if line is None or up.loc.line == line:
                return text, fix.per_request_fix(directives, found, route, up, up.host or "", up.port, image)
    raise AssertionError(f"no address at line {line}")


def patched(text: str, f: Fix) -> str:
    return fix.apply(text.encode(), FILE, f.edits).decode()


def nginx_t(tmp: Path, text: str) -> tuple[bool, str | None]:
    box = Sandbox(tmp)
    box.place(FILE, text.encode())
    v = box.test(FILE, HostTree([]), dump=False)
    return v.ok, v.message


SERVER = "server {{ listen 8080; location {loc} {{ {body} }} }}"


@pytest.mark.parametrize(
    ("loc", "to", "rewrite"),
    [
        ("/api/", "http://app:3000/", "rewrite (?s)^/api/(.*)$ /$1 break;"),
        ("/api", "http://app:3000/", "rewrite (?s)^/api(.*)$ /$1 break;"),
        ("/api/", "http://app:3000/v1", "rewrite (?s)^/api/(.*)$ /v1$1 break;"),
        ("^~ /s/", "http://app:3000/f/", "rewrite (?s)^/s/(.*)$ /f/$1 break;"),
        ("= /x", "http://app:3000/y", "rewrite (?s)^/x$ /y break;"),
        ("/a.b/", "http://app:3000/", r"rewrite (?s)^/a\.b/(.*)$ /$1 break;"),
        ("/api/", "http://app:3000", None),
    ],
)
def test_pass_keeps_the_uri_mapping(
    loc: str, to: str, rewrite: str | None, isolation: None, tmp_path
) -> None:
    text, f = hint(SERVER.format(loc=loc, body=f"proxy_pass {to};"))
    (edit,) = f.edits
    assert edit.old == f"proxy_pass {to};"
    want = "resolver 127.0.0.11 valid=10s ipv6=off; set $upstream app:3000; "
    want += f"{rewrite} " if rewrite else ""
    # A variable pass gets no default proxy_redirect: the hint writes nginx's default out.
    redirect = f"{to} {loc.split()[-1]}" if rewrite else f"{to}/ /"
    assert edit.new == want + f"proxy_redirect {redirect}; proxy_pass http://$upstream;"
    assert f.text == f"replace `{edit.old}` with `{edit.new}`"
    assert nginx_t(tmp_path, patched(text, f)) == (True, None)


def test_resolver_in_scope_is_not_repeated() -> None:
    _, f = hint("resolver 127.0.0.11;\n" + SERVER.format(loc="/", body="proxy_pass http://app:3000;"))
    assert f.edits[0].new == (
        "set $upstream app:3000; proxy_redirect http://app:3000/ /; proxy_pass http://$upstream;"
    )


def test_redirects_and_host_as_written() -> None:
    """A user's proxy_redirect stays in force; a pass without port keeps its Host header ``app``."""
    body = "proxy_redirect off; proxy_pass http://app;"
    _, f = hint(SERVER.format(loc="/", body=body))
    assert f.edits[0].new.endswith("set $upstream app; proxy_pass http://$upstream;")


def test_set_goes_before_the_locations_own_rewrites(isolation: None, tmp_path) -> None:
    body = "rewrite ^/old(.*)$ /new$1 break;\n proxy_pass http://app:3000;"
    text, f = hint(SERVER.format(loc="/", body=body))
    before, replace = f.edits
    assert before.before and before.old == "rewrite ^/old(.*)$ /new$1 break;"
    assert before.new == "resolver 127.0.0.11 valid=10s ipv6=off; set $upstream app:3000;"
    assert replace.new == "proxy_redirect http://app:3000/ /; proxy_pass http://$upstream;"
    assert nginx_t(tmp_path, patched(text, f)) == (True, None)


def test_no_edits_when_a_rewrite_and_a_uri_part_meet() -> None:
    body = "rewrite ^/old(.*)$ /new$1 break; proxy_pass http://app:3000/x/;"
    _, f = hint(SERVER.format(loc="/", body=body))
    assert not f.edits and "rewrite the URI to match" in f.text


def test_every_static_pass_to_the_address_changes(isolation: None, tmp_path) -> None:
    # nginx makes app:3000 an implicit group; a variable whose value is "app:3000" would use it.
    http = (
        "server { listen 8080;\n"
        " location /a/ { proxy_pass http://app:3000/; }\n"
        " location /b/ { proxy_pass http://app:3000/b/; }\n"
        " location /c/ { proxy_pass http://app:4000/; }\n"
        "}"
    )
    text, f = hint(http)
    assert [e.loc.line for e in f.edits] == [4, 5]
    assert f.text.startswith("every pass to app:3000")
    assert nginx_t(tmp_path, patched(text, f)) == (True, None)


GROUP = "upstream backend { INNER }\n" + SERVER.format(loc="/", body="proxy_pass http://backend;")


def group(inner: str) -> str:
    return GROUP.replace("INNER", inner)


@pytest.mark.parametrize(
    "image", ["nginx", "nginx:alpine", "nginx:1.27.3", "nginx:stable-alpine", "nginx:1.29"]
)
def test_group_with_resolve_on_recent_nginx(image: str, isolation: None, tmp_path) -> None:
    text, f = hint(group("server app:3000; keepalive 16;"), image)
    resolver, server = f.edits
    assert resolver == Edit(Loc(FILE, 3), "upstream backend { ... }", fix.RESOLVER, before=True)
    assert server.new == "zone upstream_backend 64k; server app:3000 resolve;"
    assert "keeps the group" in f.text
    ok, message = nginx_t(tmp_path, patched(text, f))
    # Debian's nginx 1.22 predates the parameter; without it the config is accepted.
    assert (ok, message) == (False, 'invalid parameter "resolve"')
    assert nginx_t(tmp_path / "2", patched(text, f).replace(" resolve;", ";")) == (True, None)


@pytest.mark.parametrize("image", [None, "nginx:1.25-alpine", "nginx:1.27.2", "dockernet-test/nginx:latest"])
def test_group_of_one_becomes_a_variable_elsewhere(image: str | None, isolation: None, tmp_path) -> None:
    text, f = hint(group("server app:3000 max_fails=2; keepalive 16;"), image)
    replace, remove = f.edits
    assert replace.new == (
        "resolver 127.0.0.11 valid=10s ipv6=off; set $upstream app:3000; "
        "proxy_redirect http://backend/ /; proxy_set_header Host backend; proxy_pass http://$upstream;"
    )
    assert remove == Edit(Loc(FILE, 3), "upstream backend { ... }", "")
    assert "its keepalive with it" in f.text and "DN302" in f.text and "resolve;" in f.text
    after = patched(text, f)
    assert after.count("\n") == text.count("\n")  # no line moves
    assert nginx_t(tmp_path, after) == (True, None)


def test_group_of_several_needs_resolve() -> None:
    _, f = hint(group("server app:3000; server app2:3000;"), None)
    assert [e.new for e in f.edits][-1] == "zone upstream_backend 64k; server app:3000 resolve;"
    assert "older nginx cannot re-resolve a group" in f.text


def test_old_hint_is_gone() -> None:
    """The hint of 0.1, `server $upstream;`, is refused by nginx -t (invalid host)."""
    for inner in ("server app:3000;", "server app:3000; server b:1;"):
        _, f = hint(group(inner), None)
        assert "server $" not in f.text


@pytest.mark.parametrize(
    ("image", "supported"),
    [
        ("nginx", True),
        ("nginx:latest", True),
        ("docker.io/library/nginx:mainline-alpine", True),
        ("nginx:1", True),
        ("nginx:1.27", True),
        ("nginx:1.27.3-alpine", True),
        ("nginx:1.27.2", False),
        ("nginx:1.26", False),
        ("nginx:1.19-alpine", False),
        ("nginxinc/nginx-unprivileged:1.28", True),
        ("nginx@sha256:abc", None),
        ("bitnami/nginx:1.29", None),
        ("registry:5000/nginx:1.29", None),
        (None, None),
    ],
)
def test_resolve_supported(image: str | None, supported: bool | None) -> None:
    assert fix.resolve_supported(image) is supported


def test_apply_refuses_an_edit_that_does_not_match() -> None:
    with pytest.raises(InputError, match="no statement"):
        fix.apply(b"events {}\n", FILE, (Edit(Loc(FILE, 1), "proxy_pass http://x;", ""),))


def test_apply_keeps_quoted_and_multi_line_statements() -> None:
    data = b'a 1;\nproxy_pass\n  "http://app:3000";\nb 2;\n'
    out = fix.apply(data, FILE, (Edit(Loc(FILE, 2), "proxy_pass http://app:3000;", "proxy_pass http://x;"),))
    assert out == b"a 1;\nproxy_pass http://x;\n\nb 2;\n"


def test_host_header_not_kept_over_inherited_headers() -> None:
    """proxy_set_header in the location would drop the server's: no edits that change the variable's Host."""
    http = "server { listen 8080; proxy_set_header X-A 1; location / { proxy_pass http://backend; } }"
    _, f = hint("upstream backend { server app:3000; }\n" + http, None)
    assert all(" resolve;" in e.new or e.new.startswith("resolver") for e in f.edits)


def test_no_rewrite_when_the_location_reads_uri() -> None:
    body = "proxy_set_header X-Path $uri; proxy_pass http://app:3000/;"
    _, f = hint(SERVER.format(loc="/api/", body=body))
    assert not f.edits and "$uri" in f.text


def test_find_gives_what_a_walk_of_the_tree_gives() -> None:
    """``find`` indexes each config once (4,000 upstream servers walked the tree 4,000 times); it answers as
    the first match of a depth-first walk, for every directive of two configs."""
    from dockernet.dialects.nginx.syntax import walk

    for text in (
        "events {}\nhttp {\nupstream u {\nserver a:1;\nserver b:2;\n}\n"
        "server {\nlisten 80;\nlocation / { proxy_pass http://u; }\n}\n}\n",
        "http { server { location /a/ { proxy_pass http://a; } location /b/ { proxy_pass http://b; } } }\n",
    ):
        tree = parse_text(text, "/etc/nginx/nginx.conf")
        for d, _parents in walk(tree):
            first = next(
                (x, p)
                for x, p in walk(tree)
                if x.name == d.name and x.loc.file == d.loc.file and x.loc.line == d.loc.line
            )
            assert fix.find(tree, d.loc.file, d.loc.line, d.name) == first
        assert fix.find(tree, "/etc/nginx/nginx.conf", 99, "server") is None
