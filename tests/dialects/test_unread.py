"""The proxies dockernet recognises without reading them (:mod:`dockernet.dialects.unread`): by image,
by the image a Dockerfile builds from, or by the command; and never a backend that is no proxy."""

from __future__ import annotations

import pytest

from dockernet.dialects import unread
from dockernet.model import Service
from dockernet.model.loc import Loc


def service(image: str | None = None, command: tuple[str, ...] = ()) -> Service:
    return Service(project="p", name="s", loc=Loc("compose.yaml", 1), image=image, command=command)


@pytest.mark.parametrize(
    ("image", "kind"),
    [
        ("varnish:7.5", "varnish"),
        ("docker.io/library/varnish@sha256:0123", "varnish"),
        ("envoyproxy/envoy:v1.31-latest", "envoy"),
        ("nginxproxy/docker-gen:0.14", "docker-gen"),
        ("jc21/nginx-proxy-manager:latest", "nginx-proxy-manager"),
        ("lucaslorentz/caddy-docker-proxy:2.9", "caddy-docker-proxy"),
        ("wemakeservices/caddy-gen:latest", "caddy-gen"),
        ("varnish:7", "varnish"),
        ("kong:3.6", "kong"),
    ],
)
def test_by_image(image: str, kind: str) -> None:
    found = unread.recognise(service(image))
    assert found is not None and found.name == kind


@pytest.mark.parametrize(
    "image",
    [
        "nginx:1.27",  # read by the nginx reader
        "httpd:2.4-alpine",  # read by the Apache reader
        "nginxproxy/nginx-proxy:1.7-alpine",  # read by the nginx-proxy reader
        "jwilder/nginx-proxy",
        "nginxproxy/acme-companion",  # a companion, no proxy
        "php:8.3-apache",  # an application image with Apache inside: the tag is no repository name
        "nextcloud:apache",
        "dockernet-test/busybox:latest",
        "mycompany/haproxy-exporter:1",  # a metrics exporter, not HAProxy
        "haproxy:2.9",  # read by the HAProxy reader
    ],
)
def test_not_an_unread_proxy(image: str) -> None:
    assert unread.recognise(service(image)) is None


def test_busybox_httpd_is_a_backend_not_apache() -> None:
    """Every sample's backend runs busybox ``httpd -f -p PORT``: that is no Apache httpd."""
    assert unread.recognise(service("dockernet-test/busybox", ("httpd", "-f", "-p", "3000"))) is None


@pytest.mark.parametrize(
    ("command", "kind"),
    [
        (("envoy", "-c", "/etc/envoy/envoy.yaml"), "envoy"),
        (("/usr/sbin/varnishd", "-F"), "varnish"),
        (("sh", "-c", "envsubst < t > /etc/varnish/default.vcl && varnishd -F"), "varnish"),
    ],
)
def test_by_command(command: tuple[str, ...], kind: str) -> None:
    found = unread.recognise(service("debian:12", command))
    assert found is not None and found.name == kind


def test_by_the_image_a_dockerfile_builds_from() -> None:
    """``build: ./proxy`` with ``FROM nginxproxy/docker-gen``: docker-gen, not nginx."""
    found = unread.recognise(service(None), base="nginxproxy/docker-gen:0.14")
    assert found is not None and found.name == "docker-gen"


def test_the_report_names_the_kind_and_the_reason() -> None:
    kind = unread.recognise(service("varnish:7"))
    assert kind is not None
    report = kind.report(service("varnish:7"), "image")
    assert (report.dialect, report.origin) == ("varnish", "image")
    assert "no Varnish reader" in report.reason
