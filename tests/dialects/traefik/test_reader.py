"""The Traefik reader on small compose projects: where the static configuration comes from, the Docker
provider's labels (both compose forms), Traefik's defaults (rule, service, port), the file provider, and
that no label or environment value other than the routing ones reaches any output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dockernet import pipeline
from dockernet.dialects import traefik
from dockernet.errors import InputError
from dockernet.model import Lookup, Proxy, UnreadProxy
from dockernet.pipeline.requests import ComposeRequest

HEAD = "name: p\nservices:\n  traefik:\n    image: traefik:v3.1\n"
SOCK = "    volumes: [/var/run/docker.sock:/var/run/docker.sock:ro]\n"


def read(tmp_path: Path, compose: str, files: dict[str, str] | None = None) -> Proxy:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "compose.yaml").write_text(compose)
    for name, text in (files or {}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    topology = pipeline.load_static(ComposeRequest(dirs=(str(tmp_path),)))
    found = [p for p in topology.proxies if p.dialect == "traefik"]
    assert len(found) == 1 and isinstance(found[0], Proxy), found
    return found[0]


def facts(proxy: Proxy) -> traefik.Syntax:
    assert isinstance(proxy.syntax, traefik.Syntax)
    return proxy.syntax


APP = (
    "  app:\n    image: busybox\n    expose: ['3000']\n    labels:\n"
    "      traefik.http.routers.web.rule: Host(`a.test`) && PathPrefix(`/api`)\n"
)


@pytest.mark.parametrize(
    "image", ["traefik", "traefik:v3.1", "docker.io/library/traefik:v2.11", "dockernet-test/traefik:latest"]
)
def test_claims_by_image(tmp_path: Path, image: str) -> None:
    proxy = read(
        tmp_path, HEAD.replace("traefik:v3.1", image) + "    command: [--providers.docker]\n" + SOCK + APP
    )
    assert [r.title for r in proxy.routes] == ["router web@docker"]


def test_claims_by_command(tmp_path: Path) -> None:
    compose = (
        "name: p\nservices:\n  edge:\n    image: mine\n    command: [traefik, --providers.docker]\n" + APP
    )
    assert read(tmp_path, compose).routes


def test_flags_give_the_provider_options(tmp_path: Path) -> None:
    compose = (
        HEAD
        + (
            "    command:\n      - --providers.docker.exposedbydefault=false\n"
            "      - --providers.docker.network=p_front\n      - --entrypoints.web.address=:8081\n"
        )
        + SOCK
        + APP
    )
    proxy = read(tmp_path, compose)
    conf = facts(proxy).static
    assert conf.source == "command" and conf.docker is not None
    assert conf.docker.exposed_by_default is False and conf.docker.network == "p_front"
    assert proxy.listens == (8081,)
    # not enabled: the router is in the model, marked as not served
    assert [r.why for r in facts(proxy).routers] == [traefik.Why.DISABLED]


def test_environment_when_there_are_no_flags(tmp_path: Path) -> None:
    compose = (
        HEAD
        + (
            "    environment:\n      TRAEFIK_PROVIDERS_DOCKER: 'true'\n"
            "      TRAEFIK_PROVIDERS_DOCKER_EXPOSEDBYDEFAULT: 'false'\n"
        )
        + SOCK
        + APP
    )
    conf = facts(read(tmp_path, compose)).static
    assert conf.source == "environment" and conf.docker and conf.docker.exposed_by_default is False


def test_the_file_wins_over_flags(tmp_path: Path) -> None:
    static = "entryPoints:\n  web:\n    address: ':80'\nproviders:\n  docker:\n    exposedByDefault: true\n"
    compose = (
        HEAD
        + (
            "    command: [--providers.docker.exposedbydefault=false]\n"
            "    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock:ro\n"
            "      - ./traefik.yml:/etc/traefik/traefik.yml:ro\n"
        )
        + APP
    )
    proxy = read(tmp_path, compose, {"traefik.yml": static})
    conf = facts(proxy).static
    assert conf.source.startswith("file ") and conf.docker and conf.docker.exposed_by_default is True
    assert [r.why for r in facts(proxy).routers] == [None]


def test_toml_static_file_and_config_file_flag(tmp_path: Path) -> None:
    static = '[providers.docker]\nexposedByDefault = false\nnetwork = "p_web"\n'
    compose = (
        HEAD
        + (
            "    command: [--configFile=/conf/static.toml]\n"
            "    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock:ro\n"
            "      - ./static.toml:/conf/static.toml:ro\n"
        )
        + APP
    )
    conf = facts(read(tmp_path, compose, {"static.toml": static})).static
    assert conf.docker and conf.docker.network == "p_web" and conf.docker.network_loc
    assert conf.docker.network_loc.line == 3


def test_bad_static_yaml_is_one_input_error(tmp_path: Path) -> None:
    compose = HEAD + "    volumes: ['./traefik.yml:/etc/traefik/traefik.yml:ro']\n"
    with pytest.raises(InputError) as e:
        read(tmp_path, compose, {"traefik.yml": "providers:\n  docker: [\n"})
    assert e.value.file.endswith("traefik.yml") and e.value.line == 3
    done = subprocess.run(
        [sys.executable, "-m", "dockernet", "check", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "traefik.yml:3" in done.stderr


def test_list_and_map_labels_and_v2_hosts(tmp_path: Path) -> None:
    compose = (
        HEAD
        + "    command: [--providers.docker]\n"
        + SOCK
        + (
            "  app:\n    image: busybox\n    labels:\n"
            "      - traefik.http.routers.one.rule=Host(`a.test`, `b.test`)\n"
            "      - traefik.http.routers.one.entrypoints=web,websecure\n"
            "      - traefik.http.services.svc.loadbalancer.server.port=3000\n"
            "      - traefik.http.services.svc.loadbalancer.server.scheme=https\n"
        )
    )
    proxy = read(tmp_path, compose)
    (route,) = proxy.routes
    assert route.match.hosts == ("a.test", "b.test") and route.match.entry == ("web", "websecure")
    (up,) = route.upstreams
    assert (up.port, up.scheme, up.lookup, up.service) == (3000, "https", Lookup.PROVIDER, ("p", "app"))
    assert up.loc.line == 12  # the port label's line


def test_default_rule_service_and_lowest_port(tmp_path: Path) -> None:
    compose = (
        HEAD
        + "    command: [--providers.docker]\n"
        + SOCK
        + (
            "  my_app:\n    image: busybox\n    expose: ['20000', '10000', '9000']\n"
            "    labels: [traefik.enable=true]\n"
        )
    )
    (router,) = facts(read(tmp_path, compose)).routers
    assert router.name == "my-app-p@docker" and router.rule == "Host(`my-app-p`)"
    assert router.service == "my-app-p@docker"
    (route,) = read(tmp_path, compose).routes
    assert route.upstreams[0].port == 9000 and not route.upstreams[0].port_written


def test_no_port_at_all_is_marked(tmp_path: Path) -> None:
    compose = (
        HEAD
        + "    command: [--providers.docker]\n"
        + SOCK
        + ("  app:\n    image: busybox\n    labels: ['traefik.http.routers.app.rule=Host(`a`)']\n")
    )
    proxy = read(tmp_path, compose)
    assert [r.why for r in facts(proxy).routers] == [traefik.Why.PORT_MISSING]
    assert proxy.routes[0].upstreams == ()


def test_unlabelled_containers_get_no_route(tmp_path: Path) -> None:
    compose = HEAD + "    command: [--providers.docker]\n" + SOCK + "  db:\n    image: postgres\n"
    assert read(tmp_path, compose).routes == ()


def test_file_provider_servers(tmp_path: Path) -> None:
    dyn = (
        "http:\n  routers:\n    r:\n      rule: Host(`f.test`)\n      service: s\n"
        "  services:\n    s:\n      loadBalancer:\n        servers:\n"
        "          - url: http://app:3000\n          - url: https://other:8443/x\n"
    )
    compose = HEAD + ("    command: [--providers.file.directory=/dyn]\n    volumes: ['./dyn:/dyn:ro']\n")
    proxy = read(tmp_path, compose, {"dyn/a.yml": dyn, "dyn/ignored.txt": "x"})
    (route,) = proxy.routes
    got = [(u.host, u.port, u.scheme, u.lookup, u.loc.line) for u in route.upstreams]
    assert got == [
        ("app", 3000, "http", Lookup.PER_CONNECTION, 10),
        ("other", 8443, "https", Lookup.PER_CONNECTION, 11),
    ]


@pytest.mark.parametrize(
    ("status", "pages"),
    [("502-504", (502, 503, 504)), ("500-599", (502, 503, 504)), ("404,502", (502,)), ("404", ()), ("x", ())],
)
def test_errors_middleware_gives_the_error_pages(tmp_path: Path, status: str, pages: tuple[int, ...]) -> None:
    """An ``errors`` middleware is Traefik's error_page: DN303 reads which gateway statuses get a page, from
    labels and from the file provider, codes and ranges alike."""
    label = f"      traefik.http.middlewares.oops.errors.status: '{status}'\n"
    compose = HEAD + "    command: [--providers.docker]\n" + SOCK + APP + label
    assert read(tmp_path / "labels", compose).error_pages == pages
    dyn = f"http:\n  middlewares:\n    oops:\n      errors:\n        status: ['{status}']\n"
    compose = HEAD + ("    command: [--providers.file.directory=/dyn]\n    volumes: ['./dyn:/dyn:ro']\n")
    assert read(tmp_path / "file", compose, {"dyn/a.yml": dyn}).error_pages == pages


def test_secrets_in_labels_and_env_are_never_printed(tmp_path: Path) -> None:
    compose = (
        HEAD
        + ("    command: [--providers.docker]\n    environment: [TRAEFIK_PILOT_TOKEN=ENVSECRET123]\n")
        + SOCK
        + (
            "  app:\n    image: busybox\n    labels:\n"
            "      traefik.http.routers.app.rule: Host(`a.test`)\n"
            "      traefik.http.routers.app.service: nope\n"
            "      traefik.http.services.app.loadbalancer.server.port: '3000'\n"
            "      traefik.http.middlewares.auth.basicauth.users: 'u:LABELSECRET456'\n"
        )
    )
    (tmp_path / "compose.yaml").write_text(compose)
    for fmt in ("text", "json", "sarif"):
        done = subprocess.run(
            [sys.executable, "-m", "dockernet", "check", "--format", fmt, str(tmp_path)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 1, done.stderr
        assert "DN501" in done.stdout
        assert "SECRET" not in done.stdout + done.stderr


def test_file_provider_out_of_sight_is_unread(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(HEAD + "    command: [--providers.file.directory=/dyn]\n")
    topology = pipeline.load_static(ComposeRequest(dirs=(str(tmp_path),)))
    (proxy,) = topology.proxies
    assert isinstance(proxy, UnreadProxy) and "/dyn" in proxy.reason


def test_hint_names_the_port_label_of_the_default_service(tmp_path: Path) -> None:
    compose = (
        HEAD
        + "    command: [--providers.docker]\n"
        + SOCK
        + (
            "  app:\n    image: busybox\n    command: [httpd, -f, -p, '8080']\n    expose: ['3000', '8080']\n"
            "    labels: ['traefik.http.routers.app.rule=Host(`a`)']\n"
        )
    )
    (tmp_path / "compose.yaml").write_text(compose)
    analysis = pipeline.analyse(pipeline.load_static(ComposeRequest(dirs=(str(tmp_path),))))
    (f,) = [f for f in analysis.findings if f.rule == "DN508"]
    assert "traefik.http.services.app.loadbalancer.server.port=8080" in f.hint


def test_no_port_on_a_pulled_image_is_undetermined(tmp_path: Path) -> None:
    compose = (
        HEAD
        + "    command: [--providers.docker]\n"
        + SOCK
        + (
            "  app:\n    image: ghcr.io/example/app:1.2\n"
            "    labels: ['traefik.http.routers.app.rule=Host(`a`)']\n"
        )
    )
    (tmp_path / "compose.yaml").write_text(compose)
    analysis = pipeline.analyse(pipeline.load_static(ComposeRequest(dirs=(str(tmp_path),))))
    assert {f.rule for f in analysis.findings} >= {"DN510"}
    assert "DN505" not in {f.rule for f in analysis.findings}
