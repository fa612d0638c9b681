"""Which services run nginx and where their configuration is: one answer for compose input and for a live
container (`check` and `scan` must read the same files for the same service)."""

from __future__ import annotations

import pytest

from dockernet.dialects import DIALECTS
from dockernet.dialects.nginx.locate import claims, entry_file, locate
from dockernet.model import Loc, Mount, Service
from dockernet.sources.proxies import claimant


def svc(
    image: str | None = None,
    command: tuple[str, ...] = (),
    entrypoint: tuple[str, ...] = (),
    volumes: tuple[Mount, ...] = (),
) -> Service:
    return Service(
        "p",
        "web",
        Loc("compose.yaml", 1),
        image=image,
        command=command,
        entrypoint=entrypoint,
        volumes=volumes,
    )


@pytest.mark.parametrize(
    "image",
    [
        "nginx",
        "nginx:1.27-alpine",
        "Nginx:latest",
        "bitnami/nginx:1.25",
        "openresty/openresty",
        "ghcr.io/x/angie@sha256:ab",
    ],
)
def test_images_that_run_nginx(image: str) -> None:
    assert claims(svc(image=image))


@pytest.mark.parametrize("image", ["nginxproxy/acme-companion", "myorg/frontend", "caddy:2", None])
def test_images_that_do_not(image: str | None) -> None:
    assert not claims(svc(image=image))


@pytest.mark.parametrize(
    ("entrypoint", "command"),
    [
        ((), ("nginx", "-g", "daemon off;")),
        ((), ("/usr/sbin/nginx", "-c", "/srv/n.conf")),
        ((), ("sh", "-c", "envsubst < t > /run/n.conf && exec nginx -c /run/n.conf")),
        (("/docker-entrypoint.sh",), ("nginx", "-g", "daemon off;")),
    ],
)
def test_a_command_that_runs_nginx_claims_any_image(
    entrypoint: tuple[str, ...], command: tuple[str, ...]
) -> None:
    assert claims(svc(image="myorg/frontend", entrypoint=entrypoint, command=command))


def test_nginx_named_in_an_argument_is_not_running_it() -> None:
    assert not claims(svc(image="myorg/tool", command=("render", "--template", "nginx.conf.tmpl")))


@pytest.mark.parametrize(
    ("command", "entry", "directory"),
    [
        ((), "/etc/nginx/nginx.conf", "/etc/nginx"),
        (("nginx", "-c", "/etc/nginx/custom.conf"), "/etc/nginx/custom.conf", "/etc/nginx"),
        (
            ("sh", "-c", "nginx -c /etc/nginx/custom.conf -g 'daemon off;'"),
            "/etc/nginx/custom.conf",
            "/etc/nginx",
        ),
        (("nginx", "-c", "custom.conf"), "/etc/nginx/custom.conf", "/etc/nginx"),
        (("nginx", "-c", "/srv/site/nginx.conf"), "/srv/site/nginx.conf", "/srv/site"),
        (("sh", "-c", "cat -c x && nginx"), "/etc/nginx/nginx.conf", "/etc/nginx"),
    ],
)
def test_entry_file_and_directory(command: tuple[str, ...], entry: str, directory: str) -> None:
    located = locate(svc(image="nginx", command=command))
    assert (located.entry, located.directory) == (entry, directory)
    assert entry_file(svc(image="nginx", command=command)) == entry


def test_static_and_live_claim_the_same_way() -> None:
    """A compose service and the container made from it are claimed by the same reader, with the same
    entry file; a mount into the configuration directory claims a service whatever its image."""
    script = ("sh", "-c", "nginx -c /etc/nginx/custom.conf")
    for service in (svc(image="Nginx:latest"), svc(image="alpine", command=script)):
        found = claimant(service)
        assert found is not None and found[0] is DIALECTS["nginx"]
        assert found[1] == locate(service)
    mounted = svc(image="myorg/site", volumes=(Mount("bind", "/etc/nginx/conf.d", "/x/conf.d"),))
    assert claimant(mounted) is None  # the mount paths are given by the source that knows them
    found = claimant(mounted, ["/etc/nginx/conf.d"])
    assert found is not None and found[1].entry == "/etc/nginx/nginx.conf"
    assert claimant(svc(image="myorg/site"), ["/usr/share/nginx/html"]) is None


def test_check_reads_the_file_that_nginx_c_names_in_a_shell_script(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from dockernet import pipeline
    from dockernet.model import Proxy
    from dockernet.pipeline.requests import ComposeRequest

    (tmp_path / "custom.conf").write_text(
        "events {}\nhttp { server { listen 80; location / { proxy_pass http://app:3000; } } }\n"
    )
    (tmp_path / "compose.yaml").write_text(
        "services:\n"
        "  web:\n"
        "    image: alpine\n"
        '    command: ["sh", "-c", "apk add nginx && nginx -c /etc/nginx/custom.conf -g \'daemon off;\'"]\n'
        "    volumes: [./custom.conf:/etc/nginx/custom.conf:ro]\n"
        "  app:\n"
        "    image: busybox\n"
    )
    topology = pipeline.load_static(ComposeRequest(dirs=(str(tmp_path),)))
    (proxy,) = topology.proxies
    assert isinstance(proxy, Proxy)
    assert proxy.entry == str(tmp_path / "custom.conf")
    assert [r.forward.raw for r in proxy.routes] == ["http://app:3000"]


@pytest.mark.parametrize(
    ("entrypoint", "command", "entry"),
    [
        ((), ("nginx", "-g", "daemon off;"), "/etc/nginx/nginx.conf"),
        (("/sbin/tini", "--"), ("nginx", "-c", "/srv/nginx.conf"), "/srv/nginx.conf"),
        ((), ("/usr/sbin/nginx", "-c", "custom.conf"), "/etc/nginx/custom.conf"),
        (
            (),
            ("sh", "-c", "printf x > /etc/nginx/nginx.conf && exec nginx -g 'daemon off;'"),
            "/etc/nginx/nginx.conf",
        ),
        ((), ("sh", "-c", "envsubst < t > /run/n.conf && exec nginx -c /run/n.conf"), "/run/n.conf"),
    ],
)
def test_entry_file_reads_nginx_c_only_after_nginx(
    entrypoint: tuple[str, ...], command: tuple[str, ...], entry: str
) -> None:
    svc = Service(project="p", name="proxy", loc=Loc(""), entrypoint=entrypoint, command=command)
    assert entry_file(svc) == entry
