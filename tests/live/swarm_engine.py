"""A second Docker engine for the Swarm tests, never the shared one: its own ``--data-root``, ``--exec-root``,
``--pidfile`` and socket under ``/run/dockernet-swarm<pid>/``, no bridge and no iptables, the test images
copied in with ``docker save | docker load``, then ``docker swarm init`` there. Stopped (and its directories
removed) at the end of the session. docs/testing.md, "The Swarm engine"."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass

IMAGES = ("dockernet-test/nginx:latest", "dockernet-test/busybox:latest", "dockernet-test/traefik:latest")


@dataclass
class SwarmEngine:
    """A running second dockerd that is a single-node swarm manager."""

    run_dir: str
    data_root: str
    pid: int

    @property
    def host(self) -> str:
        return f"unix://{self.run_dir}/docker.sock"

    def docker(
        self, *args: str, timeout: float = 60, cwd: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """``docker -H <this engine> ARGS`` (never the shared engine)."""
        return subprocess.run(
            ["docker", "-H", self.host, *args], capture_output=True, text=True, timeout=timeout, cwd=cwd
        )


def start() -> SwarmEngine:
    """Start the engine and init its swarm; raises RuntimeError with the log's tail when it cannot."""
    tag = f"dockernet-swarm{os.getpid()}"
    run_dir, data_root = f"/run/{tag}", f"/var/lib/{tag}"
    os.makedirs(run_dir, exist_ok=True)
    os.makedirs(data_root, exist_ok=True)
    log = open(f"{run_dir}/dockerd.log", "w")  # noqa: SIM115 - lives as long as the daemon
    argv = [
        "dockerd", "--data-root", data_root, "--exec-root", f"{run_dir}/exec",
        "--pidfile", f"{run_dir}/docker.pid", "-H", f"unix://{run_dir}/docker.sock",
        "--bridge=none", "--iptables=false", "--ip-masq=false", "--storage-driver=overlay2",
    ]  # fmt: skip
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    engine = SwarmEngine(run_dir, data_root, proc.pid)
    deadline = time.monotonic() + 60
    while engine.docker("info", timeout=10).returncode != 0:
        if proc.poll() is not None or time.monotonic() > deadline:
            stop(engine)
            raise RuntimeError(f"second dockerd did not start: {_tail(run_dir)}")
        time.sleep(0.5)
    save = subprocess.Popen(["docker", "save", *IMAGES], stdout=subprocess.PIPE)
    subprocess.run(["docker", "-H", engine.host, "load", "-q"], stdin=save.stdout, check=True, timeout=300)
    save.wait(timeout=60)
    # A free port of its own: another swarm on this machine may hold the default 2377.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        addr = f"127.0.0.1:{probe.getsockname()[1]}"
    done = engine.docker("swarm", "init", "--listen-addr", addr, "--advertise-addr", addr)
    if done.returncode != 0:
        stop(engine)
        raise RuntimeError(f"swarm init failed: {done.stderr.strip()}")
    return engine


def stop(engine: SwarmEngine) -> None:
    """Stop this engine (its own pid only) and remove its directories."""
    try:
        os.kill(engine.pid, signal.SIGTERM)
        for _ in range(60):
            os.kill(engine.pid, 0)
            time.sleep(0.5)
        os.kill(engine.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    subprocess.run(["umount", "-R", f"{engine.run_dir}/exec"], capture_output=True)
    shutil.rmtree(engine.run_dir, ignore_errors=True)
    shutil.rmtree(engine.data_root, ignore_errors=True)


def _tail(run_dir: str) -> str:
    try:
        with open(f"{run_dir}/dockerd.log") as f:
            return " | ".join(f.read().splitlines()[-5:])
    except OSError:
        return "(no log)"
