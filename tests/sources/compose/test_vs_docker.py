"""Differential test: dockernet's compose loader against ``docker compose config --format json``.

Every compose project under ``compose-samples/`` (any directory holding a default compose file) and every
entry of the shared corpus (``../shared/corpus``, with the ``-f``/``--env-file`` combinations its INDEX.md
names) is loaded by both, with the same environment. Per project the test compares the name and, for every
service: the networks it is attached to (engine names) with aliases and static addresses, ``network_mode``,
ports (host IP, published, target, protocol), ``expose``, ``links``/``external_links``, ``extra_hosts``,
``container_name``, ``hostname`` and volumes (type, source, target, read-only); for every network: engine
name, ``external``, ``internal`` and IPAM subnets/gateways/ranges. When ``docker compose`` refuses a project,
dockernet must refuse it too.

Needs the Compose v2 plugin (fixture ``compose_cli``): skipped without it, failed under ``CI=true``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dockernet.errors import DockernetError
from dockernet.model import NetworkMode, Project
from dockernet.sources.compose import load_projects
from dockernet.sources.compose.discover import COMPOSE_FILE_NAMES
from tests.conftest import REPO, SHARED

SAMPLES = REPO / "compose-samples"
CORPUS = SHARED / "corpus"


@dataclass(frozen=True)
class Case:
    """One ``docker compose`` invocation: a directory, optional ``-f`` files and ``--env-file`` files."""

    directory: Path
    files: tuple[str, ...] = ()
    env_files: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        base = self.directory.name
        extra = [*(f"-f {f}" for f in self.files), *(f"--env-file {e}" for e in self.env_files)]
        return " ".join([base, *extra])


# Corpus entries that need more than plain discovery (shared/corpus/INDEX.md rows 15, 16, 20, 26, 27, 34, 38,
# 39, 41). Each also runs with plain discovery when it has a default compose file.
CORPUS_VARIANTS: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "testdrivenio__django-on-docker__root": [(("docker-compose.prod.yml",), ())],
    "testdrivenio__flask-on-docker__root": [(("docker-compose.prod.yml",), ())],
    "mattermost__docker__root": [(("docker-compose.yml", "docker-compose.nginx.yml"), ("env.example",))],
    "jitsi__docker-jitsi-meet__root": [((), ("env.example",))],
    "mjstealey__wordpress-nginx-docker__root": [((), ("env.template",))],
    "plausible__community-edition__reverse-proxy_caddy-gen": [
        (("docker-compose.yml", "reverse-proxy/docker-compose.caddy-gen.yml"), ())
    ],
    "MISP__x_old_misp_docker__root_at_431ef65": [(("docker-compose-nginx.yml",), ())],
    "verifywise-ai__verifywise__root": [
        (("docker-compose.yml", "docker-compose.prod.yml"), (".env.prod",)),
        ((), (".env.dev",)),
    ],
    "plausible__community-edition__reverse-proxy_traefik": [
        (("docker-compose.yml", "reverse-proxy/traefik/docker-compose.traefik.yml"), ())
    ],
}


def _has_compose_file(d: Path) -> bool:
    return any((d / n).is_file() for n in COMPOSE_FILE_NAMES)


def _sample_cases() -> list[Case]:
    if not SAMPLES.is_dir():
        return []
    return [Case(Path(root)) for root, _, _ in sorted(os.walk(SAMPLES)) if _has_compose_file(Path(root))]


def _corpus_cases() -> list[Case]:
    if not CORPUS.is_dir():
        return []
    cases: list[Case] = []
    for d in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        if _has_compose_file(d):
            cases.append(Case(d))
        for files, env_files in CORPUS_VARIANTS.get(d.name, []):
            cases.append(Case(d, files, env_files))
    return cases


def _environ() -> dict[str, str]:
    """The environment given to both loaders: ours, without compose's own settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_")}


# ------------------------------------------------------------------------------------------ normalising


def _unescape(value: Any) -> Any:
    """``docker compose config`` prints a literal ``$`` as ``$$``; the container (and our model) see ``$``."""
    return value.replace("$$", "$") if isinstance(value, str) else value


def _link(text: str) -> str:
    target, _, alias = text.partition(":")
    return f"{target}:{alias or target}"


def _ports_range(text: str) -> list[int]:
    start, _, end = text.partition("-")
    return list(range(int(start), int(end or start) + 1))


def _from_compose(data: Mapping[str, Any]) -> dict[str, Any]:
    networks = data.get("networks") or {}
    volumes = data.get("volumes") or {}
    services: dict[str, Any] = {}
    for name, svc in (data.get("services") or {}).items():
        nets: dict[str, Any] = {}
        for key, cfg in (svc.get("networks") or {}).items():
            cfg = cfg or {}
            nets[networks[key]["name"]] = {
                "aliases": sorted(_unescape(a) for a in cfg.get("aliases") or []),
                "ipv4": cfg.get("ipv4_address"),
                "ipv6": cfg.get("ipv6_address"),
            }
        ports = []
        for p in svc.get("ports") or []:
            published = p.get("published")
            ports.append(
                (
                    p.get("host_ip") or "",
                    int(str(published).split("-")[0]) if published else None,
                    int(p["target"]),
                    p.get("protocol", "tcp"),
                )
            )
        expose: set[int] = set()
        for e in svc.get("expose") or []:
            expose.update(_ports_range(str(e).split("/")[0]))
        hosts = svc.get("extra_hosts") or []
        if isinstance(hosts, dict):
            hosts = [
                f"{h}={ip}" for h, ips in hosts.items() for ip in (ips if isinstance(ips, list) else [ips])
            ]
        mounts = []
        for v in svc.get("volumes") or []:
            source = v.get("source")
            if v.get("type") == "volume" and source:
                source = volumes[source]["name"]
            if v.get("type") == "bind" and source:
                # compose keeps "~/a//b" as written after expanding "~"; dockernet normalises the path.
                source = os.path.normpath(source)
            mounts.append((v.get("type"), _unescape(source), v["target"], bool(v.get("read_only"))))
        services[name] = {
            "networks": nets,
            "network_mode": svc.get("network_mode"),
            "ports": sorted(ports, key=repr),
            "expose": sorted(expose),
            "links": sorted(_link(x) for x in svc.get("links") or []),
            "external_links": sorted(_link(x) for x in svc.get("external_links") or []),
            # An identical host=ip pair twice is one /etc/hosts line; dockernet keeps it once.
            "extra_hosts": sorted(set(hosts)),
            "container_name": _unescape(svc.get("container_name")),
            "hostname": _unescape(svc.get("hostname")),
            "volumes": sorted(mounts, key=repr),
            # Beyond networking: what the rules read too.
            "image": svc.get("image"),
            "build": _compose_build(svc.get("build")),
            "depends_on": sorted(svc.get("depends_on") or {}),
            "command": [_unescape(a) for a in svc.get("command") or []],
            "entrypoint": [_unescape(a) for a in svc.get("entrypoint") or []],
            "environment": {k: _unescape(v) for k, v in (svc.get("environment") or {}).items()},
            "labels": {k: _unescape(v) for k, v in (svc.get("labels") or {}).items()},
            "healthcheck": _compose_healthcheck(svc.get("healthcheck")),
            "replicas": (svc.get("deploy") or {}).get("replicas", svc.get("scale", 1)),
        }
    return {
        "name": data["name"],
        "services": services,
        "networks": {
            n["name"]: {
                "external": bool(n.get("external")),
                "internal": bool(n.get("internal")),
                "ipam": sorted(
                    (c.get("subnet"), c.get("gateway"), c.get("ip_range"))
                    for c in ((n.get("ipam") or {}).get("config") or [])
                ),
            }
            for n in networks.values()
        },
    }


def _compose_build(build: Mapping[str, Any] | None) -> tuple[str, str] | None:
    if build is None:
        return None
    context = build["context"]
    dockerfile = build.get("dockerfile", "Dockerfile")
    return context, os.path.normpath(os.path.join(context, dockerfile))


def _compose_healthcheck(hc: Mapping[str, Any] | None) -> bool:
    if hc is None or hc.get("disable"):
        return False
    return bool((hc.get("test") or [""])[0] != "NONE")


def _from_model(project: Project) -> dict[str, Any]:
    # A ``network_mode: <network name>`` is modelled as an attachment to an undeclared external network.
    synthetic = {k for k, n in project.networks.items() if not n.declared and n.external}
    services: dict[str, Any] = {}
    for name, svc in project.services.items():
        mode: str | None
        if svc.network_mode is NetworkMode.NETWORKS:
            mode = None
            if len(svc.networks) == 1 and svc.networks[0].network in synthetic:
                mode = project.networks[svc.networks[0].network].name
        elif svc.network_mode in (NetworkMode.SERVICE, NetworkMode.CONTAINER):
            mode = f"{svc.network_mode.value}:{svc.network_mode_target}"
        else:
            mode = svc.network_mode.value
        services[name] = {
            "networks": {
                project.networks[a.network].name: {
                    "aliases": sorted(a.aliases),
                    "ipv4": a.ipv4_address,
                    "ipv6": a.ipv6_address,
                }
                for a in svc.networks
                if a.network not in synthetic
            },
            "network_mode": mode,
            "ports": sorted(
                ((p.host_ip or "", p.published, p.target, p.protocol) for p in svc.ports), key=repr
            ),
            "expose": sorted(svc.expose),
            "links": sorted(f"{x.target}:{x.alias}" for x in svc.links if not x.external),
            "external_links": sorted(f"{x.target}:{x.alias}" for x in svc.links if x.external),
            "extra_hosts": sorted(f"{h.host}={h.ip}" for h in svc.extra_hosts),
            "container_name": svc.container_name,
            "hostname": svc.hostname,
            "volumes": sorted(((m.type, m.source, m.target, m.read_only) for m in svc.volumes), key=repr),
            "image": svc.image,
            "build": (svc.build.context, svc.build.dockerfile) if svc.build else None,
            "depends_on": sorted(svc.depends_on),
            "command": list(svc.command),
            "entrypoint": list(svc.entrypoint),
            "environment": dict(svc.environment),
            "labels": dict(svc.labels),
            "healthcheck": svc.healthcheck,
            "replicas": svc.replicas,
        }
    return {
        "name": project.name,
        "services": services,
        "networks": {
            n.name: {
                "external": n.external,
                "internal": n.internal,
                "ipam": sorted((c.subnet, c.gateway, c.ip_range) for c in n.ipam),
            }
            for k, n in project.networks.items()
            if k not in synthetic
        },
    }


# ------------------------------------------------------------------------------------------------ tests


def _run_compose(compose_cli: list[str], case: Case, environ: dict[str, str]) -> tuple[int, str, str]:
    argv = [*compose_cli]
    for f in case.files:
        argv += ["-f", f]
    for e in case.env_files:
        argv += ["--env-file", e]
    argv += ["config", "--format", "json"]
    done = subprocess.run(
        argv,
        cwd=case.directory,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


_MISSING_ENV_FILE = re.compile(r"env file (\S+) not found")


def _load_ours(case: Case, environ: dict[str, str], warnings: list[str]) -> Project:
    return load_projects(
        [] if case.files else [str(case.directory)],
        [str(case.directory / f) for f in case.files],
        None,
        [str(case.directory / e) for e in case.env_files],
        [],
        environ,
        warnings=warnings,
    )[0]


def _check(compose_cli: list[str], case: Case, tmp_path: Path, *, expect_ok: bool | None = None) -> None:
    environ = _environ()
    rc, out, err = _run_compose(compose_cli, case, environ)
    missing = _MISSING_ENV_FILE.search(err) if rc != 0 else None
    if missing is not None:
        # Deliberate deviation: a missing service ``env_file`` is an error for docker compose, a warning for
        # dockernet (env files are often kept out of repositories). Check the warning, then compare both on a
        # copy of the project where the missing env files exist (empty).
        warnings: list[str] = []
        _load_ours(case, environ, warnings)
        assert any("env file" in w and "not found" in w for w in warnings), warnings
        copy = tmp_path / case.directory.name
        shutil.copytree(case.directory, copy)
        case = Case(copy, case.files, case.env_files)
        for _ in range(20):
            rc, out, err = _run_compose(compose_cli, case, environ)
            missing = _MISSING_ENV_FILE.search(err) if rc != 0 else None
            if missing is None:
                break
            path = Path(missing.group(1).rstrip(":"))
            assert copy in path.parents, f"missing env file outside the project: {path}"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch()
    if expect_ok is not None:
        assert (rc == 0) == expect_ok, f"docker compose: rc {rc}: {err.strip()[-500:]}"
    ours: Project | None = None
    our_error: str | None = None
    try:
        ours = _load_ours(case, environ, [])
    except DockernetError as e:
        our_error = str(e)
    if rc != 0:
        assert ours is None, f"docker compose refused the project but dockernet loaded it: {err.strip()}"
        return
    assert our_error is None, f"dockernet refused a project docker compose accepts: {our_error}"
    assert ours is not None
    expected = _from_compose(json.loads(out))
    actual = _from_model(ours)
    assert actual["name"] == expected["name"]
    assert sorted(actual["services"]) == sorted(expected["services"])
    for name in expected["services"]:
        for attr, want in expected["services"][name].items():
            got = actual["services"][name][attr]
            assert got == want, f"service {name}: {attr} differs: dockernet {got!r}, compose {want!r}"
    assert actual["networks"] == expected["networks"]


# ---------------------------------------------------------------------------------- synthetic projects

# Small projects that exercise the loader's tricky corners, written to a temporary directory and compared
# with docker compose like the samples. Each: files (relative path -> text), -f files, --env-file files.
SYNTHETIC: dict[str, tuple[dict[str, str], tuple[str, ...], tuple[str, ...]]] = {
    "merge-override-reset": (
        {
            "compose.yaml": """\
services:
  web:
    image: nginx
    command: ["a", "b"]
    networks: [front]
    ports: ["8080:80", "9000-9001:9000-9001/udp"]
    environment: [A=1, B=2]
    extra_hosts: ["h1:10.0.0.1"]
    volumes: ["./data:/data", "cache:/cache"]
  api:
    image: api
    networks: {front: {aliases: [api-front]}, back: }
    expose: [3000, "4000-4002", "5000/tcp"]
networks:
  front:
  back:
    ipam:
      config:
        - subnet: 172.30.1.0/24
          gateway: 172.30.1.1
volumes:
  cache:
""",
            "compose.override.yaml": """\
services:
  web:
    command: c
    networks:
      back:
        aliases: [web-back]
        ipv4_address: 172.30.1.10
    ports: ["8080:80", "127.0.0.1:8443:443"]
    environment: {B: "3", C: "4"}
    extra_hosts: {h2: "10.0.0.2", h1: "10.0.0.1"}
    volumes: ["./other:/data:ro"]
  api:
    networks: !override
      back:
        aliases: [api-back]
    expose: !reset []
""",
        },
        (),
        (),
    ),
    "anchors-and-merge-keys": (
        {
            "compose.yaml": """\
x-net: &net
  networks: [front]
x-ports: &ports
  ports: ["127.0.0.1:1000:80"]
x-host: &host
  hostname: from-anchor
  ports: ["2000:80"]
services:
  a:
    <<: [*net, *ports, *host]
    image: a
  b:
    <<: *host
    hostname: explicit
    image: b
networks:
  front:
""",
        },
        (),
        (),
    ),
    "interpolation-and-env": (
        {
            "compose.yaml": """\
name: "Demo.${SUFFIX:-dflt}"
services:
  web:
    image: nginx
    container_name: ${COMPOSE_PROJECT_NAME}-web
    hostname: "${HOST_NAME-fallback}"
    ports:
      - "${BIND:-127.0.0.1}:${PORT:-8080}:80"
      - "${UNSET_PORT:-9090}:90"
    extra_hosts:
      - "gw:${GW:-host-gateway}"
      - "alt:${ALT:+10.9.9.9}"
    networks:
      default:
        aliases: ["${ALIAS}", "lit$$eral"]
""",
            ".env": """\
# comment
export ALIAS=from-dotenv
HOST_NAME=
PORT="8081" # inline comment
ALT='x'
""",
        },
        (),
        (),
    ),
    "extends-across-files": (
        {
            "compose.yaml": """\
services:
  web:
    extends:
      file: common/base.yaml
      service: base
    networks: [front, basenet]
  worker:
    extends: web
    hostname: worker
networks:
  front:
  basenet:
""",
            "common/base.yaml": """\
services:
  base:
    image: base
    volumes: ["./conf:/etc/conf:ro", "/abs:/abs"]
    ports: ["7000:7000"]
    networks: [basenet]
""",
        },
        (),
        (),
    ),
    "include-and-profiles": (
        {
            "compose.yaml": """\
include:
  - inc/db.yaml
services:
  web:
    image: nginx
    networks: [shared, default]
    depends_on: [db]
  debug:
    image: busybox
    profiles: [debug]
    network_mode: "service:web"
  tools:
    image: busybox
    profiles: [tools]
    network_mode: host
""",
            "inc/db.yaml": """\
services:
  db:
    image: postgres
    networks: [shared]
    volumes: ["./pgdata:/var/lib/postgresql/data"]
    container_name: ${DB_CONTAINER:-db-from-include}
networks:
  shared:
    driver: bridge
""",
            "inc/.env": "DB_CONTAINER=db-from-include-env\n",
            ".env": "COMPOSE_PROFILES=debug\n",
        },
        (),
        (),
    ),
    "networks-top-level": (
        {
            "compose.yaml": """\
services:
  a:
    image: a
    networks:
      ext1:
      ext2:
      named:
      intl:
        ipv4_address: 10.20.0.5
        ipv6_address: fd00::5
      default:
    links: ["b:bee", "c"]
    external_links: ["legacy_db:db", "other"]
  b:
    image: b
  c:
    image: c
    network_mode: none
  d:
    image: d
    network_mode: container:some-container
  e:
    image: e
    network_mode: bridge
  f:
    image: f
    network_mode: my-existing-network
networks:
  default:
    name: custom-default
  ext1:
    external: true
  ext2:
    external: true
    name: real-ext2
  named:
    name: not-prefixed
    internal: true
  intl:
    enable_ipv6: true
    ipam:
      config:
        - subnet: 10.20.0.0/24
          ip_range: 10.20.0.128/25
          gateway: 10.20.0.1
          aux_addresses: {host1: 10.20.0.2}
        - subnet: fd00::/64
  unused:
""",
        },
        (),
        (),
    ),
    "multi-file-other-dir": (
        {
            "base/compose.yml": """\
name: first-name
services:
  app:
    image: app
    volumes: ["./data:/data"]
""",
            "overrides/extra.yml": """\
name: Second.Name
services:
  app:
    volumes: ["./more:/more", "named:/named"]
    ports: ["[::1]:6001:6001", "3000"]
volumes:
  named:
    name: explicit-volume-name
""",
        },
        ("base/compose.yml", "overrides/extra.yml"),
        (),
    ),
    "long-syntax-and-build": (
        {
            "compose.yaml": """\
services:
  web:
    build: ./web
    ports:
      - target: 80
        published: "8000-8002"
        host_ip: 127.0.0.1
        protocol: tcp
      - target: 443
        published: 8443
      - "8080:80"
      - "5353:53/udp"
    volumes:
      - type: bind
        source: ./site/
        target: /usr/share/nginx/html/
        read_only: true
      - type: volume
        target: /anon
      - type: tmpfs
        target: /tmp
      - ext-vol:/ext
    extra_hosts:
      - "v6host=[::1]"
      - "v6other:::2"
      - "multi=10.0.0.1,10.0.0.2"
    labels: [a=b]
  api:
    build:
      context: api
      dockerfile: docker/Dockerfile.prod
    scale: 2
    hostname: api-host
volumes:
  ext-vol:
    external: true
""",
            "compose.override.yaml": """\
services:
  web:
    build:
      dockerfile: Other.Dockerfile
    ports:
      - target: 80
        published: "8000-8002"
        host_ip: 127.0.0.1
""",
        },
        (),
        (),
    ),
    "legacy-external-name": (
        {
            "docker-compose.yml": """\
version: "2.4"
services:
  web:
    image: nginx
    networks: [proxy]
networks:
  proxy:
    external:
      name: nginx-proxy
""",
        },
        (),
        (),
    ),
    "odd-but-valid": (
        {
            "compose.yaml": """\
services:
  web:
    image: nginx
    ports:
      - "${HTTP_PORT}:80"
      - 8443:443
      - "0.0.0.0:53:53/udp"
    expose: ["3000-3002/udp", 4000]
    extra_hosts:
      one: [10.0.0.1, 10.0.0.2]
    depends_on:
      api:
        condition: service_healthy
    environment:
      YES_STR: yes
      NUM: 012
      EMPTY:
    labels:
      - "traefik.http.routers.web.rule=Host(`example.com`)"
    command: ["sh", "-c", "echo $$PATH"]
    healthcheck:
      test: ["NONE"]
  api:
    image: api
    deploy:
      replicas: "2"
  side:
    image: side
    network_mode: "service:web"
  all:
    image: all
    profiles: [one, two]
""",
            ".env": "COMPOSE_PROFILES=two\n",
        },
        (),
        (),
    ),
    "extends-and-include-paths": (
        {
            "compose.yaml": """\
include:
  - path: parts/cache.yaml
    project_directory: parts/root
    env_file: parts/cache.env
services:
  a:
    image: x
    networks: [cachenet]
""",
            "sub/over.yml": "services:\n  b:\n    extends: {file: base.yml, service: base}\n",
            "base.yml": "services:\n  base:\n    image: root-base\n    volumes: ['./rel:/rel']\n",
            "sub/base.yml": "services:\n  base:\n    image: sub-base\n",
            "parts/cache.yaml": """\
services:
  cache:
    image: ${CACHE_IMAGE}
    volumes: ["./data:/data"]
    networks: [cachenet]
networks:
  cachenet:
    name: ${CACHE_NET:-cache-default}
""",
            "parts/cache.env": "CACHE_IMAGE=redis:7\nCACHE_NET=cache-from-env\n",
            "multi.yaml": "services:\n  m:\n    image: x\n---\nservices:\n  m:\n    hostname: h\n",
        },
        ("compose.yaml", "sub/over.yml", "multi.yaml"),
        (),
    ),
    # Both must refuse these.
    "error-undefined-network": (
        {"compose.yaml": "services:\n  a:\n    image: x\n    networks: [nope]\n"},
        (),
        (),
    ),
    "error-mode-and-networks": (
        {
            "compose.yaml": (
                "services:\n  a:\n    image: x\n    network_mode: host\n    networks: [n]\nnetworks:\n  n:\n"
            )
        },
        (),
        (),
    ),
    "error-required-variable": (
        {"compose.yaml": "services:\n  a:\n    image: ${IMAGE:?set IMAGE}\n"},
        (),
        (),
    ),
    "error-include-conflict": (
        {
            "compose.yaml": "include: [other.yaml]\nservices:\n  a:\n    image: x\n",
            "other.yaml": "services:\n  a:\n    image: y\n",
        },
        (),
        (),
    ),
    "error-extends-cycle": (
        {"compose.yaml": "services:\n  a:\n    image: x\n    extends: b\n  b:\n    extends: a\n"},
        (),
        (),
    ),
    "error-dotenv-project-name": (
        {"compose.yaml": "services:\n  a:\n    image: x\n", ".env": "COMPOSE_PROJECT_NAME=Bad.Name\n"},
        (),
        (),
    ),
    "error-duplicate-key": (
        {"compose.yaml": "services:\n  a:\n    image: x\n    image: y\n"},
        (),
        (),
    ),
    "error-undefined-volume": (
        {"compose.yaml": "services:\n  a:\n    image: x\n    volumes: [data:/x]\n"},
        (),
        (),
    ),
    "error-optional-dependency-undefined": (
        {"compose.yaml": "services:\n  a:\n    image: x\n    depends_on:\n      b: {required: false}\n"},
        (),
        (),
    ),
    "error-dependency-cycle": (
        {
            "compose.yaml": (
                "services:\n  a:\n    image: x\n    depends_on: [b]\n"
                "  b:\n    image: y\n    network_mode: service:a\n"
            )
        },
        (),
        (),
    ),
    "error-link-to-undefined": (
        {"compose.yaml": "services:\n  a:\n    image: x\n    links: [ghost]\n"},
        (),
        (),
    ),
}


def _synthetic_case(name: str, tmp_path: Path) -> Case:
    files, f_args, env_args = SYNTHETIC[name]
    root = tmp_path / name
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    if f_args:
        # The project directory is the first file's directory; run from the root.
        return Case(root, f_args, env_args)
    return Case(root, (), env_args)


@pytest.mark.parametrize("name", sorted(SYNTHETIC))
def test_synthetic_matches_docker_compose(compose_cli: list[str], name: str, tmp_path: Path) -> None:
    _check(compose_cli, _synthetic_case(name, tmp_path), tmp_path, expect_ok=not name.startswith("error-"))


SAMPLE_CASES = _sample_cases()
CORPUS_CASES = _corpus_cases()


@pytest.mark.parametrize("case", SAMPLE_CASES, ids=[c.id for c in SAMPLE_CASES])
def test_sample_matches_docker_compose(compose_cli: list[str], case: Case, tmp_path: Path) -> None:
    _check(compose_cli, case, tmp_path)


@pytest.mark.parametrize("case", CORPUS_CASES, ids=[c.id for c in CORPUS_CASES])
def test_corpus_matches_docker_compose(compose_cli: list[str], case: Case, tmp_path: Path) -> None:
    _check(compose_cli, case, tmp_path)


def test_sources_present() -> None:
    """Say plainly when a source of projects is missing instead of silently comparing nothing."""
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is absent ({CORPUS})")
    if not SAMPLE_CASES:
        pytest.skip(f"no compose projects under {SAMPLES} yet")
