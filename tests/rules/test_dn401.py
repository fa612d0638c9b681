"""DN401: what nginx refuses is a finding at nginx's file and line, for the images whose modules are known;
the rest of the project is still checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockernet import pipeline
from dockernet.errors import InputError
from dockernet.model.findings import Finding
from dockernet.pipeline.requests import ComposeRequest

COMPOSE = """\
services:
  proxy:
    image: {image}
    volumes:
      - ./default.conf:/etc/nginx/conf.d/default.conf:ro
{extra}
  app:
    image: dockernet-test/busybox:latest
    command: ["httpd", "-f", "-p", "3000"]
"""


def check(tmp_path: Path, conf: str, image: str = "nginx:1.27", extra: str = "") -> list[Finding]:
    (tmp_path / "compose.yaml").write_text(COMPOSE.format(image=image, extra=extra))
    (tmp_path / "default.conf").write_text(conf)
    topology = pipeline.load_static(ComposeRequest(dirs=(str(tmp_path),)))
    return list(pipeline.analyse(topology).findings)


def dn401(found: list[Finding]) -> list[tuple[str, int]]:
    return [(f.message, f.loc.line) for f in found if f.rule == "DN401"]


SERVER = "server {{\n    listen 80;\n    location / {{\n        {line}\n    }}\n}}\n"


def test_unknown_directive_and_the_rest_goes_on(tmp_path: Path) -> None:
    conf = SERVER.format(line="proxy_pass http://app:3000;") + "server {\n    proxy_pas http://nosuch:1;\n}\n"
    found = dn401(check(tmp_path, conf))
    assert found == [('nginx will refuse to start: unknown directive "proxy_pas"', 8)]


def test_syntax_error_is_a_finding_not_exit_2(tmp_path: Path) -> None:
    found = check(tmp_path, "server {\n    listen 80\n}\n")
    assert dn401(found) == [('nginx will refuse to start: unexpected "}"', 3)]


def test_own_limits_stay_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="Lua blocks"):
        check(tmp_path, "server {\n    content_by_lua_block { ngx.say(1) }\n}\n")


@pytest.mark.parametrize(
    ("image", "flagged"),
    [("nginx:1.27", True), ("dockernet-test/nginx:latest", True), ("openresty/openresty:alpine", False)],
)
def test_modules_known_only_for_the_official_and_test_images(
    tmp_path: Path, image: str, flagged: bool
) -> None:
    found = dn401(check(tmp_path, SERVER.format(line="more_set_headers 'X-A: b';"), image=image))
    assert bool(found) is flagged


def test_ssl_directive_depends_on_the_tag(tmp_path: Path) -> None:
    conf = "server {\n    listen 443;\n    ssl on;\n}\n"
    assert dn401(check(tmp_path, conf, image="nginx:1.27")) == [
        ('nginx will refuse to start: unknown directive "ssl"', 3)
    ]
    assert dn401(check(tmp_path, conf, image="nginx:1.21-alpine")) == []


@pytest.mark.parametrize(
    ("include", "extra", "flagged"),
    [
        ("/etc/nginx/snippets/proxy.conf", "", True),  # not in the image, nothing mounted there
        ("/etc/nginx/fastcgi_params", "", False),  # in the image
        ("/etc/nginx/snippets/*.conf", "", False),  # a glob may match nothing
        ("/etc/letsencrypt/options-ssl-nginx.conf", "", False),  # made at run time by certbot
        ("/etc/nginx/snippets/proxy.conf", "      - /etc/nginx/snippets", False),  # a volume
    ],
)
def test_include_of_a_file_the_image_lacks(tmp_path: Path, include: str, extra: str, flagged: bool) -> None:
    conf = f"server {{\n    listen 80;\n    include {include};\n}}\n"
    found = dn401(check(tmp_path, conf, extra=extra))
    expected = [(f'nginx will refuse to start: open() "{include}" failed (2: No such file or directory)', 3)]
    assert found == (expected if flagged else [])


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("nginx:1.27-alpine", [('nginx will refuse to start: unknown directive "ssl"', 3)]),
        ("nginx:1.21 AS web", [('nginx will refuse to start: unknown directive "more_set_headers"', 4)]),
        ("openresty/openresty:alpine", []),
    ],
)
def test_built_image_uses_the_table_of_its_base(
    tmp_path: Path, base: str, expected: list[tuple[str, int]]
) -> None:
    """A Dockerfile FROM the official image runs its nginx; FROM anything else, the modules are unknown."""
    (tmp_path / "compose.yaml").write_text("services:\n  proxy:\n    build: .\n")
    (tmp_path / "Dockerfile").write_text(f"FROM {base}\nCOPY default.conf /etc/nginx/conf.d/default.conf\n")
    (tmp_path / "default.conf").write_text(
        "server {\n    listen 80;\n    ssl on;\n    more_set_headers 'A: b';\n}\n"
    )
    topology = pipeline.load_static(ComposeRequest(dirs=(str(tmp_path),)))
    found = dn401(list(pipeline.analyse(topology).findings))
    assert found == expected


@pytest.mark.parametrize(
    ("command", "flagged"),
    [
        ("", True),  # the image's CMD: nginx -g "daemon off;"
        ('\n    command: ["nginx", "-g", "daemon off;"]', True),
        ('\n    command: ["sh", "-c", "envsubst < /t > /x && exec nginx -g \'daemon off;\'"]', True),
        ('\n    command: ["nginx"]', False),
    ],
)
def test_daemon_in_the_file_and_on_the_command_line(tmp_path: Path, command: str, flagged: bool) -> None:
    (tmp_path / "compose.yaml").write_text(
        "services:\n  proxy:\n    image: nginx:1.27\n    volumes:\n"
        f"      - ./nginx.conf:/etc/nginx/nginx.conf:ro{command}\n"
    )
    (tmp_path / "nginx.conf").write_text("daemon off;\nevents {}\nhttp {\n    server { listen 80; }\n}\n")
    topology = pipeline.load_static(ComposeRequest(dirs=(str(tmp_path),)))
    found = dn401(list(pipeline.analyse(topology).findings))
    assert found == ([('nginx will refuse to start: "daemon" directive is duplicate', 1)] if flagged else [])
