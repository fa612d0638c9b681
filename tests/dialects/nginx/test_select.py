"""nginx's server and location selection (:mod:`dockernet.dialects.nginx.select`), proven against the real
nginx: a config where every location answers its own name with ``return``, requests with several Host
headers and paths, and the body nginx sends must name the location dockernet picks."""

from __future__ import annotations

import http.client
import socket
import subprocess
import time
from pathlib import Path

import pytest

from dockernet.dialects.nginx.select import normalise, pick
from dockernet.dialects.nginx.syntax import parse_text

CONF = """
server {{
    listen 127.0.0.1:{port};
    return 200 "default-server";
}}
server {{
    listen 127.0.0.1:{port};
    server_name shop.test *.wild.test ~^re[0-9]+\\.test$;
    location = /exact {{ return 200 "exact"; }}
    location / {{ return 200 "root"; }}
    location /api/ {{ return 200 "api"; }}
    location /api/v2/ {{
        return 200 "api-v2";
        location ~ \\.json$ {{ return 200 "api-v2-json"; }}
    }}
    location ^~ /static/ {{ return 200 "static"; }}
    location ~ \\.php$ {{ return 200 "php"; }}
    location ~* \\.(png|jpg)$ {{ return 200 "image"; }}
    location ~ ^/api/.*\\.php$ {{ return 200 "api-php-late"; }}
}}
"""

CASES = [
    ("shop.test", "/exact"),
    ("shop.test", "/exact/"),
    ("shop.test", "/"),
    ("shop.test", "/api/users"),
    ("shop.test", "/api/x.php"),
    ("shop.test", "/api/v2/a"),
    ("shop.test", "/api/v2/a.json"),
    ("shop.test", "/static/a.php"),
    ("shop.test", "/static/../api/a"),
    ("shop.test", "/img/A.PNG"),
    ("shop.test", "//api//users"),
    ("shop.test", "/%61pi/x"),
    ("a.wild.test", "/api/"),
    ("re42.test", "/x.php"),
    ("other.test", "/api/"),
    ("SHOP.TEST", "/api/"),
]


def _name(picked: object, port: int, host: str, path: str, tree: list) -> str:
    p = pick(tree, port, host, path)
    d = p.location or p.server
    assert d is not None
    ret = next(x for x in d.block or () if x.name == "return")
    return ret.args[1]


def test_normalise() -> None:
    assert normalise("//a/./b/../c/") == "/a/c/"
    assert normalise("/%61pi") == "/api"
    assert normalise("/x?y=1") == "/x"


def test_no_server_on_port() -> None:
    tree = list(parse_text(CONF.format(port=8080), "t.conf"))
    assert pick(tree, 9999, "shop.test", "/").server is None


@pytest.mark.nginx
def test_selection_matches_real_nginx(nginx_bin: Path, tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    conf = CONF.format(port=port)
    (tmp_path / "logs").mkdir()
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; events {{}}\n"
        f"http {{ access_log off; client_body_temp_path {tmp_path}; proxy_temp_path {tmp_path};\n"
        f"fastcgi_temp_path {tmp_path}; uwsgi_temp_path {tmp_path}; scgi_temp_path {tmp_path};\n{conf}\n}}\n"
    )
    proc = subprocess.Popen(
        [str(nginx_bin), "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        tree = list(parse_text(conf, "t.conf"))
        for host, path in CASES:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", path, headers={"Host": host})
            got = c.getresponse().read().decode()
            c.close()
            assert _name(None, port, host, path, tree) == got, (host, path)
    finally:
        proc.terminate()
        proc.wait(10)
