"""The Caddy reader on inline Caddyfiles: lexer, blocks, imports, placeholders, upstream forms, errors at
file:line. What Caddy itself does with the same files is proven in test_differential.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockernet.dialects import caddy
from dockernet.dialects.base import Located
from dockernet.dialects.caddy.lexer import tokenize
from dockernet.errors import InputError
from dockernet.model import Loc, Lookup, Proxy, Service, UnreadProxy
from dockernet.sources.files import HostTree

HEAD = "{\n\tauto_https off\n\tadmin off\n}\n"


def read(
    tmp_path: Path,
    text: str,
    *,
    env: dict[str, str] | None = None,
    files: dict[str, str] | None = None,
    image: str = "caddy:2",
    command: tuple[str, ...] = (),
) -> Proxy:
    etc = tmp_path / "etc"
    etc.mkdir(exist_ok=True)
    (etc / "Caddyfile").write_text(text)
    for name, body in (files or {}).items():
        (etc / name).parent.mkdir(parents=True, exist_ok=True)
        (etc / name).write_text(body)
    svc = Service(
        project="p",
        name="caddy",
        loc=Loc("compose.yaml", 1),
        image=image,
        command=command,
        environment=env or {},
    )
    located = caddy.DIALECT.locate(svc)
    tree = HostTree([(located.directory, str(etc))] if located.directory == "/etc/caddy" else [])
    got = caddy.DIALECT.read(svc, tree, located, "bind mount", at_start=True)
    assert isinstance(got, Proxy), got
    return got


def dials(proxy: Proxy) -> list[str]:
    out = []
    for r in proxy.routes:
        for u in r.upstreams:
            if u.unix_path:
                out.append(f"unix/{u.unix_path}")
            elif u.dynamic:
                out.append(u.raw)
            else:
                out.append(f"{u.host}:{u.port}")
    return out


def syntax(proxy: Proxy) -> caddy.Syntax:
    assert isinstance(proxy.syntax, caddy.Syntax)
    return proxy.syntax


def test_lexer_quotes_comments_heredoc_continuation() -> None:
    src = 'a "b c" `d "e"` # comment\nf \\\n g\nh <<EOF\n  x\n  EOF\ni\n'
    tokens, _ = tokenize(src, "/f", {})
    assert [(t.text, t.line) for t in tokens] == [
        ("a", 1),
        ("b c", 1),
        ('d "e"', 1),
        ("f", 2),
        ("g", 2),
        ("h", 4),
        ("x\n", 4),
        ("i", 7),
    ]


def test_env_placeholders_keep_what_was_written() -> None:
    tokens, vanished = tokenize("x {$UP} {$NONE:d:1} {$GONE}\n", "/f", {"UP": "a:1 b:2"})
    assert [t.text for t in tokens] == ["x", "a:1", "b:2", "d:1"]
    assert [t.shown for t in tokens] == ["x", "{$UP}", "{$UP}", "{$NONE:d:1}"]
    assert [(v.line, v.written) for v in vanished] == [(1, "{$GONE}")]


def test_sites_paths_and_upstream_forms(tmp_path: Path) -> None:
    proxy = read(
        tmp_path,
        HEAD + ":80, http://app.test {\n"
        "\treverse_proxy /a/* app:3000 other\n"
        "\thandle_path /api/* {\n\t\treverse_proxy h2c://grpc:50051\n\t}\n"
        "\troute /r {\n\t\treverse_proxy {\n\t\t\tto https://secure https://app:8000-8002\n\t\t}\n\t}\n"
        "\treverse_proxy unix//run/app.sock\n"
        "\tphp_fastcgi php:9000\n"
        "}\n",
    )
    assert dials(proxy) == [
        "app:3000",
        "other:80",
        "grpc:50051",
        "secure:443",
        "app:8000",
        "app:8001",
        "app:8002",
        "unix//run/app.sock",
        "php:9000",
    ]
    paths = [r.match.path for r in proxy.routes]
    assert paths == ["/a/*", "/api/*", "/r", None, None]
    assert proxy.routes[0].match.hosts == ("app.test",)
    assert proxy.routes[0].match.entry == (":80",)
    assert proxy.listens == (80,)
    assert {u.protocol for u in proxy.routes[2].upstreams} == {"https"}
    assert proxy.routes[4].upstreams[0].protocol == "fastcgi"
    assert all(u.lookup is Lookup.PER_CONNECTION for r in proxy.routes for u in r.upstreams)
    assert proxy.routes[0].forward.loc.line == 6


def test_snippets_with_args_and_imported_files(tmp_path: Path) -> None:
    proxy = read(
        tmp_path,
        HEAD
        + "(up) {\n\treverse_proxy {args[0]}:3000\n}\n:80 {\n\timport up api\n\timport sites/*.caddy\n}\n",
        files={"sites/a.caddy": "reverse_proxy /a/* a:1\n", "sites/b.caddy": "reverse_proxy /b/* b:2\n"},
    )
    assert dials(proxy) == ["api:3000", "a:1", "b:2"]
    assert [Path(r.forward.loc.file).name for r in proxy.routes] == ["Caddyfile", "a.caddy", "b.caddy"]
    assert proxy.routes[0].forward.loc.line == 6  # the snippet's line, as Caddy reports it


def test_env_in_upstream_and_site(tmp_path: Path) -> None:
    proxy = read(
        tmp_path,
        HEAD + "{$SITE} {\n\treverse_proxy {$UP}\n\treverse_proxy /x/* {env.BACK}\n}\n",
        env={"SITE": ":8080", "UP": "app:3000", "BACK": "back:81"},
    )
    assert dials(proxy) == ["app:3000", "back:81"]
    assert proxy.routes[0].forward.raw == "{$UP}"  # never the value
    assert proxy.listens == (8080,)


def test_dynamic_upstreams(tmp_path: Path) -> None:
    proxy = read(
        tmp_path,
        HEAD + ":80 {\n\treverse_proxy {http.request.host}:80\n"
        "\treverse_proxy /d/* {\n\t\tdynamic a app 80\n\t}\n}\n",
    )
    assert all(u.dynamic for r in proxy.routes for u in r.upstreams)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("reverse_proxy http://app:3000/api", "only support scheme, host, and port"),
        ("reverse_proxy ws://app", "only supported in browsers"),
        ("reverse_proxy http://a b", "expecting 'http://' but got '://'"),
        ("reverse_proxy https://{env.X}", "placeholders are not allowed"),
        ("reverse_proxy ftp://a", "unsupported URL scheme ftp://"),
        ("reverse_prxy app:3000", "unrecognized directive: reverse_prxy"),
    ],
)
def test_refusals(tmp_path: Path, line: str, reason: str) -> None:
    proxy = read(tmp_path, HEAD + f":80 {{\n\t{line}\n}}\n")
    (refusal,) = syntax(proxy).refusals
    assert reason in refusal.reason
    assert refusal.loc.line == 6


def test_unknown_directive_allowed_in_custom_builds(tmp_path: Path) -> None:
    proxy = read(
        tmp_path, HEAD + ":80 {\n\tcrowdsec\n\treverse_proxy app:3000\n}\n", image="my/caddy-plugins"
    )
    assert not syntax(proxy).refusals


def test_empty_upstreams_name_the_unset_variable(tmp_path: Path) -> None:
    proxy = read(tmp_path, HEAD + ":80 {\n\treverse_proxy {$UPSTREAM}\n}\n")
    (empty,) = syntax(proxy).empty
    assert empty.vanished == ("{$UPSTREAM}",)
    assert empty.loc.line == 6


def test_automatic_https_sites(tmp_path: Path) -> None:
    proxy = read(
        tmp_path,
        "shop.example.com {\n\treverse_proxy a:1\n}\nhttp://b.example.com {\n}\nlocalhost {\n}\n"
        "c.example.com {\n\ttls internal\n}\n:8080 {\n}\n",
    )
    assert [(s.host, s.port, s.acme) for s in syntax(proxy).sites] == [
        ("shop.example.com", 443, True),
        ("b.example.com", 80, False),
        ("localhost", 443, False),
        ("c.example.com", 443, False),
        ("", 8080, False),
    ]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (":80 {\n\treverse_proxy app\n", 2, "Unexpected EOF"),
        (":80 {\n}\n}\n", 3, "subject does not qualify for certificate: '}'"),
        (":80 {\n\timport nope.caddy\n}\n", 2, "File to import not found"),
        ("(a) {\n}\n(a) {\n}\n", 3, "redeclaration of previously declared snippet a"),
        (":80 {\n\timport Caddyfile\n}\n", 2, "a cycle of imports exists"),
        (":80 {\n" + "route {\n" * 150 + "}\n" * 151, 102, "blocks nested more than 100 deep"),
    ],
)
def test_syntax_errors_name_file_and_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    with pytest.raises(InputError) as e:
        read(tmp_path, text)
    assert e.value.line == line
    assert message in e.value.message
    assert e.value.file.endswith("Caddyfile")


def test_json_config(tmp_path: Path) -> None:
    proxy = read(
        tmp_path,
        '{"apps": {"http": {"servers": {"srv0": {"listen": [":80"], '
        '"routes": [{"match": [{"path": ["/a/*"]}],'
        ' "handle": [{"handler": "reverse_proxy", "upstreams": [{"dial": "app:3000"}]}]}]}}}}}\n',
    )
    assert dials(proxy) == ["app:3000"]
    assert proxy.routes[0].match.path == "/a/*"
    assert proxy.listens == (80,)


def test_claims_and_config_path() -> None:
    def svc(image: str | None, command: tuple[str, ...] = ()) -> Service:
        return Service(project="p", name="s", loc=Loc("c", 1), image=image, command=command)

    assert caddy.DIALECT.claims(svc("caddy:2-alpine"))
    assert caddy.DIALECT.claims(svc("dockernet-test/caddy:latest"))
    assert not caddy.DIALECT.claims(svc("lucaslorentz/caddy-docker-proxy"))
    assert caddy.DIALECT.claims(svc("alpine", ("caddy", "run", "--config", "/srv/caddy.json")))
    located = caddy.DIALECT.locate(svc("caddy", ("caddy", "run", "--config", "/conf/Caddyfile")))
    assert located == Located("/conf/Caddyfile", "/conf")
    assert caddy.DIALECT.locate(svc("caddy")).entry == "/etc/caddy/Caddyfile"


def test_not_visible_is_unread(tmp_path: Path) -> None:
    svc = Service(project="p", name="caddy", loc=Loc("c", 1), image="caddy")
    got = caddy.DIALECT.read(svc, HostTree([]), caddy.DIALECT.locate(svc), "image", at_start=True)
    assert isinstance(got, UnreadProxy)


def test_json_config_given_with_config_flag(tmp_path: Path) -> None:
    doc = (
        '{"apps": {"http": {"servers": {"s": {"listen": [":8080"], "routes": [{"handle": '
        '[{"handler": "reverse_proxy", "upstreams": [{"dial": "unix//run/app.sock"}]}]}]}}}}}'
    )
    proxy = read(
        tmp_path,
        ":80 {\n\treverse_proxy unused:1\n}\n",
        files={"caddy.json": doc},
        command=("caddy", "run", "--config", "/etc/caddy/caddy.json"),
    )
    assert dials(proxy) == ["unix//run/app.sock"]
    assert proxy.listens == (8080,)


def test_scan_exec_dump_is_the_adapted_json() -> None:
    """``scan --exec``: ``caddy adapt`` in the container prints JSON, read as Caddy's native config."""
    from dataclasses import replace

    from dockernet.sources.tartree import DumpTree

    svc = Service(project="p", name="caddy", loc=Loc("c", 1), image="caddy")
    located = caddy.DIALECT.locate(svc)
    assert caddy.DIALECT.dump_command(located) == ("caddy", "adapt", "--config", "/etc/caddy/Caddyfile")
    out = (
        b'{"apps":{"http":{"servers":{"srv0":{"listen":[":80"],"routes":[{"handle":'
        b'[{"handler":"reverse_proxy","upstreams":[{"dial":"app:3000"}]}]}]}}}}}\n'
    )
    files = caddy.DIALECT.parse_dump(out)
    assert caddy.DIALECT.parse_dump(b"Error: adapting config\n") == {}
    got = caddy.DIALECT.read(
        svc, DumpTree(files), replace(located, entry=next(iter(files))), "exec", at_start=False
    )
    assert isinstance(got, Proxy)
    assert dials(got) == ["app:3000"]


def test_hints_rewrite_the_line_that_names_the_upstream(tmp_path: Path) -> None:
    proxy = read(
        tmp_path, HEAD + ":80 {\n\treverse_proxy /a* app:1\n\treverse_proxy {\n\t\tto https://b\n\t}\n}\n"
    )
    first, second = (r.upstreams[0] for r in proxy.routes)
    assert caddy.DIALECT.fix(proxy, first, "app", 3000).text == "reverse_proxy app:3000"
    assert caddy.DIALECT.fix(proxy, second, "b", 8443).text == "to https://b:8443"
