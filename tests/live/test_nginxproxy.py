"""Ground truth for the nginx-proxy reader. No nginx-proxy image exists offline, so for each
``compose-samples/dn*-nginxproxy-*`` variant the test does what the image would do, with independent code:
the backends are brought up on the real engine, the configuration that nginx-proxy's template
(``nginx.tmpl``) writes is generated from what ``docker inspect`` says of them (their ``VIRTUAL_*``
environment, exposed ports and addresses on the networks the proxy is on), and the real nginx
(dockernet-test/nginx) runs it in the proxy's place, on the proxy's networks. The status it answers for the
sample's host is compared with dockernet's verdict: broken exactly when ``check`` reports an error.

The one step emulated without a binary is the image's entrypoint check of the Docker socket
(``docker-entrypoint.sh`` exits when ``/tmp/docker.sock`` is not mounted): the proxy is then not started.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from dockernet import pipeline
from dockernet.model.findings import Severity
from dockernet.pipeline.requests import ComposeRequest
from tests.samples import SAMPLES, Sample, all_samples

NGINX_IMAGE = "dockernet-test/nginx:latest"
PROXY_IMAGE = re.compile(r"(^|/)nginx-proxy(:|$)")
VARIANTS = [s for s in all_samples() if "-nginxproxy-" in s.path.parent.name]
BROKEN = frozenset({502, 503, 504})


def _generate(backends: list[dict[str, object]], proxy_networks: set[str]) -> str:
    """The http-level part of nginx.tmpl (nginx-proxy 1.x), for the containers given (docker inspect)."""
    hosts: dict[str, list[str]] = {}
    for c in backends:
        config = c["Config"]
        assert isinstance(config, dict)
        env = dict(e.split("=", 1) for e in config.get("Env") or [])
        if not env.get("VIRTUAL_HOST"):
            continue
        exposed = sorted(int(p.split("/")[0]) for p in (config.get("ExposedPorts") or {}))
        default = str(exposed[0]) if len(exposed) == 1 else "80"
        port = env.get("VIRTUAL_PORT") or default
        networks = c["NetworkSettings"]["Networks"]  # type: ignore[index]
        servers = [
            f"server {n['IPAddress']}:{port};"
            for name, n in sorted(networks.items())
            if name in proxy_networks and name != "ingress"
        ]
        for host in (h.strip() for h in env["VIRTUAL_HOST"].split(",")):
            hosts.setdefault(host, []).extend(servers)
    out = ["server { server_name _; listen 80; return 503; }"]
    for host, servers in hosts.items():
        body = "\n  ".join(servers or ["server 127.0.0.1 down;  # Fallback entry"])
        out.append(f"upstream {host} {{\n  {body}\n}}")
        out.append(
            f"server {{ server_name {host}; listen 80;\n"
            f"  location / {{ proxy_connect_timeout 2s; proxy_pass http://{host}; }} }}"
        )
    return "\n".join(out) + "\n"


def _verdict(sample: Sample) -> bool:
    """True when dockernet says the sample's route is broken: an error, or DN851 (a warning only because
    the proxy may be in a project not checked; here nothing else exists)."""
    analysis = pipeline.analyse(pipeline.load_static(ComposeRequest(dirs=(str(sample.path),))))
    return any(f.severity is Severity.ERROR or f.rule == "DN851" for f in analysis.findings)


def _run(args: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.mark.parametrize("sample", VARIANTS, ids=[s.name for s in VARIANTS])
def test_real_nginx_on_the_generated_config(
    sample: Sample, docker_engine: object, compose_cli: list[str], tmp_path: Path
) -> None:
    project = re.sub(
        r"[^a-z0-9-]", "-", f"nginxproxy{os.getpid()}-{sample.path.parent.name[:20]}-{sample.path.name}"
    )
    base = [*compose_cli, "--project-directory", str(sample.path), "-p", project]
    config = json.loads(_run([*base, "config", "--format", "json"]).stdout)
    services = config["services"]
    proxy = next((n for n, s in services.items() if PROXY_IMAGE.search(s.get("image", ""))), None)
    others = [n for n in services if n != proxy]
    try:
        assert _run([*base, "up", "-d", *others]).returncode == 0
        status: int | str
        if proxy is None:
            status = "no proxy: nothing serves the host"
        elif not any(v.get("target") == "/tmp/docker.sock" for v in services[proxy].get("volumes", [])):
            status = "the entrypoint exits: no /tmp/docker.sock"
        else:
            nets = {
                config["networks"][k]["name"] for k in (services[proxy].get("networks") or {"default": {}})
            }
            ids = _run([*base, "ps", "-q", *others]).stdout.split()
            inspected = json.loads(_run(["docker", "inspect", *ids]).stdout)
            conf = tmp_path / "default.conf"
            conf.write_text(_generate(inspected, nets))
            conf.chmod(0o644)
            tmp_path.chmod(0o755)
            override = tmp_path / "override.yaml"
            override.write_text(
                json.dumps(
                    {
                        "services": {
                            proxy: {
                                "image": NGINX_IMAGE,
                                "volumes": [f"{conf}:/etc/nginx/conf.d/default.conf:ro"],
                            }
                        }
                    }
                )
            )
            files = [a for f in (sample.path / "compose.yaml", override) for a in ("-f", str(f))]
            _run([*base, *files, "up", "-d", "--no-deps", proxy])
            time.sleep(1.5)
            done = _run(
                [
                    *base,
                    "exec",
                    "-T",
                    proxy,
                    "wget",
                    "-S",
                    "-O",
                    "/dev/null",
                    "--header",
                    "Host: app.test",
                    "http://127.0.0.1/",
                ],
                timeout=30,
            )
            m = re.search(r"HTTP/\d(?:\.\d)?\s+(\d{3})", done.stdout + done.stderr)
            logs = _run([*base, "logs", proxy]).stdout
            status = int(m.group(1)) if m else f"no answer: {(done.stderr + logs).strip()[-200:]}"
            print(f"{sample.name}: {status}")
        broken = not isinstance(status, int) or status in BROKEN
        assert broken == _verdict(sample), f"{sample.name}: nginx answered {status}"
    finally:
        _run([*base, "down", "-v", "--remove-orphans", "-t", "1"])


def test_every_sample_is_here() -> None:
    assert len(VARIANTS) == 12 and all(s.path.is_relative_to(SAMPLES) for s in VARIANTS)
