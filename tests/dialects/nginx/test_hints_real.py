"""The per-request hint sends the app the same request as the static pass it replaces, proven on the real
nginx (Debian's 1.22), and dockernet's path mapping (:func:`dockernet.dialects.nginx.locations.passed_path`,
used by tests/rules/test_hints_apply.py and DN202) agrees with it.

For each shape of location and ``proxy_pass`` (prefix with and without a trailing slash, ``^~``, ``=``,
a URI part or none, a path with a dot), nginx runs twice in a private network namespace: once with the
original config (``app`` in /etc/hosts, looked up at start) and once with the hint applied (``app`` looked
up per request through ``resolver 127.0.0.11``, answered by a stub DNS server). Requests with escapes,
double slashes, dot segments, arguments and the bare prefix go through both; the request line and the Host
header the echo app receives must be byte for byte the same, and so must the ``Location`` the client gets
back from the app's redirect (built from its Host header, as apps do: nginx's default ``proxy_redirect``
rewrites it for a static pass only, so the hint writes it out); the decoded path must be what dockernet
computes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

from dockernet.dialects.nginx import fix, routes
from dockernet.dialects.nginx.locations import passed_path
from dockernet.dialects.nginx.syntax import parse_text
from tests.dialects.nginx.test_differential import Sandbox, isolation

__all__ = ["isolation"]  # a fixture, used by name

pytestmark = pytest.mark.nginx

# (location, pass) shapes; the app listens on 3000.
SHAPES = [
    ("/api/", "http://app:3000/"),
    ("/api", "http://app:3000/"),
    ("/api/", "http://app:3000"),
    ("/api/", "http://app:3000/v1"),
    ("/api/", "http://app:3000/v1/"),
    ("/api", "http://app:3000/v1"),
    ("^~ /static/", "http://app:3000/files/"),
    ("= /exact", "http://app:3000/other"),
    ("/", "http://app:3000/"),
    ("/", "http://app:3000/base/"),
    ("/a.b/", "http://app:3000/"),
]
REQUESTS = [
    "",
    "users",
    "users?page=2&x=%20",
    "a%20b",
    "a%2Fb",
    "a%3Fb",
    "/double",
    "x/../y",
    "%E2%82%AC",
    "trailing/",
]

HELPER = r"""
import json, os, socket, subprocess, sys, threading, time, http.client
root, conf, requests = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
for src in ("/usr", "/proc"):
    subprocess.run(["mount", "--bind", src, root + src], check=True)
seen = []

def dns():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.11", 53))
    while True:
        q, addr = s.recvfrom(512)
        end = q.index(b"\0", 12) + 5
        qtype = q[end - 4:end - 2]
        head = q[:2] + b"\x81\x80" + q[4:6] + (b"\0\1" if qtype == b"\0\1" else b"\0\0") + b"\0\0\0\0"
        answer = b"\xc0\x0c\0\1\0\1\0\0\0\0\0\4\x7f\0\0\1" if qtype == b"\0\1" else b""
        s.sendto(head + q[12:end] + answer, addr)

def echo():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 3000))
    s.listen(16)
    while True:
        c, _ = s.accept()
        data = b""
        while b"\r\n\r\n" not in data:
            more = c.recv(4096)
            if not more:
                break
            data += more
        text = data.decode("latin-1")
        line = text.split("\r\n", 1)[0]
        headers = [h.split(":", 1) for h in text.split("\r\n")[1:] if ":" in h]
        host = next((v.strip() for k, v in headers if k.lower() == "host"), "")
        seen.append(line + " Host: " + host)
        # Like an app that builds absolute redirects from its Host header.
        where = "http://" + host + line.split(" ")[1]
        reply = "HTTP/1.0 302 Found\r\nLocation: " + where + "\r\nContent-Length: 2\r\n\r\nok"
        c.sendall(reply.encode("latin-1"))
        c.close()

for target in (dns, echo):
    threading.Thread(target=target, daemon=True).start()
nginx = subprocess.Popen(["chroot", root, "/usr/sbin/nginx", "-c", conf], stderr=subprocess.PIPE)
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", 8080), timeout=0.1).close()
        break
    except OSError:
        time.sleep(0.05)
out = []
for path in requests:
    before = len(seen)
    c = http.client.HTTPConnection("127.0.0.1", 8080, timeout=5)
    c.putrequest("GET", path, skip_accept_encoding=True)
    c.endheaders()
    r = c.getresponse()
    r.read()
    out.append([path, r.status, seen[before] if len(seen) > before else None, r.getheader("Location")])
nginx.terminate()
nginx.wait()
print(json.dumps(out))
"""


def config(location: str, body: str, http: str = "") -> str:
    return (
        "daemon off; master_process off; pid /run/nginx.pid; error_log /var/log/nginx/error.log;\n"
        "events { worker_connections 16; }\n"
        f"http {{ access_log off; {http}\nserver {{ listen 127.0.0.1:8080;\n"
        f"    location {location} {{ {body} }}\n"
        "} }\n"
    )


def patched(text: str) -> str:
    """The config with dockernet's DN301 hint for its one route applied."""
    directives = parse_text(text, "/etc/nginx/nginx.conf")
    found = routes.extract(directives, ("p", "nginx")).routes
    (route,) = found
    hint = fix.per_request_fix(directives, found, route, route.upstreams[0], "app", 3000, None)
    assert hint.edits, hint.text
    data = text.encode()
    return fix.apply(data, "/etc/nginx/nginx.conf", hint.edits).decode()


def run(tmp: Path, text: str, requests: list[str]) -> list[tuple[str, int, str | None, str | None]]:
    box = Sandbox(tmp)
    box.hosts.append("app")
    box.write_etc()
    box.place("/etc/nginx/nginx.conf", text.encode())
    helper = tmp.parent / f"{tmp.name}-helper.py"
    helper.write_text(HELPER)
    done = subprocess.run(
        [
            "unshare",
            "-m",
            "-n",
            sys.executable,
            str(helper),
            str(tmp),
            "/etc/nginx/nginx.conf",
            json.dumps(requests),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    log = box.path("/var/log/nginx/error.log")
    assert "emerg" not in (log.read_text() if log.exists() else ""), log.read_text()
    return [tuple(x) for x in json.loads(done.stdout)]


@pytest.mark.parametrize("shape", SHAPES, ids=[f"{loc} {to}" for loc, to in SHAPES])
def test_same_request_upstream(shape: tuple[str, str], isolation: None, tmp_path: Path) -> None:
    location, to = shape
    prefix = location.split()[-1]
    paths = [prefix] if location.startswith("=") else [prefix + r for r in REQUESTS]
    paths += [prefix.rstrip("/") or "/"]
    original = config(location, f"proxy_pass {to};")
    fixed = patched(original)
    assert "$upstream" in fixed
    before = run(tmp_path / "before", original, paths)
    after = run(tmp_path / "after", fixed, paths)
    assert after == before, (fixed, before, after)
    directives = parse_text(original, "/etc/nginx/nginx.conf")
    (route,) = routes.extract(directives, ("p", "nginx")).routes
    loc = fix.find(directives, route.match.loc.file, route.match.loc.line, "location")
    assert loc is not None
    answered = 0
    for path, status, line, _location in before:
        if status != 302 or line is None:
            continue  # the 301 nginx answers for a prefix without its slash, in both configs
        answered += 1
        sent = line.split(" ")[1]
        plain = path.split("?")[0]
        if "%" in plain or "/." in plain or "//" in plain:
            continue  # nginx normalises these first; the raw lines compared above cover them
        want = passed_path(loc[0], route.forward, unquote(plain))
        assert want == unquote(sent.split("?")[0]), (path, sent, want)
    assert answered


def test_group_replaced_by_a_variable(isolation: None, tmp_path: Path) -> None:
    """nginx before 1.27.3: the one-server group becomes a variable in its pass, and is removed."""
    original = config(
        "/app/", "proxy_pass http://backend;", "upstream backend { server app:3000; keepalive 4; }"
    )
    fixed = patched(original)
    assert "upstream backend" not in fixed and "proxy_pass http://$upstream;" in fixed
    paths = ["/app/" + r for r in REQUESTS]
    before = run(tmp_path / "before", original, paths)
    assert all(status == 302 for _, status, _, _ in before)
    assert run(tmp_path / "after", fixed, paths) == before
