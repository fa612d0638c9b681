"""Ground truth for proxies on the Docker host (compose-samples/*/HOST_PROXY): each sample's containers are
brought up on the real engine, and the host's own nginx (Debian's /usr/sbin/nginx, which
scripts/test-engine.sh installs) is started in front of them with its own prefix, pid file and logs, on a
loopback port; every route is requested from this machine's loopback. dockernet must flag exactly the routes
that answer 502/504 (with an error), or every route when nginx refuses the configuration, and a fixed sample
must answer 200 on every route.

The containers publish on 127.0.0.1 only (or on the docker0 address, for the mistake DN117 describes);
nothing but loopback and the test engine's own networks sees a packet.
"""

from __future__ import annotations

import http.client
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dockernet import pipeline, rules
from dockernet.model import Proxy
from dockernet.model.findings import Severity
from dockernet.pipeline.config import Config
from dockernet.pipeline.requests import ComposeRequest
from tests.live import groundtruth as gt
from tests.live.helpers import sh
from tests.samples import Sample, all_samples

SAMPLES = [s for s in all_samples() if s.host_proxies]
LISTEN = 28170
"""The port every host-nginx sample listens on (127.0.0.1 only)."""
HOST_NGINX = Path("/usr/sbin/nginx")


def _nginx_conf(sample: Sample, prefix: Path) -> Path:
    """The sample's host-nginx.conf with every file nginx writes moved into ``prefix`` (added on the line of
    ``http {``, so the line numbers of the routes stay the findings' lines)."""
    (kind, _, path) = sample.host_proxies[0].partition("=")
    assert kind == "nginx"
    text = Path(path).read_text()
    own = " ".join(
        f"{d} {prefix}/{d.split('_')[0]};"
        for d in (
            "client_body_temp_path",
            "proxy_temp_path",
            "fastcgi_temp_path",
            "uwsgi_temp_path",
            "scgi_temp_path",
        )
    )
    assert "http {" in text
    text = text.replace("http {", f"http {{ access_log {prefix}/access.log; {own}", 1)
    conf = prefix / "nginx.conf"
    conf.write_text(text)
    return conf


def _nginx(prefix: Path, conf: Path, *args: str) -> subprocess.CompletedProcess[str]:
    globals_ = f"pid {prefix}/nginx.pid; error_log {prefix}/error.log;"
    return sh(
        str(HOST_NGINX), "-p", str(prefix), "-c", str(conf), "-g", globals_, *args, check=False, timeout=30
    )


def _status(path: str) -> int:
    for _ in range(20):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", LISTEN, timeout=8)
            conn.request("GET", path)
            status = conn.getresponse().status
            conn.close()
            return status
        except ConnectionRefusedError:
            time.sleep(0.1)  # nginx is still opening its socket
    raise AssertionError(f"nginx on 127.0.0.1:{LISTEN} never answered")


@pytest.fixture
def brought_up(request: pytest.FixtureRequest, compose_cli: list[str], busybox_image: str) -> Iterator[str]:
    sample: Sample = request.param
    name = f"hostproxy-{os.getpid()}-{sample.path.parent.name[:5]}-{sample.path.name}"
    argv = [
        *compose_cli,
        "-p",
        name,
        "--project-directory",
        str(sample.path),
        "-f",
        str(sample.path / "compose.yaml"),
    ]
    with gt.engine_lock():
        try:
            sh(*argv, "up", "-d", timeout=180)
            time.sleep(1.0)  # busybox httpd listens within milliseconds
            yield name
        finally:
            sh(*argv, "down", "-v", "-t", "1", "--remove-orphans", check=False, timeout=120)


@pytest.mark.parametrize("brought_up", SAMPLES, ids=[s.name for s in SAMPLES], indirect=True)
def test_host_nginx_matches_reality(brought_up: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    if not HOST_NGINX.exists():
        pytest.skip("no /usr/sbin/nginx: run scripts/test-engine.sh")
    sample: Sample = request.node.callspec.params["brought_up"]
    topology = pipeline.load_static(
        ComposeRequest.of(dirs=[sample.path], project_name=brought_up, host_proxies=sample.host_proxies)
    )
    analysis = pipeline.analyse(topology, Config(selected=frozenset(rules.RULES)))
    proxy = next(p for p in topology.proxies if isinstance(p, Proxy) and p.service[0] == "(host)")
    errors = {f.route for f in analysis.findings if f.severity is Severity.ERROR}
    conf = _nginx_conf(sample, tmp_path)
    tested = _nginx(tmp_path, conf, "-t")
    if tested.returncode != 0:
        # nginx refuses the configuration: every route is down, and dockernet must say why.
        assert errors, f"nginx refused {sample.name} and dockernet flagged nothing: {tested.stderr}"
        assert sample.path.name == "broken", tested.stderr
        return
    started = _nginx(tmp_path, conf)
    assert started.returncode == 0, started.stderr
    try:
        got = {route.id: _status(route.match.path or "/") for route in proxy.routes}
    finally:
        _nginx(tmp_path, conf, "-s", "stop")
        for _ in range(50):
            if not (tmp_path / "nginx.pid").exists():
                break
            time.sleep(0.1)
    log = (tmp_path / "error.log").read_text() if (tmp_path / "error.log").exists() else ""
    for route in proxy.routes:
        broken = got[route.id] in gt.BROKEN_STATUSES["nginx"]
        assert broken == (route.id in errors), (
            f"{route.title}: nginx answered {got[route.id]}, dockernet "
            f"{'flagged' if route.id in errors else 'said nothing'}\n{log}"
        )
        if sample.path.name == "fixed" or route.id not in errors:
            assert got[route.id] == 200, f"{route.title}: {got[route.id]}\n{log}"
