"""dockernet's Traefik reader, proven against the real Traefik (dockernet-test/traefik, 3.7.15).

For every Traefik sample of compose-samples/ that can run (no STATIC_ONLY), the sample is brought up on the
test engine and Traefik's own API (``--api.insecure=true``, read from inside its container) is compared
with what dockernet read from the compose files alone:

* the routers Traefik has (``/api/http/routers``, Docker and file providers) are exactly the routers
  dockernet says Traefik serves or disables, with the same rule, entry points and service; a router
  Traefik lists as disabled is one whose service dockernet says does not exist (DN501);
* for every enabled router, the server URLs of its service (``/api/http/services``) are dockernet's
  upstreams: scheme and port as read, and the host the container's address on the network dockernet
  says Traefik takes it on (any of its networks when that is Traefik's random pick), or the file
  provider's ``url`` as written.

Routers that dockernet says Traefik skips (exposedByDefault, no port, no socket) must be absent.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator

import pytest

from dockernet import pipeline
from dockernet.dialects import traefik
from dockernet.model import Lookup, Proxy, Route
from dockernet.pipeline.requests import ComposeRequest
from tests.samples import Sample, all_samples

IMAGE = "dockernet-test/traefik:latest"
SAMPLES = [
    s
    for s in all_samples()
    if not s.static_only and any("dockernet-test/traefik" in (d / "compose.yaml").read_text() for d in s.dirs)
]
SETTLE = 20.0


def _run(*argv: str, timeout: float = 180) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, f"{' '.join(argv)}: {done.stderr[-2000:]}"
    return done.stdout


def _read(sample: Sample) -> tuple[Proxy, traefik.Syntax]:
    topology = pipeline.load_static(ComposeRequest(dirs=tuple(str(d) for d in sample.dirs)))
    found = [p for p in topology.proxies if isinstance(p, Proxy) and p.dialect == "traefik"]
    assert len(found) == 1, found
    syntax = found[0].syntax
    assert isinstance(syntax, traefik.Syntax)
    return found[0], syntax


@pytest.fixture
def up(request: pytest.FixtureRequest, docker_engine: object, compose_cli: list[str]) -> Iterator[str]:
    sample: Sample = request.param
    if subprocess.run(["docker", "image", "inspect", IMAGE], capture_output=True, check=False).returncode:
        pytest.skip(f"{IMAGE} missing (scripts/test-engine.sh)")
    project = _project(sample)
    args = [*compose_cli, "--project-directory", str(sample.path), "-p", project]
    _run(*args, "up", "-d")
    try:
        yield project
    finally:
        subprocess.run([*args, "down", "-v", "-t", "0"], capture_output=True, timeout=120, check=False)


def _project(sample: Sample) -> str:
    for line in (sample.path / "compose.yaml").read_text().splitlines():
        if line.startswith("name:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"{sample.name}: no top-level name")


def _api(container: str, path: str) -> list[dict[str, object]]:
    argv = ["docker", "exec", container, "wget", "-qO-", f"http://127.0.0.1:8080/api/http/{path}"]
    deadline = time.monotonic() + SETTLE
    while True:  # Traefik's API listens a moment after the container starts
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
        if done.returncode == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert isinstance(data, list)
    return [d for d in data if d.get("provider") in ("docker", "file")]


def _addresses(container: str) -> dict[str, str]:
    out = _run("docker", "inspect", "-f", "{{json .NetworkSettings.Networks}}", container)
    return {name: net["IPAddress"] for name, net in json.loads(out).items()}


def _expected_urls(project: str, route: Route) -> list[set[str]]:
    """Per upstream, the URLs Traefik may have for it."""
    out: list[set[str]] = []
    for t in route.upstreams:
        if t.lookup is not Lookup.PROVIDER:
            out.append({t.raw})
            continue
        assert t.service is not None
        ips = _addresses(f"{project}-{t.service[1]}-1")
        picked = [ips[t.network]] if t.network in ips else list(ips.values())
        out.append({f"{t.scheme}://{ip}:{t.port}" for ip in picked})
    return out


@pytest.mark.parametrize("up", SAMPLES, ids=[s.name for s in SAMPLES], indirect=True)
def test_routers_and_servers_equal_traefiks(up: str, request: pytest.FixtureRequest) -> None:
    sample: Sample = request.node.callspec.params["up"]
    proxy, facts = _read(sample)
    container = f"{up}-{proxy.service[1]}-1"
    ours = {r.name: r for r in facts.routers if r.why is None and not r.service.endswith("@internal")}
    deadline = time.monotonic() + SETTLE
    while True:  # the Docker provider catches up with the containers' start events
        routers = {str(r["name"]): r for r in _api(container, "routers")}
        if set(routers) >= set(ours) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert set(routers) == set(ours), f"Traefik: {sorted(routers)}; dockernet: {sorted(ours)}"
    services = {str(s["name"]): s for s in _api(container, "services")}
    by_title = {r.title: r for r in proxy.routes}
    for name, router in ours.items():
        api = routers[name]
        assert api["rule"] == router.rule, name
        assert sorted(api["entryPoints"]) == sorted(router.entrypoints), name  # type: ignore[call-overload]
        assert (api["status"] == "enabled") == router.exists, (name, api.get("error"))
        if not router.exists:
            continue
        qualified = (
            str(api["service"]) if "@" in str(api["service"]) else f"{api['service']}@{api['provider']}"
        )
        assert qualified == router.service, name
        lb = services[router.service]["loadBalancer"]
        urls = sorted(str(s["url"]) for s in lb["servers"])  # type: ignore[index]
        expected = _expected_urls(up, by_title[f"router {name}"])
        assert len(urls) == len(expected), (name, urls, expected)
        for url in urls:
            assert any(url in options for options in expected), (name, url, expected)
