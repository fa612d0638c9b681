"""``dockernet scan`` beyond the configs, against the real engine (scripts/test-engine.sh) and real nginx:
the proxies' error logs explained per route, listening sockets read from /proc/net/tcp (DN111 and DN104
with certainty), stale start-up resolution (DN206) and ``--png``.

Every project is named ``dnx-<random>-...`` and removed (``compose down -v``) even when a test fails. The pure
parts have their tests beside their modules: the log's frames in tests/sources/engine/test_client.py,
/proc/net/tcp in tests/sources/engine/test_procnet.py, the engine's start times in tests/rules/test_dn206.py.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

from tests.live.helpers import dockernet, project, sh, wget_status

SECRET = "dnx-s3cr3t-query-token"


def unique(what: str) -> str:
    return f"dnx-{uuid.uuid4().hex[:6]}-{what}"


def get(container: str, path: str) -> str:
    """Ask nginx for ``path`` from inside its own container; the status line wget printed (or its error)."""
    return wget_status(container, path)


def scan_json(name: str, *extra: str) -> dict[str, Any]:
    done = dockernet("scan", "--project", name, "--format", "json", *extra)
    assert done.returncode in (0, 1), done.stderr
    doc: dict[str, Any] = json.loads(done.stdout)
    return doc


def wait_for(predicate: Any, timeout: float = 15) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError("timed out")
        time.sleep(0.2)


# ------------------------------------------------------------------------------------------ the log


LOG_COMPOSE = """
services:
  proxy:
    image: dockernet-test/nginx:latest
    volumes: ["./conf.d:/etc/nginx/conf.d:ro"]
    depends_on: [app]
  ttyproxy:
    image: dockernet-test/nginx:latest
    tty: true
    volumes: ["./conf.d:/etc/nginx/conf.d:ro"]
    depends_on: [app]
  app:
    image: dockernet-test/busybox:latest
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
    expose: ["8080"]
"""
LOG_CONF = """server {
    listen 80;
    location /api/ { proxy_pass http://app:9999/; }
    location /ok/ { proxy_pass http://app:8080/; }
}
"""


def test_scan_explains_the_proxy_error_log_per_route_and_links_the_finding(
    compose_cli: list[str], nginx_image: str, busybox_image: str, tmp_path: Path
) -> None:
    name = unique("log")
    files = {"compose.yaml": LOG_COMPOSE, "conf.d/default.conf": LOG_CONF}
    with project(compose_cli, tmp_path, name, files):
        for proxy in (f"{name}-proxy-1", f"{name}-ttyproxy-1"):
            wait_for(lambda p=proxy: "200" in get(p, "/ok/"))
            for _ in range(3):
                assert "502" in get(proxy, f"/api/items?token={SECRET}")
        assert SECRET in sh("docker", "logs", f"{name}-proxy-1").stderr  # the secret is in the raw log
        doc = scan_json(name)
        dn104 = [f for f in doc["findings"] if f["rule"] == "DN104"]
        assert {(f["container"], f["file"], f["line"]) for f in dn104} == {
            (f"{name}-proxy-1", "/etc/nginx/conf.d/default.conf", 3),
            (f"{name}-ttyproxy-1", "/etc/nginx/conf.d/default.conf", 3),
        }
        logs = {entry["container"]: entry for entry in doc["log"]}
        assert set(logs) == {f"{name}-proxy-1", f"{name}-ttyproxy-1"}  # with and without a TTY
        for entry in logs.values():
            assert entry["error"] is None and entry["errors"] == 3, entry
            [event] = entry["events"]  # near-miss: /ok/ answered, so it has no event
            assert (event["code"], event["status"], event["count"], event["location"]) == (
                "connect-refused",
                502,
                3,
                "/api/",
            )
            assert (event["file"], event["line"], event["target"]) == (
                "/etc/nginx/conf.d/default.conf",
                3,
                "app:9999",
            )
            assert event["finding"] == {"rule": "DN104", "file": "/etc/nginx/conf.d/default.conf", "line": 3}
            assert [u.split(" ", 1)[1] for u in event["upstreams"]] == [f"(app, {name}-app-1)"]
        text = dockernet("scan", "--project", name)
        assert f"{name}-proxy-1: 3 upstream errors in the last " in text.stdout
        assert (
            "    location /api/ -> app:9999 (/etc/nginx/conf.d/default.conf:3): 502 connect() refused "
            "(x3, last " in text.stdout
        )
        assert "): this is DN104\n" in text.stdout
        # The raw lines carry the request and its query string: never printed.
        for out in (json.dumps(doc), text.stdout, text.stderr):
            assert SECRET not in out and "token=" not in out and "GET /api" not in out
        off = scan_json(name, "--log-lines", "0")
        assert "log" not in off


def test_scan_log_of_an_nginx_that_did_not_start_points_at_the_directive(
    compose_cli: list[str], nginx_image: str, tmp_path: Path
) -> None:
    name = unique("emerg")
    compose = """
services:
  proxy:
    image: dockernet-test/nginx:latest
    volumes: ["./conf.d:/etc/nginx/conf.d:ro"]
"""
    conf = "server {\n    listen 80;\n    location / { proxy_pass http://nowhere-dnx:8080; }\n}\n"
    with project(compose_cli, tmp_path, name, {"compose.yaml": compose, "conf.d/default.conf": conf}):
        wait_for(
            lambda: (
                sh("docker", "inspect", "-f", "{{.State.Status}}", f"{name}-proxy-1").stdout.strip()
                == "exited"
            )
        )
        doc = scan_json(name)
        [entry] = doc["log"]
        [event] = entry["events"]
        assert (event["code"], event["startup"], event["line"]) == ("host-not-found", True, 3)
        assert event["message"] == 'host not found in upstream "nowhere-dnx"'
        assert event["finding"] is not None and event["finding"]["rule"] == "DN102"
        text = dockernet("scan", "--project", name).stdout
        assert 'host not found in upstream "nowhere-dnx", so nginx did not start (x1' in text


# ------------------------------------------------------------------------------------------ listeners


LISTEN_COMPOSE = """
services:
  proxy:
    image: dockernet-test/nginx:latest
    volumes: ["./conf.d:/etc/nginx/conf.d:ro"]
    depends_on: [local, elsewhere, fine]
  local:
    image: dockernet-test/busybox:latest
    command: ["sh", "-c", "a=127.0.0.1; exec httpd -f -p $$a:3000 -h /www"]
    expose: ["3000"]
  elsewhere:
    image: dockernet-test/busybox:latest
    command: ["sh", "-c", "p=8080; exec httpd -f -p $$p -h /www"]
    expose: ["3001"]
  fine:
    image: dockernet-test/busybox:latest
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
    expose: ["8080"]
"""
LISTEN_CONF = """server {
    listen 80;
    location /local/ { proxy_pass http://local:3000/; }
    location /elsewhere/ { proxy_pass http://elsewhere:3001/; }
    location /fine/ { proxy_pass http://fine:8080/; }
}
"""


def test_listening_sockets_from_proc_make_dn111_and_dn104_certain(
    compose_cli: list[str], nginx_image: str, busybox_image: str, tmp_path: Path
) -> None:
    name = unique("listen")
    files = {"compose.yaml": LISTEN_COMPOSE, "conf.d/default.conf": LISTEN_CONF}
    with project(compose_cli, tmp_path, name, files):
        proxy = f"{name}-proxy-1"
        wait_for(lambda: "200" in get(proxy, "/fine/"))
        # Reality: the loopback-bound app and the wrong port answer 502, the fine one 200.
        assert "502" in get(proxy, "/local/") and "502" in get(proxy, "/elsewhere/")
        # Without --exec the archive endpoint cannot give /proc (Engine 20.10: 404): the declarations
        # (expose 3000, expose 3001) say nothing is wrong, so nothing is certain.
        plain = scan_json(name)
        assert [f for f in plain["findings"] if f["rule"] in ("DN104", "DN111")] == []
        real = scan_json(name, "--exec")
        hits = sorted(
            (f["rule"], f["line"], f["message"]) for f in real["findings"] if f["rule"] in ("DN104", "DN111")
        )
        assert [(rule, line) for rule, line, _ in hits] == [("DN104", 4), ("DN111", 3)]
        assert "listening sockets: 127.0.0.1:3000 (read from /proc/net/tcp)" in hits[1][2]
        assert hits[0][2].endswith(
            "it declares 8080 (listening sockets: [::]:8080 (read from /proc/net/tcp))"
        )
        # Near-miss: /fine/ listens on all interfaces on the port nginx uses.
        assert not [f for f in real["findings"] if f["line"] == 5 and f["severity"] == "error"]


# ------------------------------------------------------------------------------------------ DN206


STALE_COMPOSE = """
services:
  proxy:
    image: dockernet-test/nginx:latest
    volumes: ["./conf.d:/etc/nginx/conf.d:ro"]
    depends_on: [app]
  app:
    image: dockernet-test/busybox:latest
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
    expose: ["8080"]
"""
STALE_CONF = """server {
    listen 80;
    resolver 127.0.0.11 valid=1s;
    location /static/ { proxy_pass http://app:8080/; }
    location /dynamic/ { set $app @NAME@-app-1; proxy_pass http://$app:8080/; }
}
"""


def test_dn206_target_restarted_after_the_proxy_with_a_new_address(
    compose_cli: list[str], nginx_image: str, busybox_image: str, tmp_path: Path
) -> None:
    name = unique("stale")
    # The per-request route names the container, not "app": nginx would reuse the implicit upstream that
    # the static "app:8080" creates (resolved at start-up) for a variable that evaluates to the same name.
    files = {"compose.yaml": STALE_COMPOSE, "conf.d/default.conf": STALE_CONF.replace("@NAME@", name)}
    filler = f"{name}-filler"
    with project(compose_cli, tmp_path, name, files) as argv:
        try:
            proxy, app = f"{name}-proxy-1", f"{name}-app-1"
            wait_for(lambda: "200" in get(proxy, "/static/"))
            # Near-miss: the app started before the proxy (depends_on).
            assert [f for f in scan_json(name)["findings"] if f["rule"] == "DN206"] == []
            old_ip = sh(
                "docker", "inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", app
            )
            sh(*argv, "stop", "-t", "1", "app")
            # Another container takes the app's old address; the app comes back with a new one.
            sh(
                "docker",
                "run",
                "-d",
                "--name",
                filler,
                "--network",
                f"{name}_default",
                busybox_image,
                "sleep",
                "600",
            )
            sh(*argv, "start", "app")
            new_ip = sh(
                "docker", "inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", app
            )
            assert old_ip.stdout.strip() != new_ip.stdout.strip()
            # Reality: the static name still goes to the old address; the per-request one follows the app.
            wait_for(lambda: "200" in get(proxy, "/dynamic/"))
            assert "502" in get(proxy, "/static/")
            doc = scan_json(name)
            hits = [f for f in doc["findings"] if f["rule"] == "DN206"]
            assert [(f["file"], f["line"], f["severity"]) for f in hits] == [
                ("/etc/nginx/conf.d/default.conf", 4, "warning")
            ]
            assert f"{app} started later" in hits[0]["message"] and '"app"' in hits[0]["message"]
            # The log of that 502 is linked to the finding.
            events = [e for entry in doc["log"] for e in entry["events"] if e["line"] == 4]
            assert events and events[0]["finding"]["rule"] == "DN206", doc["log"]
        finally:
            sh("docker", "rm", "-f", filler, check=False)


# ------------------------------------------------------------------------------------------ --png


def test_scan_png_draws_the_live_analysis(
    compose_cli: list[str], nginx_image: str, busybox_image: str, dot_bin: str, tmp_path: Path
) -> None:
    name = unique("png")
    files = {"compose.yaml": LOG_COMPOSE, "conf.d/default.conf": LOG_CONF}
    with project(compose_cli, tmp_path / "p", name, files):
        out = tmp_path / "topology.png"
        done = dockernet("scan", "--project", name, "--png", str(out), "--format", "json")
        assert done.returncode == 1, done.stderr  # DN104: the exit status is the scan's
        assert out.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and out.stat().st_size > 1000
        assert json.loads(done.stdout)["findings"]  # the report is still written
