"""``dockernet scan`` and ``check --engine`` against the real engine (scripts/test-engine.sh), with real
nginx: small compose projects with a broken and a fixed route, the verdicts compared with what nginx
answers, a scan proven read-only by recording every request it sends, and the faults (a container that
vanishes mid-scan, no permission on the socket, an API version the engine does not speak).

Every project is named ``dnscan-<random>-...`` and removed (``compose down -v``) even when a test fails.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from tests.live.helpers import dockernet, project, sh, wget_status

SOCKET = "/var/run/docker.sock"
SECRET = "dnscan-s3cr3t-token"

BUSYBOX = "dockernet-test/busybox:latest"
NGINX = "dockernet-test/nginx:latest"


def unique(what: str) -> str:
    return f"dnscan-{uuid.uuid4().hex[:6]}-{what}"


def findings(done: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    assert "Traceback" not in done.stderr, done.stderr
    doc = json.loads(done.stdout)
    out: list[dict[str, Any]] = doc["findings"]
    return out


def status_through_nginx(container: str, path: str) -> int:
    """The status nginx answers for ``path``, asked from inside the proxy's own container."""
    printed = wget_status(container, path)
    for line in printed.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].startswith("HTTP/"):
            return int(parts[1])
    if "502" in printed:
        return 502
    if "504" in printed:
        return 504
    raise AssertionError(f"no status from nginx for {path}: {printed}")


# ------------------------------------------------------------------------------------------ scenario

COMPOSE = """
services:
  proxy:
    image: dockernet-test/nginx:latest
    volumes:
      - ./conf.d:/etc/nginx/conf.d:ro
      - ./site:/opt/site:ro
    depends_on: [app]
  app:
    image: dockernet-test/busybox:latest
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
    environment: {API_TOKEN: "dnscan-s3cr3t-token"}
    expose: ["8080"]
  worker:
    image: dockernet-test/busybox:latest
    command: @WORKER@
    expose: ["8080"]
  sick:
    image: dockernet-test/busybox:latest
    command: ["httpd", "-f", "-p", "9000", "-h", "/www"]
    expose: ["9000"]
    healthcheck: {test: @HEALTH@, interval: 1s, retries: 1}
"""
CONF = """
server {
    listen 80;
    resolver 127.0.0.11 valid=1s;
    proxy_connect_timeout 2s;
    location /ok/ { proxy_pass http://app:8080/; }
    location /sick/ { proxy_pass http://sick:9000/; }
    include /opt/site/*.conf;
}
"""
# Outside /etc/nginx: read by a second archive request, on demand.
SITE = """
location /worker/ {
    set $worker worker;
    proxy_pass http://$worker:8080/;
}
"""
BROKEN = {
    "compose.yaml": COMPOSE.replace("@WORKER@", '["sh", "-c", "exit 3"]').replace(
        "@HEALTH@", '["CMD", "false"]'
    ),
    "conf.d/default.conf": CONF,
    "site/worker.conf": SITE,
}
FIXED = {
    "compose.yaml": COMPOSE.replace("@WORKER@", '["httpd", "-f", "-p", "8080", "-h", "/www"]').replace(
        "@HEALTH@", '["CMD", "true"]'
    ),
    "conf.d/default.conf": CONF,
    "site/worker.conf": SITE,
}


@pytest.fixture(scope="module")
def broken(
    compose_cli: list[str], nginx_image: str, busybox_image: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    name = unique("broken")
    with project(
        compose_cli, tmp_path_factory.mktemp("broken"), name, BROKEN, wait_unhealthy=f"{name}-sick-1"
    ):
        yield name


@pytest.fixture(scope="module")
def fixed(
    compose_cli: list[str], nginx_image: str, busybox_image: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    name = unique("fixed")
    with project(compose_cli, tmp_path_factory.mktemp("fixed"), name, FIXED):
        yield name


def test_scan_flags_the_routes_nginx_fails_and_names_container_file_and_line(broken: str) -> None:
    done = dockernet("scan", "--project", broken, "--format", "json")
    assert done.returncode == 1, done.stderr
    dn110 = sorted((f["file"], f["line"], f["message"]) for f in findings(done) if f["rule"] == "DN110")
    assert [(file, line) for file, line, _ in dn110] == [
        ("/etc/nginx/conf.d/default.conf", 7),
        ("/opt/site/worker.conf", 4),
    ]
    assert f"{broken}-sick-1 is running but unhealthy" in dn110[0][2]
    assert f"{broken}-worker-1 is exited (exit code 3)" in dn110[1][2]
    for f in findings(done):
        if f["rule"] == "DN110":
            assert (f["project"], f["service"], f["container"]) == (broken, "proxy", f"{broken}-proxy-1")
    # Reality: the stopped worker's route fails in nginx; the working route answers.
    proxy = f"{broken}-proxy-1"
    assert status_through_nginx(proxy, "/worker/") == 502
    assert status_through_nginx(proxy, "/ok/") == 200
    text = dockernet("scan", "--project", broken)
    assert f"{proxy}:/opt/site/worker.conf:4: error DN110" in text.stdout
    for out in (done.stdout, done.stderr, text.stdout, text.stderr):
        assert SECRET not in out


def test_scan_near_miss_everything_running_and_healthy(fixed: str) -> None:
    done = dockernet("scan", "--project", fixed, "--format", "json")
    assert [f for f in findings(done) if f["severity"] == "error"] == []
    assert json.loads(done.stdout)["summary"]["partial"] == []
    proxy = f"{fixed}-proxy-1"
    for path in ("/ok/", "/worker/", "/sick/"):
        assert status_through_nginx(proxy, path) == 200, path


def test_scope_by_container_and_network(broken: str) -> None:
    by_container = findings(dockernet("scan", "--container", f"{broken}-proxy-1", "--format", "json"))
    assert {f["container"] for f in by_container} == {f"{broken}-proxy-1"}
    by_network = findings(dockernet("scan", "--network", f"{broken}_default", "--format", "json"))
    assert {f["rule"] for f in by_network} >= {"DN110"}
    unknown = dockernet("scan", "--project", "dnscan-no-such-project")
    assert unknown.returncode == 3 and unknown.stderr.count("\n") == 1


# ------------------------------------------------------------------------------------------ DN113


def test_dn113_live_container_on_a_removed_external_network(
    compose_cli: list[str], busybox_image: str, tmp_path: Path
) -> None:
    name = unique("ext")
    net = f"{name}-shared"
    compose = f"""
services:
  web:
    image: dockernet-test/busybox:latest
    command: ["sleep", "1000000"]
    networks: [shared]
networks:
  shared: {{external: true, name: {net}}}
"""
    sh("docker", "network", "create", net)
    try:
        with project(compose_cli, tmp_path, name, {"compose.yaml": compose}):
            before = findings(dockernet("scan", "--project", name, "--format", "json"))
            assert [f for f in before if f["rule"] == "DN113"] == []  # near-miss: the network exists
            sh(*compose_cli, "-p", name, "-f", str(tmp_path / "compose.yaml"), "stop", "-t", "1")
            sh("docker", "network", "rm", net)
            after = findings(dockernet("scan", "--project", name, "--format", "json"))
            hits = [f for f in after if f["rule"] == "DN113"]
            assert [(f["project"], f["container"]) for f in hits] == [(name, f"{name}-web-1")]
            assert f'"network {net} not found"' in hits[0]["message"]
    finally:
        sh("docker", "network", "rm", net, check=False)


def test_check_engine_dn113_and_its_near_miss(docker_engine: Any, tmp_path: Path) -> None:
    name = unique("chk")
    net = f"{name}-edge"
    (tmp_path / "compose.yaml").write_text(
        f"name: {name}\nservices:\n  web:\n    image: dockernet-test/busybox:latest\n    networks: [edge]\n"
        f"networks:\n  edge:\n    external: true\n    name: {net}\n"
    )
    missing = dockernet("check", "--engine", str(tmp_path), "--format", "json")
    hits = [f for f in findings(missing) if f["rule"] == "DN113"]
    assert [(Path(f["file"]).name, f["line"]) for f in hits] == [("compose.yaml", 7)]
    assert missing.returncode == 1
    assert [
        f for f in findings(dockernet("check", str(tmp_path), "--format", "json")) if f["rule"] == "DN113"
    ] == []
    sh("docker", "network", "create", net)
    try:
        present = dockernet("check", "--engine", str(tmp_path), "--format", "json")
        assert [f for f in findings(present) if f["rule"] == "DN113"] == []
    finally:
        sh("docker", "network", "rm", net, check=False)


# ------------------------------------------------------------------------------------------ read-only


class RecordingProxy:
    """A unix socket in front of the engine's that records the method and path of every request that
    passes, then forwards it unchanged (hijacked exec streams are forwarded raw)."""

    def __init__(self, path: Path, upstream: str = SOCKET) -> None:
        self.path = path
        self.upstream = upstream
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(str(path))
        self._server.listen(64)
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        up = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        up.connect(self.upstream)
        threading.Thread(target=_pump, args=(up, client), daemon=True).start()
        buf = b""
        try:
            while True:
                while b"\r\n\r\n" not in buf:
                    chunk = client.recv(65536)
                    if not chunk:
                        return
                    buf += chunk
                head, _, buf = buf.partition(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
                with self._lock:
                    self.requests.append((method, target))
                up.sendall(head + b"\r\n\r\n")
                if "upgrade" in headers.get("connection", "").lower() or "chunked" in headers.get(
                    "transfer-encoding", ""
                ):
                    up.sendall(buf)
                    _pump(client, up)
                    return
                size = int(headers.get("content-length", "0") or 0)
                while len(buf) < size:
                    chunk = client.recv(65536)
                    if not chunk:
                        return
                    buf += chunk
                up.sendall(buf[:size])
                buf = buf[size:]
        except OSError:
            return
        finally:
            client.close()
            up.close()


def _pump(src: socket.socket, dst: socket.socket) -> None:
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        with suppress(OSError):
            dst.shutdown(socket.SHUT_WR)


@pytest.fixture
def recorder(tmp_path: Path) -> Iterator[RecordingProxy]:
    proxy = RecordingProxy(tmp_path / "engine.sock")
    try:
        yield proxy
    finally:
        proxy.close()


def test_a_scan_sends_only_reads(broken: str, recorder: RecordingProxy) -> None:
    done = dockernet("scan", "--host", f"unix://{recorder.path}", "--format", "json")
    assert done.returncode in (0, 1), done.stderr
    assert any(f["rule"] == "DN110" and f["project"] == broken for f in findings(done))
    methods = {m for m, _ in recorder.requests}
    assert methods <= {"GET", "HEAD"}, recorder.requests
    paths = [p for _, p in recorder.requests]
    assert any("/archive?" in p for p in paths)  # the configs were read, through the recorder
    # Minimal calls: version, the two lists, one inspect per container, the archives.
    lists = [p for p in paths if p.split("?")[0].endswith(("/containers/json", "/networks"))]
    assert len(lists) == 2, lists


TMPFS = """
services:
  proxy:
    image: dockernet-test/nginx:latest
    tmpfs: [/etc/nginx]
    command:
      - sh
      - -c
      - >-
        printf 'events {}\\nhttp { resolver 127.0.0.11 valid=1s; server { listen 80;
        location / { set $$u gone; proxy_pass http://$$u:8080; } } }\\n' > /etc/nginx/nginx.conf
        && exec nginx -g 'daemon off;'
  gone:
    image: dockernet-test/busybox:latest
    command: ["sh", "-c", "exit 7"]
"""


def test_a_config_on_tmpfs_needs_exec_and_exec_is_the_only_write(
    compose_cli: list[str], nginx_image: str, tmp_path: Path, recorder: RecordingProxy
) -> None:
    name = unique("tmpfs")
    with project(compose_cli, tmp_path / "p", name, {"compose.yaml": TMPFS}):
        time.sleep(1)
        plain = dockernet("scan", "--host", f"unix://{recorder.path}", "--project", name, "--format", "json")
        notes = [f for f in findings(plain) if f["rule"] == "DN305"]
        assert notes and "tmpfs" in notes[0]["message"]
        assert any("tmpfs" in p for p in json.loads(plain.stdout)["summary"]["partial"])
        assert {m for m, _ in recorder.requests} <= {"GET", "HEAD"}
        del recorder.requests[:]
        allowed = dockernet(
            "scan", "--host", f"unix://{recorder.path}", "--project", name, "--exec", "--format", "json"
        )
        hits = [f for f in findings(allowed) if f["rule"] == "DN110"]
        assert [(f["file"], f["line"]) for f in hits] == [("/etc/nginx/nginx.conf", 2)]
        assert "exit code 7" in hits[0]["message"]
        posts = [p for m, p in recorder.requests if m == "POST"]
        assert posts and all("/exec" in p for p in posts), recorder.requests


# ------------------------------------------------------------------------------------------ faults


def test_a_container_that_disappears_mid_scan_gives_a_partial_result(busybox_image: str) -> None:
    from dockernet.pipeline.config import Config
    from dockernet.pipeline.scan import scan_engine
    from dockernet.sources.engine.snapshot import Scope

    name = unique("vanish")
    sh(
        "docker",
        "run",
        "-d",
        "--name",
        name,
        "--label",
        f"com.docker.compose.project={name}",
        busybox_image,
        "sleep",
        "1000",
    )
    removed: list[str] = []

    def progress(phase: str, done: int, total: int) -> None:
        # Right after the lists and before the inspects: the engine forgets the container.
        if phase.startswith("listing") and done == total and not removed:
            sh("docker", "rm", "-f", name)
            removed.append(name)

    try:
        report = scan_engine(Scope(projects=frozenset({name})), Config(), progress=progress).report
    finally:
        sh("docker", "rm", "-f", name, check=False)
    assert removed
    assert any(f"container {name} disappeared during the scan" in p for p in report.partial)


def test_unreachable_engine_is_one_line_exit_4(tmp_path: Path) -> None:
    done = dockernet("scan", "--host", f"unix://{tmp_path}/nothing.sock")
    assert done.returncode == 4
    assert done.stderr.count("\n") == 1 and "no such socket" in done.stderr


def test_permission_denied_says_how_to_fix(docker_engine: Any) -> None:
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to drop to an unprivileged user")
    done = subprocess.run(
        [
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            sys.executable,
            "-m",
            "dockernet",
            "scan",
            "--host",
            f"unix://{SOCKET}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd="/",
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(REPO), "HOME": "/nonexistent"},
        check=False,
    )
    assert done.returncode == 4, done.stderr
    assert "permission denied" in done.stderr and "docker group" in done.stderr and "sudo" in done.stderr
    assert done.stderr.count("\n") == 1


def test_an_api_version_the_engine_does_not_speak(docker_engine: Any) -> None:
    done = dockernet("scan", env={"DOCKER_API_VERSION": "1.99"})
    assert done.returncode == 4, done.stderr
    assert "1.99" in done.stderr and "DOCKER_API_VERSION" in done.stderr and done.stderr.count("\n") == 1


def test_a_running_proxy_of_a_kind_dockernet_does_not_read_is_reported(busybox_image: str) -> None:
    """A live HAProxy (here busybox's sleep, started as ``haproxy``: the command is what names it) is a
    DN305 warning, not a silent "0 proxies"."""
    from dockernet.pipeline.config import Config
    from dockernet.pipeline.scan import scan_engine
    from dockernet.sources.engine.snapshot import Scope

    name = unique("haproxy")
    script = "ln -s /bin/sleep /tmp/haproxy; exec /tmp/haproxy 1000"
    label = f"com.docker.compose.project={name}"
    sh("docker", "run", "-d", "--name", name, "--label", label, busybox_image, "sh", "-c", script)
    try:
        report = scan_engine(Scope(projects=frozenset({name})), Config()).report
    finally:
        sh("docker", "rm", "-f", name, check=False)
    dn305 = [f for f in report.findings if f.rule == "DN305"]
    assert [f.severity.value for f in dn305] == ["warning"], report.findings
    assert "HAProxy" in dn305[0].message
    assert (report.unread, report.routes) == (1, 0)
