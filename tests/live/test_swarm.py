"""Ground truth for the stack rules: the stack samples deployed with ``docker stack deploy`` on a second,
single-node swarm engine (tests/live/swarm_engine.py), and what really happens recorded. This kernel has no
IPVS, so a service's virtual IP does not route here: the tests check topology, DNS, task states and routes
to task addresses, never a request through a VIP (docs/swarm.md)."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.live import swarm_engine
from tests.live.swarm_engine import SwarmEngine

pytestmark = pytest.mark.engine
SAMPLES = REPO / "compose-samples"


@pytest.fixture(scope="session")
def swarm() -> Iterator[SwarmEngine]:
    if os.geteuid() != 0 or shutil.which("dockerd") is None:
        pytest.skip("the Swarm engine needs root and dockerd (scripts/test-engine.sh installs it)")
    engine = swarm_engine.start()
    try:
        yield engine
    finally:
        swarm_engine.stop(engine)


def _deploy(swarm: SwarmEngine, sample: str, stack: str) -> str:
    done = swarm.docker("stack", "deploy", "-c", "compose.yaml", stack, cwd=str(SAMPLES / sample))
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def _replicas(swarm: SwarmEngine, service: str, want: str, seconds: float = 40) -> str:
    got = ""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        got = swarm.docker("service", "ls", "--filter", f"name={service}", "--format", "{{.Replicas}}").stdout
        if got.strip() == want:
            break
        time.sleep(1)
    return got.strip()


def _container(swarm: SwarmEngine, service: str) -> str:
    return swarm.docker("ps", "-q", "--filter", f"name={service}").stdout.split()[0]


def _status(swarm: SwarmEngine, container: str) -> str:
    done = swarm.docker(
        "exec",
        container,
        "timeout",
        "8",
        "wget",
        "-S",
        "-O",
        "/dev/null",
        "http://127.0.0.1/app/",
        timeout=20,
    )
    return next((line.strip() for line in done.stderr.splitlines() if "HTTP/" in line), done.stderr.strip())


def test_dn901_ignored_keys_and_container_name(swarm: SwarmEngine) -> None:
    out = _deploy(swarm, "dn901-stack-option-ignored/broken", "dn901b")
    try:
        assert "Ignoring unsupported options: restart" in out
        assert "container_name: Setting the container name is not supported." in out
        assert _replicas(swarm, "dn901b_nginx", "1/1") == "1/1"
        nginx = _container(swarm, "dn901b_nginx")
        answer = swarm.docker("exec", nginx, "busybox", "nslookup", "dn901-app", "127.0.0.11").stdout
        assert "Address" not in answer.split("Name:")[-1]  # no container answers to container_name
    finally:
        swarm.docker("stack", "rm", "dn901b")


def test_dn902_task_addresses_go_stale(swarm: SwarmEngine) -> None:
    _deploy(swarm, "dn902-stack-task-addresses-resolved-once/broken", "dn902b")
    _deploy(swarm, "dn902-stack-task-addresses-resolved-once/fixed", "dn902f")
    try:
        assert _replicas(swarm, "dn902b_nginx", "1/1") == "1/1"
        assert _replicas(swarm, "dn902f_nginx", "1/1") == "1/1"
        broken, fixed = _container(swarm, "dn902b_nginx"), _container(swarm, "dn902f_nginx")
        time.sleep(3)
        assert "404" in _status(swarm, broken)  # reaches busybox httpd on a task address
        swarm.docker("service", "update", "--force", "-q", "dn902b_app", timeout=120)
        swarm.docker("service", "update", "--force", "-q", "dn902f_app", timeout=120)
        time.sleep(12)
        assert "504" in _status(swarm, broken)  # the addresses resolved at start are gone
        assert "404" in _status(swarm, fixed)  # resolved per request: the new tasks
    finally:
        swarm.docker("stack", "rm", "dn902b")
        swarm.docker("stack", "rm", "dn902f")


def test_dn903_no_replicas_and_dn103_no_common_overlay_crash_nginx(swarm: SwarmEngine) -> None:
    _deploy(swarm, "dn903-stack-no-replicas/broken", "dn903b")
    _deploy(swarm, "dn103-stack-no-common-overlay/broken", "dn103b")
    _deploy(swarm, "dn103-stack-no-common-overlay/fixed", "dn103f")
    try:
        assert _replicas(swarm, "dn903b_app", "0/0") == "0/0"
        assert _replicas(swarm, "dn103f_nginx", "1/1") == "1/1"
        for service in ("dn903b_nginx", "dn103b_nginx"):
            states = ""
            deadline = time.monotonic() + 60
            while "non-zero exit (1)" not in states and time.monotonic() < deadline:
                time.sleep(2)
                states = swarm.docker("service", "ps", service, "--format", "{{.Error}}").stdout
            assert "non-zero exit (1)" in states, (service, states)
    finally:
        for stack in ("dn903b", "dn103b", "dn103f"):
            swarm.docker("stack", "rm", stack)


def test_stack_loader_refuses_top_level_name(swarm: SwarmEngine, tmp_path: Path) -> None:
    """Docker 20.10's stack loader refuses a top-level ``name:``; the stack samples have none."""
    (tmp_path / "compose.yaml").write_text(
        "name: x\nservices:\n  a:\n    image: dockernet-test/busybox:latest\n"
    )
    done = swarm.docker("stack", "deploy", "-c", "compose.yaml", "dnname", cwd=str(tmp_path))
    assert "Additional property name is not allowed" in done.stderr
