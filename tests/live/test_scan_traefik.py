"""``scan`` reads Traefik the way ``check`` does: for every runnable Traefik sample, brought up on the test
engine, the live scan (labels, command and environment from inspect, mounted files through the archive
endpoint) finds the same routes and the same error rules as the static check of its compose files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dockernet import pipeline
from dockernet.model import Proxy
from dockernet.model.findings import Severity
from dockernet.pipeline.requests import ComposeRequest
from tests.dialects.traefik.test_differential import SAMPLES, _project
from tests.samples import Sample


def _static(sample: Sample) -> tuple[set[str], int]:
    topology = pipeline.load_static(ComposeRequest(dirs=(str(sample.path),)))
    analysis = pipeline.analyse(topology)
    routes = sum(len(p.routes) for p in topology.proxies if isinstance(p, Proxy))
    return {f.rule for f in analysis.findings if f.severity is Severity.ERROR}, routes


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.name for s in SAMPLES])
def test_scan_agrees_with_check(sample: Sample, docker_engine: object, compose_cli: list[str]) -> None:
    project = _project(sample)
    args = [*compose_cli, "--project-directory", str(sample.path), "-p", project]
    subprocess.run([*args, "up", "-d"], capture_output=True, timeout=180, check=True)
    try:
        time.sleep(1)
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "dockernet",
                "scan",
                "--project",
                project,
                "--log-lines",
                "0",
                "--format",
                "json",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=Path(sample.path),
        )
        assert done.returncode in (0, 1), done.stderr
        report = json.loads(done.stdout)
        live = {f["rule"] for f in report["findings"] if f["severity"] == "error"}
        static, routes = _static(sample)
        assert live == static, done.stdout[-3000:]
        assert report["summary"]["routes"] == routes
    finally:
        subprocess.run([*args, "down", "-v", "-t", "0"], capture_output=True, timeout=120, check=False)


def test_scan_explains_traefiks_log(docker_engine: object, compose_cli: list[str], tmp_path: Path) -> None:
    """``scan --log-lines`` on a Traefik at DEBUG level: the 502 of a wrong port label is the route's
    ``connect-refused`` event, linked to its DN104 finding (dockernet.dialects.traefik.errorlog)."""
    source = Path(__file__).parents[2] / "compose-samples" / "dn104-traefik-port-label-wrong" / "broken"
    text = (source / "compose.yaml").read_text()
    (tmp_path / "compose.yaml").write_text(
        text.replace(
            "      - --api.insecure=true\n", "      - --api.insecure=true\n      - --log.level=DEBUG\n"
        )
    )
    project = f"trlog{os.getpid()}"
    args = [*compose_cli, "--project-directory", str(tmp_path), "-p", project]
    subprocess.run([*args, "up", "-d"], capture_output=True, timeout=180, check=True)
    try:
        status = ""
        for _ in range(40):  # the provider builds the router a moment after the start
            done = subprocess.run(
                [
                    "docker",
                    "exec",
                    f"{project}-traefik-1",
                    "wget",
                    "-S",
                    "-O",
                    "/dev/null",
                    "--header",
                    "Host: app.test",
                    "http://127.0.0.1:80/",
                ],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
            status = done.stderr
            if "502" in status:
                break
            time.sleep(0.25)
        assert "502" in status, status
        done = subprocess.run(
            [sys.executable, "-m", "dockernet", "scan", "--project", project, "--format", "json"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=tmp_path,
        )
        assert done.returncode == 1, done.stderr
        (log,) = [entry for entry in json.loads(done.stdout)["log"] if entry["service"] == "traefik"]
        (event,) = [e for e in log["events"] if e["code"] == "connect-refused"]
        assert event["status"] == 502 and event["location"] == "router app@docker"
        assert event["finding"]["rule"] == "DN104"
    finally:
        subprocess.run([*args, "down", "-v", "-t", "0"], capture_output=True, timeout=120, check=False)
