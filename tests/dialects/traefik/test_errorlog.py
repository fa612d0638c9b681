"""Traefik's log lines as measured (docs/proxy-behaviour.md, Traefik 3.7.15): each classified with its
status and rules, and attributed to the route it belongs to, by the router it names or the address it
dialled."""

from __future__ import annotations

import pytest

from dockernet import pipeline
from dockernet.dialects.traefik import errorlog
from dockernet.model import Proxy, Route
from dockernet.pipeline.requests import ComposeRequest
from tests.conftest import REPO

PREFIX = "2026-11-30T12:00:01Z DBG github.com/traefik/traefik/v3/pkg/proxy/httputil/proxy.go:121 > "
MEASURED = [
    (
        PREFIX + '502 Bad Gateway error="dial tcp 192.168.224.3:3001: connect: connection refused"',
        "connect-refused",
        502,
        "DN104",
    ),
    (
        PREFIX + '504 Gateway Timeout error="dial tcp 172.22.0.2:3000: i/o timeout"',
        "dial-timeout",
        504,
        "DN103",
    ),
    (
        PREFIX + '504 Gateway Timeout error="dial tcp: lookup nosuchhost on 127.0.0.11:53: read udp '
        '127.0.0.1:37732->127.0.0.11:53: i/o timeout"',
        "lookup-failed",
        502,
        "DN102",
    ),
    (
        '2026-11-30T12:00:01Z ERR 500 Internal Server Error error="tls: first record does not look like '
        'a TLS handshake"',
        "tls-to-plain",
        500,
        "DN509",
    ),
    (
        '2026-11-30T12:00:01Z ERR error="the service \\"nope@docker\\" does not exist" entryPointName=web '
        "routerName=app@docker",
        "service-missing",
        404,
        "DN501",
    ),
    (
        '2026-11-30T12:00:01Z ERR error="service \\"app-p\\" error: port is missing" container=app-p-0123 '
        "providerName=docker",
        "port-missing",
        404,
        "DN505",
    ),
]


@pytest.mark.parametrize(("text", "code", "status", "rule"), MEASURED, ids=[m[1] for m in MEASURED])
def test_measured_lines_are_classified(text: str, code: str, status: int, rule: str) -> None:
    line = errorlog.parse_line(text)
    assert line is not None
    assert (line.pattern.code, line.pattern.status) == (code, status)
    assert rule in line.pattern.rules
    assert line.time == "2026/11/30 12:00:01"


def test_the_console_colours_are_no_obstacle() -> None:
    """Traefik colours its log unless --log.nocolor (seen on the engine)."""
    coloured = (
        "\x1b[90m2026-12-02T15:13:54Z\x1b[0m DBG \x1b[1mproxy.go:199\x1b[0m\x1b[36m >\x1b[0m 502 Bad Gateway "
        '\x1b[36merror=\x1b[0m\x1b[31m\x1b[1m"dial tcp 172.29.0.3:3001: connect: connection refused"\x1b[0m'
    )
    line = errorlog.parse_line(coloured)
    assert line is not None and line.part("address") == "172.29.0.3:3001"
    assert line.time == "2026/12/02 15:13:54"


def test_other_lines_are_not() -> None:
    assert errorlog.parse_line("2026-11-30T12:00:01Z INF Starting provider *docker.Provider") is None
    assert (
        errorlog.parse_line('10.0.0.1 - - [30/Nov/2026] "GET / HTTP/1.1" 200 23 "-" "-" 1 "app@docker"')
        is None
    )


def _routes(sample: str) -> tuple[Route, ...]:
    topology = pipeline.load_static(ComposeRequest(dirs=(str(REPO / "compose-samples" / sample),)))
    return tuple(r for p in topology.proxies if isinstance(p, Proxy) for r in p.routes)


def test_a_dialled_address_is_the_route_to_the_service_with_that_ip() -> None:
    routes = _routes("dn104-traefik-port-label-wrong/broken")
    line = errorlog.parse_line(MEASURED[0][0].replace("192.168.224.3", "10.9.0.7"))
    assert line is not None
    route = errorlog.route_of(line, routes, {"10.9.0.7": {"app"}})
    assert route is not None and route.title == "router app@docker"
    assert errorlog.route_of(line, routes, {"10.9.0.7": {"other"}}) is None


def test_a_named_router_is_its_route_and_loopback_is_the_file_providers_localhost() -> None:
    line = errorlog.parse_line(MEASURED[4][0])
    assert line is not None
    route = errorlog.route_of(line, _routes("dn104-traefik-port-label-wrong/broken"), {})
    assert route is not None and route.title == "router app@docker"
    local = errorlog.parse_line(MEASURED[0][0].replace("192.168.224.3:3001", "127.0.0.1:3000"))
    assert local is not None
    route = errorlog.route_of(local, _routes("dn101-traefik-file-localhost/broken"), {})
    assert route is not None and route.title == "router app@file"
