"""dockernet over the shared corpus of 41 real public compose projects, hand-labelled in its INDEX.md: an
error on each broken nginx project, with the right rule, and no error on any working one.

The corpus is optional: a set of projects kept beside the repository (``../shared/corpus``, that is
``tests.conftest.SHARED / "corpus"``), not part of it. Without it the tests here are skipped, and
tests/sources/compose/test_vs_docker.py and tests/dialects/nginx/test_differential.py run on
compose-samples/ alone.

The corpus also holds Caddy, Traefik and HAProxy projects. A proxy whose routes dockernet does not read
must never pass in silence: it gets a DN305 warning (test_corpus_never_silent). Caddy's and Traefik's are
read. Haxxnet caddy, labelled broken, is caught with DN102 (its Caddyfile given with --caddy, as it is
mounted from outside the repository); searxng's host-network Caddy at localhost stays quiet. The Traefik
rows 9, 23 and 35 work and must have no error; row 41, plausible traefik, is broken: DN507.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from dockernet import pipeline
from dockernet.model import Proxy, Topology
from dockernet.model.findings import Finding, Severity
from dockernet.pipeline.requests import ComposeRequest
from tests.conftest import SHARED

CORPUS = SHARED / "corpus"


@dataclass(frozen=True)
class Entry:
    """One corpus project as `docker compose` would be invoked on it."""

    name: str
    files: tuple[str, ...] = ()
    env_files: tuple[str, ...] = ()
    nginx: tuple[tuple[str, str], ...] = ()
    """--nginx SERVICE=PATH, for configs baked into pulled images (the Dockerfile is in the corpus)."""
    environ: tuple[tuple[str, str], ...] = ()
    """Variables set as the shell would (``{root}`` is the project's directory), for paths outside it."""
    copies: tuple[tuple[str, str], ...] = ()
    """(file of the project, where to put it): files the project mounts from outside the repository."""
    broken: tuple[str, ...] = ()
    """Rule IDs that must fire (the INDEX verdict BROKEN); empty: no error allowed."""
    add_files: tuple[str, ...] = ()
    """Files the corpus left out (reduced to what places the proxy config) that the real project has."""

    @property
    def id(self) -> str:
        extra = [*self.files, *(f"{k}={v}" for k, v in self.environ)]
        return self.name + ("+" + "+".join(extra) if extra else "")


# The -f / --env-file combinations INDEX.md names for multi-file projects; everything else is plain discovery.
SPECIAL = {
    "testdrivenio__django-on-docker__root": [Entry("", files=("docker-compose.prod.yml",))],
    "testdrivenio__flask-on-docker__root": [Entry("", files=("docker-compose.prod.yml",))],
    "mattermost__docker__root": [
        Entry("", files=("docker-compose.yml", "docker-compose.nginx.yml"), env_files=("env.example",))
    ],
    "jitsi__docker-jitsi-meet__root": [Entry("", env_files=("env.example",))],
    "mjstealey__wordpress-nginx-docker__root": [Entry("", env_files=("env.template",))],
    "plausible__community-edition__reverse-proxy_caddy-gen": [
        Entry("", files=("docker-compose.yml", "reverse-proxy/docker-compose.caddy-gen.yml"))
    ],
    # Row 41: Traefik labels for a Traefik of another stack, while plausible is on its project's default
    # network only: that Traefik dials an address it cannot reach.
    "plausible__community-edition__reverse-proxy_traefik": [
        Entry(
            "",
            files=("docker-compose.yml", "reverse-proxy/traefik/docker-compose.traefik.yml"),
            broken=("DN507",),
        )
    ],
    # Row 40: the Caddyfile is mounted from ${DOCKER_VOLUME_STORAGE}/caddy/CaddyFile, outside the repository;
    # the repository's CaddyFile is that file (its README copies it there). `reverse_proxy nginx:80` names a
    # service of another project on another default network: Caddy starts and answers 502.
    "Haxxnet__Compose-Examples__examples_caddy": [
        Entry(
            "",
            environ=(("DOCKER_VOLUME_STORAGE", "{root}/volumes"),),
            copies=(("CaddyFile", "volumes/caddy/CaddyFile"),),
            broken=("DN102",),
        ),
        # As shipped, /mnt/docker-volumes/caddy/CaddyFile does not exist here: Docker would mount an empty
        # directory on /etc/caddy/Caddyfile.
        Entry("", broken=("DN116",)),
    ],
    # Row 22: as shipped, .env sets DATA_FOLDER=/<directory-path>/n8n-docker-caddy, a placeholder: the
    # Caddyfile mount has no source. With DATA_FOLDER at the project (its README's layout), the Caddyfile's
    # own placeholder site `n8n.<domain>.<suffix>` is one Caddy refuses ("subject does not qualify for
    # certificate"); the route to n8n:5678 itself is right.
    "n8n-io__n8n-hosting__docker-caddy": [
        Entry("", broken=("DN116",)),
        Entry("", environ=(("DATA_FOLDER", "{root}"),), broken=("DN601",)),
    ],
    # Row 38: `proxy_pass http://misp-web` where only misp_web / web resolve. The corpus kept
    # includes/proxy.conf but not includes/ssl.conf, which the real repository has.
    "MISP__x_old_misp_docker__root_at_431ef65": [
        Entry(
            "", files=("docker-compose-nginx.yml",), broken=("DN102",), add_files=("proxy/includes/ssl.conf",)
        )
    ],
    # Row 39: nginx baked into the pulled frontend image (Clients/Dockerfile COPY Clients/nginx.conf):
    # `proxy_pass http://localhost:3000` is the frontend container itself.
    "verifywise-ai__verifywise__root": [
        Entry(
            "",
            files=("docker-compose.yml", "docker-compose.prod.yml"),
            env_files=(".env.prod",),
            nginx=(("frontend", "Clients/nginx.conf"),),
            broken=("DN101",),
        )
    ],
}


ON_THE_HOST = {"plausible__community-edition__reverse-proxy_nginx-host"}
"""Row 33: nginx on the host in front of a published port; no compose service is a proxy."""


def entries() -> list[Entry]:
    if not CORPUS.is_dir():
        return []
    out = []
    for d in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        for e in SPECIAL.get(d.name, [Entry("")]):
            out.append(
                Entry(d.name, e.files, e.env_files, e.nginx, e.environ, e.copies, e.broken, e.add_files)
            )
    return out


ENTRIES = entries()


def run(entry: Entry, tmp_path: Path) -> tuple[Topology, list[Finding]]:
    root = CORPUS / entry.name
    if entry.add_files or entry.copies:
        root = tmp_path / entry.name
        shutil.copytree(CORPUS / entry.name, root)
        for rel in entry.add_files:
            (root / rel).write_text("# left out of the corpus\n")
        for rel, dest in entry.copies:
            (root / dest).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(root / rel, root / dest)
    topology = pipeline.load_static(
        ComposeRequest(
            dirs=() if entry.files else (str(root),),
            files=tuple(str(root / f) for f in entry.files),
            env_files=tuple(str(root / f) for f in entry.env_files),
            environ={k: v.replace("{root}", str(root)) for k, v in entry.environ},
            overrides={svc: ("nginx", str(root / path)) for svc, path in entry.nginx},
        )
    )
    return topology, list(pipeline.analyse(topology).findings)


def test_corpus_is_there() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is absent ({CORPUS})")
    assert len({e.name for e in ENTRIES}) == 41


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.id for e in ENTRIES])
def test_corpus_verdict(entry: Entry, tmp_path: Path) -> None:
    errors = [f for f in run(entry, tmp_path)[1] if f.severity is Severity.ERROR]
    shown = "\n".join(f"{f.loc}: {f.rule} {f.message}" for f in errors)
    if entry.broken:
        assert {f.rule for f in errors} == set(entry.broken), shown
    else:
        assert not errors, shown


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.id for e in ENTRIES])
def test_corpus_never_silent(entry: Entry, tmp_path: Path) -> None:
    """No silent all-clear: a project whose proxy dockernet recognises gets its routes checked, or a DN305
    warning for the proxy whose routes were not read. (A project where no service is recognised as a
    proxy, like jitsi's ``web`` image, gets "nothing was checked" under the summary: tests/output.)"""
    if entry.name in ON_THE_HOST:
        pytest.skip("the proxy runs on the host, outside every compose file")
    topology, findings = run(entry, tmp_path)
    routes = sum(len(p.routes) for p in topology.proxies if isinstance(p, Proxy))
    unread = [f for f in findings if f.rule == "DN305" and f.severity is Severity.WARNING]
    assert routes or unread or not topology.proxies, "0 routes checked, and nothing says why"
