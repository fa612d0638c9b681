"""Helpers of the ground-truth test (tests/live/test_ground_truth.py): bring a sample project up on a real
engine, ask the real proxy (nginx, Traefik, Caddy) for every route dockernet extracted, and compare reality
with dockernet's findings.

Everything goes through the ``docker`` and ``docker compose`` command lines (the same engine the fixtures
in conftest.py check), so what runs here is what a developer would type. Requests are sent only from inside
the proxy's own container to its own loopback (``docker exec <proxy> wget http://127.0.0.1:PORT/PATH``);
the proxy then connects to whatever its configuration says, and a route whose upstream lies outside Docker (a
public name, an address outside every network of the project) is not requested at all.
"""

from __future__ import annotations

import contextlib
import fcntl
import fnmatch
import functools
import ipaddress
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from dockernet import pipeline
from dockernet.analysis.resolve import Kind
from dockernet.dialects.nginx import attribution, errorlog
from dockernet.model import Project, Proxy, Route, Service, Topology
from dockernet.model.findings import Finding, Severity
from dockernet.pipeline.requests import ComposeRequest
from tests.samples import SAMPLES, Sample, expected_lines

UP_TIMEOUT = 180.0
"""Seconds ``docker compose up -d`` may take (image builds included)."""
SETTLE_TIMEOUT = 45.0
"""Seconds to wait for every proxy to listen or exit. A static name that Docker's DNS does not know makes
nginx wait for the forwarder (the test engine's ``--dns`` answers nothing), about 10 s, before it exits."""
APP_SETTLE_TIMEOUT = 3.0
"""Seconds to wait for the other containers to open a listening socket (busybox httpd needs milliseconds)."""
REQUEST_TIMEOUT = 6
"""Seconds one request may take. busybox 1.35's static ``wget -T`` crashes (SIGSEGV), so the request runs
under busybox ``timeout`` instead. Samples set ``proxy_connect_timeout 2s``; a route that has not answered
after 6 s is hanging (resolver or read timeout) and counts as broken."""
POLL = 0.15
ENGINE_BUSY_TIMEOUT = 180.0
"""Seconds to wait for an engine whose address pools are used up by other networks (other test runs)."""
ENGINE_BUSY_POLL = 5.0
COMPOSE_FILES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
BROKEN_STATUSES: Mapping[str, frozenset[int]] = {
    "nginx": frozenset({502, 504}),
    "caddy": frozenset({502, 503, 504}),
    "traefik": frozenset({404, 500, 502, 503, 504}),
    "haproxy": frozenset({502, 503, 504}),
}
"""The answers that mean "this route does not work", by proxy kind (docs/proxy-behaviour.md): nginx's
gateway errors; Caddy's 503 for an empty upstream list; Traefik's 404 for a route it does not serve (no
port, not exposed, a missing service) and 500 for TLS to a plain-HTTP port; HAProxy's 503 when it reaches
no server (refused, unknown name, no server at all) and 502 for an answer that is not HTTP."""
PROVIDER_CATCH_UP = 8.0
"""Seconds a proxy with a Docker provider (Traefik) may answer 404 after start before the answer counts:
it builds its routes from the engine's events, a moment after the containers start."""
LOCK_FILE = Path(tempfile.gettempdir()) / "dockernet-ground-truth.lock"
"""One sample project at a time on this engine, across concurrent test runs: samples pin subnets."""

ENV_KEEP = (
    "PATH",
    "HOME",
    "DOCKER_HOST",
    "DOCKER_CONFIG",
    "DOCKER_CONTEXT",
    "DOCKER_CERT_PATH",
    "DOCKER_TLS_VERIFY",
)
"""The environment given to both ``docker compose`` and dockernet: the same input for both."""


def project_dirs(variant: Path) -> list[Path]:
    """The compose projects of a ``broken/`` or ``fixed/`` directory: itself, or (several projects checked
    together, e.g. dn103-cross-project) each subdirectory with a compose file, in sorted order, which is
    also the order they are brought up in."""
    if any((variant / f).is_file() for f in COMPOSE_FILES):
        return [variant]
    return sorted(
        p for p in variant.iterdir() if p.is_dir() and any((p / f).is_file() for f in COMPOSE_FILES)
    )


def runnable_samples() -> list[Sample]:
    """Every sample variant that may run on an engine (no STATIC_ONLY), found anew at each collection.

    ``DOCKERNET_GT_SAMPLES`` (comma-separated globs on ``<sample>/<broken|fixed>``) selects a subset.
    """
    wanted = [p.strip() for p in os.environ.get("DOCKERNET_GT_SAMPLES", "").split(",") if p.strip()]
    out = []
    for path in sorted(SAMPLES.glob("*/*")):
        if path.name not in ("broken", "fixed") or not path.is_dir() or not project_dirs(path):
            continue
        expected = path / "expected.txt"
        sample = Sample(path, expected_lines(expected) if expected.is_file() else frozenset())
        if sample.static_only:
            continue
        if wanted and not any(fnmatch.fnmatchcase(sample.name, w) for w in wanted):
            continue
        out.append(sample)
    return out


def unique_project_name(sample: Sample, part: Path | None = None) -> str:
    """A compose project name nobody else uses: ``gt<pid>-<sample>-<broken|fixed>[-<subproject>]``."""
    raw = f"gt{os.getpid()}-{sample.path.parent.name}-{sample.path.name}"
    if part is not None and part != sample.path:
        raw += f"-{part.name}"
    return re.sub(r"[^a-z0-9_-]", "-", raw.lower())


def clean_environ() -> dict[str, str]:
    """The environment for compose and for dockernet (no COMPOSE_* or project variables leak in)."""
    return {k: v for k, v in os.environ.items() if k in ENV_KEEP}


# ------------------------------------------------------------------------------------------- probes


@dataclass(frozen=True)
class Probe:
    """One request that tests one route: ``GET http://127.0.0.1:<port><path>`` with ``Host: <host>``."""

    proxy: tuple[str, str]
    """The proxy's (compose project, service)."""
    dialect: str
    """The proxy's kind (:attr:`Proxy.dialect`)."""
    route: Route
    port: int | None
    address: str
    """Where to connect inside the proxy's namespace (127.0.0.1, or the address ``listen`` names)."""
    path: str | None
    host: str | None
    """The Host header, from ``server_name``; None for the default server."""
    skip: str | None = None
    """Why this route cannot be requested (it is then left out of the comparison)."""

    @property
    def label(self) -> str:
        """``nginx :80 /api/`` or ``nginx :80 api.example.com /``."""
        where = f"{self.proxy[1]} :{self.port if self.port is not None else '?'}"
        if self.host:
            where += f" {self.host}"
        return f"{where} {self.route.match.path or '(server)'}"

    def url(self) -> str:
        """The URL requested from inside the proxy container."""
        addr = f"[{self.address}]" if ":" in self.address else self.address
        return f"http://{addr}:{self.port}{self.path}"


def _listen_port(listen: Sequence[str]) -> tuple[int | None, str, str | None]:
    """(port, address, why not testable) from a route's ``listen`` arguments; nginx's default is *:80."""
    if not listen:
        return 80, "127.0.0.1", None
    reasons = []
    for entry in listen:
        words = entry.split()
        if not words:
            continue
        addr = words[0]
        if "ssl" in words[1:] or "quic" in words[1:]:
            reasons.append(f"listen {entry}: TLS")
            continue
        if addr.startswith("unix:"):
            reasons.append(f"listen {entry}: unix socket")
            continue
        host, port = "", addr
        if addr.startswith("["):
            host, _, rest = addr[1:].partition("]")
            port = rest.lstrip(":") or "80"
        elif ":" in addr:
            host, _, port = addr.rpartition(":")
        elif not addr.isdigit():
            host, port = addr, "80"
        if not port.isdigit():
            reasons.append(f"listen {entry}: no port")
            continue
        if host in ("", "*", "0.0.0.0", "::", "localhost", "127.0.0.1"):
            return int(port), "127.0.0.1" if host != "::" else "::1", None
        if host == "::1":
            return int(port), "::1", None
        try:
            ipaddress.ip_address(host)
        except ValueError:
            reasons.append(f"listen {entry}: host name")
            continue
        return int(port), host, None
    return None, "127.0.0.1", "; ".join(reasons) or "no usable listen"


def _request_path(location: str | None) -> tuple[str | None, str | None]:
    """(path to request, why not testable) for a location: the prefix itself, or the exact path."""
    if location is None:
        return "/", None
    loc = location.strip()
    if loc.startswith("@"):
        return None, f"named location {loc}"
    for mod in ("^~", "="):
        if loc.startswith(mod):
            return loc[len(mod) :].strip() or "/", None
    if loc.startswith("~"):
        return None, f"regular-expression location {loc}"
    if loc.endswith("*"):  # Caddy's path matchers: /api/* matches /api/
        return loc.rstrip("*") or "/", None
    return loc, None


def _host_header(names: Sequence[str]) -> str | None:
    """A Host header that selects the server: its first plain name (wildcards filled in)."""
    for name in names:
        if name in ("", "_", '""') or name.startswith("~"):
            continue
        if name.startswith("*."):
            return "gt" + name[1:]
        if name.startswith("."):
            return name[1:]
        if name.endswith(".*"):
            return name[:-1] + "test"
        return name
    return None


def probes(topology: Topology, analysis: pipeline.Analysis) -> list[Probe]:
    """One probe per route of every proxy whose config dockernet could read."""
    out: list[Probe] = []
    outside = _outside_routes(analysis)
    for cfg in topology.proxies:
        if not isinstance(cfg, Proxy):
            continue
        for route in cfg.routes:
            port, address, why_port = _listen_port(route.match.entry)
            path, why_path = _request_path(route.match.path)
            skip = why_port or why_path or outside.get(route)
            if cfg.dialect == "haproxy" and not route.match.entry:
                skip = "a backend that no frontend uses"
            host = _host_header(route.match.hosts)
            out.append(Probe(cfg.service, cfg.dialect, route, port, address, path, host, skip))
    return out


def _outside_routes(analysis: pipeline.Analysis) -> dict[Route, str]:
    """Routes that would make nginx send traffic off this machine: never requested."""
    out: dict[Route, str] = {}
    for res in analysis.resolved.resolutions:
        if res.kind is Kind.EXTERNAL:
            out[res.route] = f"upstream {res.host} is outside Docker"
        elif res.kind is Kind.IP and not res.in_subnet_of:
            out[res.route] = f"upstream {res.host} is outside every network of the project"
    return out


# ------------------------------------------------------------------------------------------- docker


def docker(
    *args: str, timeout: float = 60.0, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the docker CLI; never raises on a non-zero exit (callers read returncode)."""
    try:
        return subprocess.run(
            ["docker", *args],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
            env=dict(env) if env is not None else None,
        )
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else e.stdout or ""
        err = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else e.stderr or ""
        return subprocess.CompletedProcess(
            ["docker", *args], 124, out, err + f"\n(timed out after {timeout:.0f} s)"
        )


@contextlib.contextmanager
def engine_lock() -> Iterator[None]:
    """Hold the machine-wide lock of ground-truth projects (other test runs wait for it)."""
    with open(LOCK_FILE, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@dataclass
class Container:
    """What the test needs of one container of the project."""

    id: str
    name: str
    project: str
    service: str
    status: str
    """running, exited, restarting, dead, created, paused."""
    exit_code: int
    restarts: int
    pid: int
    addresses: dict[str, set[str]]
    """IP address -> names the embedded DNS answers with it (service, container name, aliases)."""

    @property
    def running(self) -> bool:
        return self.status == "running"

    def state(self) -> str:
        """``running``, or ``exited (1)``, ``restarting (3 restarts)``."""
        if self.status == "exited":
            return f"exited ({self.exit_code})"
        if self.restarts:
            return f"{self.status} ({self.restarts} restarts)"
        return self.status


def _containers(project: str) -> list[Container]:
    ps = docker("ps", "-aq", "--no-trunc", "--filter", f"label=com.docker.compose.project={project}")
    ids = ps.stdout.split()
    if not ids:
        return []
    inspected = docker("inspect", *ids)
    try:
        data = json.loads(inspected.stdout or "[]")
    except json.JSONDecodeError:
        return []
    out = []
    for c in data:
        labels = c.get("Config", {}).get("Labels") or {}
        state = c.get("State", {})
        addresses: dict[str, set[str]] = {}
        name = c.get("Name", "").lstrip("/")
        service = labels.get("com.docker.compose.service", "")
        for net in (c.get("NetworkSettings", {}).get("Networks") or {}).values():
            names = {service, name, *(net.get("Aliases") or []), *(net.get("DNSNames") or [])}
            for ip in (net.get("IPAddress"), net.get("GlobalIPv6Address")):
                if ip:
                    addresses.setdefault(ip, set()).update(n for n in names if n)
        out.append(
            Container(
                id=c["Id"],
                name=name,
                project=labels.get("com.docker.compose.project", ""),
                service=service,
                status=state.get("Status", ""),
                exit_code=int(state.get("ExitCode") or 0),
                restarts=int(c.get("RestartCount") or 0),
                pid=int(state.get("Pid") or 0),
                addresses=addresses,
            )
        )
    return out


_TCP_LISTEN = "0A"


def listening_ports(container: str) -> set[int] | None:
    """TCP ports in LISTEN state in the container's network namespace; None when it cannot be read."""
    done = docker("exec", container, "cat", "/proc/net/tcp", "/proc/net/tcp6", timeout=15)
    if done.returncode != 0:
        return None
    ports = set()
    for row in done.stdout.splitlines():
        cols = row.split()
        if len(cols) > 3 and cols[3] == _TCP_LISTEN and ":" in cols[1]:
            ports.add(int(cols[1].rsplit(":", 1)[1], 16))
    return ports


def listens_at_all(container: str) -> bool:
    """True when anything in the container listens on TCP or on a unix stream socket (or we cannot tell)."""
    done = docker("exec", container, "cat", "/proc/net/tcp", "/proc/net/tcp6", "/proc/net/unix", timeout=15)
    if done.returncode != 0:
        return True
    for row in done.stdout.splitlines():
        cols = row.split()
        if len(cols) > 3 and cols[3] == _TCP_LISTEN and ":" in cols[1]:
            return True
        if len(cols) >= 7 and cols[3] == "00010000" and cols[4] == "0001":  # __SO_ACCEPTCON, SOCK_STREAM
            return True
    return False


# ------------------------------------------------------------------------------------------ outcome


@dataclass
class Outcome:
    """What reality did with one probe."""

    probe: Probe
    reality: str
    """``200``, ``502``, ``caddy not running: exited (1)``, ``up failed``, ``timeout``, ``no answer: ...``,
    ``not requested: ...``."""
    status: int | None = None
    broken: bool | None = None
    """True for the proxy kind's :data:`BROKEN_STATUSES`, a hang, no answer, the proxy not running, up
    failed; None when not requested."""
    output: str = ""
    """wget's output (or the reason), for the failure table."""
    seconds: float = 0.0


_STATUS = re.compile(r"^\s*HTTP/\d(?:\.\d)?\s+(\d{3})\b", re.MULTILINE)


def request(container: str, probe: Probe) -> Outcome:
    """Send the probe's request from inside the proxy container and read the first status line; a
    provider's 404 is asked again until :data:`PROVIDER_CATCH_UP` has passed."""
    if probe.skip is not None:
        return Outcome(probe, f"not requested: {probe.skip}")
    deadline = time.monotonic() + PROVIDER_CATCH_UP
    while True:
        outcome = _request_once(container, probe)
        if probe.dialect != "traefik" or outcome.status != 404 or time.monotonic() > deadline:
            return outcome
        time.sleep(0.5)


def _request_once(container: str, probe: Probe) -> Outcome:
    argv = ["exec", container, "timeout", str(REQUEST_TIMEOUT), "wget", "-S", "-O", "/dev/null"]
    if probe.host:
        argv += ["--header", f"Host: {probe.host}"]
    argv.append(probe.url())
    started = time.monotonic()
    done = docker(*argv, timeout=REQUEST_TIMEOUT + 20)
    seconds = time.monotonic() - started
    text = (done.stdout + done.stderr).strip()
    m = _STATUS.search(text)
    if m is not None:
        status = int(m.group(1))
        broken = status in BROKEN_STATUSES.get(probe.dialect, BROKEN_STATUSES["nginx"])
        return Outcome(probe, str(status), status, broken, text, seconds)
    if done.returncode in (124, 143, 137) or seconds >= REQUEST_TIMEOUT:
        return Outcome(probe, f"timeout (no answer in {REQUEST_TIMEOUT} s)", None, True, text, seconds)
    why = text.splitlines()[-1] if text else f"exit {done.returncode}"
    return Outcome(probe, f"no answer: {why}", None, True, text, seconds)


# ------------------------------------------------------------------------------------------ the run


@dataclass(frozen=True)
class Part:
    """One compose project of a sample variant, under its unique name."""

    directory: Path
    name: str
    """The unique project name given to ``docker compose -p`` and to dockernet."""


@dataclass(repr=False)
class ProjectRun:
    """One sample variant (one or several compose projects) brought up on the engine, probed and removed."""

    sample: Sample
    parts: list[Part]
    environ: dict[str, str]
    topology: Topology
    analysis: pipeline.Analysis
    up_ok: bool = False
    up_output: str = ""
    containers: dict[tuple[str, str], Container] = field(default_factory=dict)
    """By (project, service); the first replica."""
    outcomes: list[Outcome] = field(default_factory=list)
    proxy_logs: dict[tuple[str, str], str] = field(default_factory=dict)
    """Proxy -> its ``docker logs`` (stdout and stderr) after the requests."""
    timings: dict[str, float] = field(default_factory=dict)
    down_output: str = ""
    removed: bool = False
    environment_error: str | None = None
    """Set when ``up`` kept failing because of the engine (not the sample): the project was not tested."""

    def __repr__(self) -> str:
        return f"<ProjectRun {self.sample.name} as {', '.join(p.name for p in self.parts)}>"

    @property
    def project_names(self) -> list[str]:
        return [p.name for p in self.parts]

    def addresses(self) -> dict[str, set[str]]:
        """IP address -> names, over every container of the run."""
        out: dict[str, set[str]] = {}
        for c in self.containers.values():
            for ip, names in c.addresses.items():
                out.setdefault(ip, set()).update(names)
        return out

    def model(self, project: str) -> Project | None:
        """dockernet's model of one of the run's compose projects."""
        return next((p for p in self.topology.projects if p.name == project), None)

    def compose(
        self, part: Part, *args: str, timeout: float = UP_TIMEOUT
    ) -> subprocess.CompletedProcess[str]:
        """``docker compose -p <unique> --project-directory <dir> -f <files...> <args>``."""
        model = self.model(part.name)
        base = ["compose", "-p", part.name]
        if model is not None:
            base += ["--project-directory", model.directory, *(a for f in model.files for a in ("-f", f))]
        else:
            base += ["--project-directory", str(part.directory)]
        return docker(*base, *args, timeout=timeout, env=self.environ)

    def proxies(self) -> list[tuple[str, str]]:
        """(project, service) of every proxy dockernet found a readable config for."""
        return sorted({cfg.service for cfg in self.topology.proxies if isinstance(cfg, Proxy)})

    # -- phases

    def up(self) -> None:
        """``docker compose up -d`` for each project in order. When it fails because of the engine rather
        than the sample (its default address pools used up by other networks, or a subnet the sample pins
        taken by a network outside it), take everything down, wait for the engine and retry;
        :attr:`environment_error` says why if it never works out."""
        started = time.monotonic()
        deadline = started + ENGINE_BUSY_TIMEOUT
        while True:
            outputs = []
            self.up_ok = True
            for part in self.parts:
                done = self.compose(part, "up", "-d", "--pull", "never")
                outputs.append((done.stdout + done.stderr).strip())
                if done.returncode != 0:
                    self.up_ok = False
                    break
            self.up_output = "\n".join(outputs)
            busy = None if self.up_ok else self.engine_busy(self.up_output)
            self.environment_error = busy
            if busy is None:
                break
            self._down_all()
            if time.monotonic() > deadline:
                break
            time.sleep(ENGINE_BUSY_POLL)
        self.timings["up"] = time.monotonic() - started

    def engine_busy(self, output: str) -> str | None:
        """Why ``up`` failed because of other things on the engine, or None when the sample itself failed."""
        if "could not find an available, non-overlapping IPv4 address pool" in output:
            others = docker("network", "ls", "-q").stdout.split()
            return f"the engine's default address pools are used up ({len(others)} networks exist)"
        if "overlaps with other one on this address space" in output:
            clash = foreign_overlaps(self.topology.projects, self.project_names)
            if clash:
                return "subnets of the sample are taken by networks outside it: " + ", ".join(clash)
        return None

    def settle(self) -> None:
        """Wait until every proxy listens on its ports or has stopped, then (briefly) for the apps."""
        started = time.monotonic()
        wanted: dict[tuple[str, str], set[int]] = {}
        for p in self.probes:
            if p.port is not None:
                wanted.setdefault(p.proxy, set()).add(p.port)
        deadline = started + SETTLE_TIMEOUT
        pending = set(self.proxies())
        while True:
            self.refresh()
            for proxy in sorted(pending):
                c = self.containers.get(proxy)
                if c is None or c.status in ("exited", "dead", "restarting") or c.restarts:
                    pending.discard(proxy)
                    continue
                if c.status != "running":
                    continue
                ports = listening_ports(c.id)
                if ports is None or not wanted.get(proxy) or wanted[proxy] & ports:
                    pending.discard(proxy)
            if not pending or time.monotonic() > deadline:
                break
            time.sleep(POLL)
        app_deadline = time.monotonic() + APP_SETTLE_TIMEOUT
        proxies = set(self.proxies())
        apps = {k for k, c in self.containers.items() if c.running and k not in proxies}
        while apps and time.monotonic() < app_deadline:
            apps = {k for k in apps if not listens_at_all(self.containers[k].id)}
            if apps:
                time.sleep(POLL)
        self.refresh()
        self.timings["settle"] = time.monotonic() - started

    def refresh(self) -> None:
        """Re-read the state of the run's containers."""
        found: dict[tuple[str, str], Container] = {}
        for part in self.parts:
            for c in sorted(_containers(part.name), key=lambda c: c.name):
                found.setdefault((c.project, c.service), c)
        self.containers = found

    @cached_property
    def probes(self) -> list[Probe]:
        """One probe per route dockernet extracted."""
        return probes(self.topology, self.analysis)

    def probe(self) -> None:
        started = time.monotonic()
        self.outcomes = []
        for p in self.probes:
            c = self.containers.get(p.proxy)
            if not self.up_ok:
                self.outcomes.append(Outcome(p, "up failed", broken=True, output=_tail(self.up_output)))
            elif p.skip is not None:
                self.outcomes.append(Outcome(p, f"not requested: {p.skip}"))
            elif c is None:
                self.outcomes.append(Outcome(p, f"{p.dialect} not running: no container", broken=True))
            elif not c.running or c.restarts:
                self.outcomes.append(Outcome(p, f"{p.dialect} not running: {c.state()}", broken=True))
            else:
                self.outcomes.append(request(c.id, p))
        self.refresh()
        # A proxy that crashed under a request: later outcomes would be wrong, so say so.
        for o in self.outcomes:
            c = self.containers.get(o.probe.proxy)
            if o.broken is False and c is not None and not c.running:
                o.reality += f" (then {o.probe.dialect} {c.state()})"
        self.timings["requests"] = time.monotonic() - started

    def collect_logs(self) -> None:
        for proxy in self.proxies():
            c = self.containers.get(proxy)
            if c is None:
                continue
            done = docker("logs", c.id, timeout=30)
            self.proxy_logs[proxy] = done.stdout + done.stderr

    def down(self) -> None:
        """``docker compose down -v --remove-orphans``, last project first; once (later calls do nothing)."""
        if self.removed:
            return
        self.removed = True
        started = time.monotonic()
        self.down_output = self._down_all()
        self.timings["down"] = time.monotonic() - started

    def _down_all(self) -> str:
        outputs = []
        for part in reversed(self.parts):
            done = self.compose(part, "down", "-v", "--remove-orphans", "-t", "2", timeout=120)
            outputs.append((done.stdout + done.stderr).strip())
            if done.returncode != 0:  # remove by label what compose could not
                label = f"label=com.docker.compose.project={part.name}"
                ids = docker("ps", "-aq", "--filter", label).stdout.split()
                if ids:
                    docker("rm", "-f", "-v", *ids, timeout=60)
                nets = docker("network", "ls", "-q", "--filter", label).stdout.split()
                if nets:
                    docker("network", "rm", *nets, timeout=60)
        return "\n".join(outputs)

    # -- reality vs dockernet

    def proxy_running(self, proxy: tuple[str, str]) -> bool:
        c = self.containers.get(proxy)
        return self.up_ok and c is not None and c.running and not c.restarts

    def routes_of(self, proxy: tuple[str, str]) -> list[Route]:
        return [
            r
            for cfg in self.topology.proxies
            if isinstance(cfg, Proxy) and cfg.service == proxy
            for r in cfg.routes
        ]

    def dialect(self, proxy: tuple[str, str]) -> str:
        """The kind of a proxy of the run."""
        return next((p.dialect for p in self.topology.proxies if p.service == proxy), "")

    def proxy_locs(self, proxy: tuple[str, str]) -> set[tuple[str, int]]:
        """Where the proxy service is written in its compose file: an error there (a config the proxy
        refuses, a provider that cannot work) concerns every route of the proxy."""
        model = self.model(proxy[0])
        svc = model.services.get(proxy[1]) if model is not None else None
        return {(svc.loc.file, svc.loc.line)} if svc is not None else set()

    def log_events(self, proxy: tuple[str, str]) -> tuple[attribution.LogEvent, ...]:
        """The proxy's error-log lines, explained and attributed to its routes (nginx's log only: the
        other proxies' log lines are recorded in docs/proxy-behaviour.md, not yet attributed)."""
        if self.dialect(proxy) != "nginx":
            return ()
        return attribution.explain(
            self.proxy_logs.get(proxy, "").splitlines(),
            self.routes_of(proxy),
            self.addresses(),
            self.container_paths(proxy),
        )

    def container_paths(self, proxy: tuple[str, str]) -> dict[str, str]:
        """Container path -> host path of the proxy's config files (through its bind mounts)."""
        model = self.model(proxy[0])
        svc = model.services.get(proxy[1]) if model is not None else None
        out: dict[str, str] = {}
        if svc is None:
            return out
        files = {
            loc.file for r in self.routes_of(proxy) for loc in (r.forward.loc, *(t.loc for t in r.upstreams))
        }
        for f in files:
            inside = host_to_container(svc, f)
            if inside is not None:
                out[inside] = f
        return out


def foreign_overlaps(models: Sequence[Project], projects: Sequence[str]) -> list[str]:
    """Networks on the engine, not of these projects, whose subnets overlap subnets the projects declare."""
    mine = []
    for net in (n for m in models for n in m.networks.values()):
        for cfg in net.ipam:
            if cfg.subnet:
                with contextlib.suppress(ValueError):
                    mine.append(ipaddress.ip_network(cfg.subnet, strict=False))
    if not mine:
        return []
    ids = docker("network", "ls", "-q").stdout.split()
    if not ids:
        return []
    try:
        nets = json.loads(docker("network", "inspect", *ids).stdout or "[]")
    except json.JSONDecodeError:
        return []
    out = []
    for n in nets:
        if (n.get("Labels") or {}).get("com.docker.compose.project") in projects:
            continue
        for cfg in (n.get("IPAM") or {}).get("Config") or []:
            try:
                theirs = ipaddress.ip_network(cfg.get("Subnet", ""), strict=False)
            except ValueError:
                continue
            if any(m.version == theirs.version and m.overlaps(theirs) for m in mine):
                out.append(f"{n.get('Name')} ({theirs})")
    return out


def host_to_container(svc: Service, path: str) -> str | None:
    """Where a host file appears inside the service's container, through its bind mounts."""
    for m in svc.volumes:
        if m.type != "bind" or not m.source:
            continue
        src = m.source.rstrip("/")
        if path == src:
            return m.target
        if path.startswith(src + "/"):
            return m.target.rstrip("/") + path[len(src) :]
    return None


def container_to_host(svc: Service, path: str) -> str | None:
    """The host file behind a path inside the service's container (longest mount first)."""
    for m in sorted(svc.volumes, key=lambda m: len(m.target), reverse=True):
        if m.type != "bind" or not m.source:
            continue
        tgt = m.target.rstrip("/")
        if path == tgt:
            return m.source
        if path.startswith(tgt + "/"):
            return m.source.rstrip("/") + path[len(tgt) :]
    return None


def load(parts: Sequence[Part], environ: Mapping[str, str]) -> tuple[Topology, pipeline.Analysis]:
    """dockernet's static view of the variant, each project under the name and environment compose gets.

    ``pipeline.load_static`` takes one ``-p`` name for one project only, so each project is loaded on its
    own and the topologies are joined, as load_static joins the projects of several directories."""
    topologies = [
        pipeline.load_static(
            ComposeRequest(dirs=(str(part.directory),), project_name=part.name, environ=dict(environ))
        )
        for part in parts
    ]
    topology = Topology(
        projects=tuple(p for t in topologies for p in t.projects),
        proxies=tuple(p for t in topologies for p in t.proxies),
        images=tuple(i for t in topologies for i in t.images),
    )
    return topology, pipeline.analyse(topology)


def new_run(sample: Sample) -> ProjectRun:
    """A run of one sample variant: its projects, unique names, environment and dockernet's analysis."""
    parts = [Part(d, unique_project_name(sample, d)) for d in project_dirs(sample.path)]
    environ = clean_environ()
    topology, analysis = load(parts, environ)
    return ProjectRun(sample=sample, parts=parts, environ=environ, topology=topology, analysis=analysis)


def _tail(text: str, lines: int = 3) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


# ------------------------------------------------------------------------------------------ verdicts


@dataclass(frozen=True)
class FlaggedLoc:
    """A finding reduced to what the comparison needs (from ``check`` or from ``scan``)."""

    rule: str
    severity: str
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.rule}@{os.path.basename(self.file)}:{self.line}"


def from_findings(findings: Sequence[Finding]) -> list[FlaggedLoc]:
    return [FlaggedLoc(f.rule, f.severity.value, f.loc.file, f.loc.line) for f in findings]


def route_locs(route: Route) -> set[tuple[str, int]]:
    """The places a finding about this route is written: its pass directive and its upstream servers."""
    return {(route.forward.loc.file, route.forward.loc.line)} | {
        (t.loc.file, t.loc.line) for t in route.upstreams
    }


def errors_at(
    route: Route, flagged: Sequence[FlaggedLoc], also: Set[tuple[str, int]] = frozenset()
) -> list[FlaggedLoc]:
    where = route_locs(route) | also
    return [f for f in flagged if f.severity == Severity.ERROR.value and (f.file, f.line) in where]


@dataclass(frozen=True)
class Row:
    """One line of the comparison table."""

    sample: str
    route: str
    reality: str
    broken: bool | None
    flagged: bool
    findings: str
    log: str

    @property
    def agrees(self) -> bool:
        return self.broken is None or self.broken == self.flagged

    @property
    def verdict(self) -> str:
        if self.broken is None:
            return "not compared"
        return "ok" if self.agrees else "MISMATCH"


def compare(run: ProjectRun, flagged: Sequence[FlaggedLoc]) -> list[Row]:
    """Reality vs dockernet, route by route: a route is flagged when an error finding sits at its pass
    directive, one of its upstream servers or the proxy service itself, or, when the proxy never ran (or
    ``up`` failed), when the project has any error finding at all."""
    any_error = [f for f in flagged if f.severity == Severity.ERROR.value]
    rows = []
    for o in run.outcomes:
        at = errors_at(o.probe.route, flagged, run.proxy_locs(o.probe.proxy))
        running = run.proxy_running(o.probe.proxy)
        is_flagged = bool(at) or (not running and bool(any_error))
        shown = at if at or running else any_error
        events = [e for e in run.log_events(o.probe.proxy) if e.route_id == o.probe.route.id or e.startup]
        log = _short_log(events)
        rows.append(
            Row(
                sample=run.sample.name,
                route=o.probe.label,
                reality=o.reality,
                broken=o.broken,
                flagged=is_flagged,
                findings=", ".join(str(f) for f in shown) or "-",
                log=log,
            )
        )
    return rows


def _short_log(events: Sequence[attribution.LogEvent]) -> str:
    if not events:
        return ""
    first = events[0]
    msg = errorlog.parse_line(first.line)
    return f"{first.code}: {msg.message if msg else first.line}"


def table(rows: Sequence[Row], width: int = 60) -> str:
    """A plain-text table for pytest's failure output."""
    head = ("verdict", "sample", "route", "reality", "dockernet errors", "proxy log")
    body = [(r.verdict, r.sample, r.route, r.reality, r.findings, r.log) for r in rows]
    cols = [min(width, max(len(str(x[i])) for x in [head, *body])) for i in range(len(head))]

    def fmt(cells: Sequence[str]) -> str:
        return " | ".join(str(c)[:w].ljust(w) for c, w in zip(cells, cols, strict=True)).rstrip()

    return "\n".join([fmt(head), "-+-".join("-" * w for w in cols), *(fmt(b) for b in body)])


def markdown(
    rows: Sequence[Row], runs: Mapping[str, ProjectRun], scan_rows: Mapping[tuple[str, str], str]
) -> str:
    """The tables for docs/ground-truth.md: one row per route, then the time each variant took."""
    out = [
        "| sample | route | reality | `check`: errors at the route | `check` | `scan` "
        "| nginx error log (first line) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        scan_verdict = scan_rows.get((r.sample, r.route), "not run")
        cells = [r.sample, r.route, r.reality, r.findings, r.verdict, scan_verdict, r.log or ""]
        out.append("| " + " | ".join(_md(c) for c in cells) + " |")
    phases = ("up", "settle", "requests", "down")
    engine = sum(sum(run.timings.get(k, 0.0) for k in phases) for run in runs.values())
    routes_per = {name: sum(1 for r in rows if r.sample == name) for name in runs}
    out += [
        "",
        f"{len(runs)} variants ({sum(len(r.parts) for r in runs.values())} compose projects), "
        f"{len(rows)} routes, "
        f"{sum(1 for r in rows if r.verdict == 'MISMATCH')} disagreements with `check`, "
        f"{sum(1 for v in scan_rows.values() if v == 'MISMATCH')} with `scan`; "
        f"engine time {engine:.0f} s (up, settle, requests, down; `scan` and lock waits not included).",
        "",
        "| variant | routes | up | settle | requests | down |",
        "|---|---|---|---|---|---|",
    ]
    for name, run in sorted(runs.items()):
        times = [f"{run.timings.get(k, 0.0):.1f} s" for k in phases]
        out.append("| " + " | ".join([_md(name), str(routes_per[name]), *times]) + " |")
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


BEGIN = "<!-- ground-truth table: begin (generated by DOCKERNET_GT_REPORT=docs/ground-truth.md) -->"
END = "<!-- ground-truth table: end -->"


def write_report(path: Path, text: str) -> None:
    """Put the table between the markers of ``path`` (or write the table alone when it has none)."""
    if path.exists():
        current = path.read_text()
        if BEGIN in current and END in current:
            head, rest = current.split(BEGIN, 1)
            _, tail = rest.split(END, 1)
            path.write_text(f"{head}{BEGIN}\n{text}{END}{tail}")
            return
    path.write_text(text)


# ------------------------------------------------------------------------------------------ scan hook


@functools.cache
def scan_unavailable() -> str | None:
    """Why ``dockernet scan`` cannot be run yet, or None when it can."""
    import importlib.util

    for module in ("dockernet.cli.scan", "dockernet.pipeline.scan", "dockernet.sources.engine"):
        if importlib.util.find_spec(module) is None:
            return f"`dockernet scan` is not there yet ({module} missing)"
    done = subprocess.run(
        [sys.executable, "-m", "dockernet", "scan", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    if done.returncode != 0:
        return f"`dockernet scan --help` fails (exit {done.returncode}): {_tail(done.stderr, 1)}"
    return None


def scan(run: ProjectRun) -> tuple[list[FlaggedLoc], str]:
    """``dockernet scan --project <unique> --format json`` against the running project: its findings, with
    files inside containers mapped back to the sample's files through the proxies' bind mounts."""
    argv = [sys.executable, "-m", "dockernet", "scan", "--format", "json"]
    argv += [a for name in run.project_names for a in ("--project", name)]
    done = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
        check=False,
        env=run.environ,
    )
    if done.returncode not in (0, 1):
        raise AssertionError(f"{shlex.join(argv)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    doc = json.loads(done.stdout)
    out = []
    for f in doc.get("findings", []):
        file = f.get("file") or ""
        model = run.model(f.get("project") or "")
        svc = model.services.get(f.get("service") or "") if model is not None else None
        if file.startswith("/") and svc is not None:
            file = container_to_host(svc, file) or file
        elif file and not file.startswith("/"):
            file = os.path.abspath(file)
        out.append(FlaggedLoc(f.get("rule", "?"), f.get("severity", "?"), file, int(f.get("line") or 0)))
    return out, done.stdout


def describe_run(run: ProjectRun) -> str:
    """Context for a failure: up's output when it failed, the proxies' states and logs' error lines."""
    times = ", ".join(f"{k} {v:.1f} s" for k, v in run.timings.items())
    parts = [f"projects {', '.join(run.project_names)} ({run.sample.path}); {times}"]
    if not run.up_ok:
        parts.append("docker compose up failed:\n" + _tail(run.up_output, 8))
    for proxy in run.proxies():
        c = run.containers.get(proxy)
        parts.append(f"proxy {proxy[1]} ({proxy[0]}): {c.state() if c else 'no container'}")
        for e in run.log_events(proxy):
            parts.append(f"  [{e.code}] {e.line}")
    return "\n".join(parts)
