"""Caddy's error-log lines, as measured (docs/proxy-behaviour.md), classified and attributed to routes."""

from __future__ import annotations

import json

import pytest

from dockernet.dialects.caddy.errorlog import CaddyLine, classify, parse_line, route_of
from dockernet.model import Loc, Match, Route, Upstream


def line(msg: str, status: int = 502, host: str = "127.0.0.1", uri: str = "/app/?token=s3cr3t") -> str:
    return json.dumps(
        {
            "level": "error",
            "ts": 1796216537.8,
            "logger": "http.log.error",
            "msg": msg,
            "request": {"remote_ip": "127.0.0.1", "host": host, "uri": uri, "headers": {"X": ["s3cr3t"]}},
            "duration": 0.001,
            "status": status,
        }
    )


@pytest.mark.parametrize(
    ("msg", "code", "rule"),
    [
        ("dial tcp 172.31.0.2:3001: connect: connection refused", "connect-refused", "DN104"),  # c02
        ("dial tcp: lookup nosuch: i/o timeout", "lookup-failed", "DN102"),  # c03
        ("dial tcp 127.0.0.1:3000: connect: connection refused", "connect-refused", "DN101"),  # c04
        ("dial unix /run/app/app.sock: connect: no such file or directory", "unix-missing", "DN109"),  # c06a
        (
            "dial tcp: lookup app on 172.17.0.1:53: read udp 172.17.0.1:55945->172.17.0.1:53: read: "
            "connection refused",
            "lookup-failed",
            "DN106",
        ),  # c07
        ("no upstreams available", "no-upstreams", "DN602"),  # c08b
        ("dial tcp: lookup nosuch on 127.0.0.11:53: no such host", "lookup-failed", "DN102"),
    ],
)
def test_measured_lines(msg: str, code: str, rule: str) -> None:
    parsed = parse_line(line(msg))
    assert parsed is not None
    got = classify(parsed)
    assert got is not None
    assert got[0].code == code
    assert rule in got[0].rules
    assert "s3cr3t" not in repr(parsed)


def test_engine_timestamp_prefix() -> None:
    parsed = parse_line("2026-12-02T13:00:00.123456789Z " + line("no upstreams available", 503))
    assert parsed is not None and parsed.status == 503


def test_other_lines_are_not_errors() -> None:
    assert parse_line('{"level":"warn","logger":"admin","msg":"admin endpoint disabled"}') is None
    assert parse_line("not json") is None


def test_route_of_request() -> None:
    def route(path: str | None, line_no: int, hosts: tuple[str, ...] = ()) -> Route:
        up = Upstream(raw="a:1", loc=Loc("/etc/caddy/Caddyfile", line_no), directive="reverse_proxy")
        return Route(("p", "caddy"), "r", Match(hosts=hosts, path=path), up, (up,))

    routes = (route(None, 5), route("/app/*", 6), route("/app/x/*", 7), route(None, 9, ("b.test",)))

    def parsed(**kw: str) -> CaddyLine:
        got = parse_line(line("x", **kw))
        assert got is not None
        return got

    assert route_of(parsed(uri="/app/x/y"), routes) == routes[2]
    assert route_of(parsed(uri="/app/"), routes) == routes[1]
    assert route_of(parsed(uri="/other"), routes) == routes[0]
    got = route_of(parsed(host="b.test:80", uri="/"), routes[3:])
    assert got == routes[3]


def test_scan_log_diagnosis_event() -> None:
    """What ``scan --log-lines`` makes of a Caddy line (pipeline/logdiag.py): the route and the rules."""
    from dockernet.pipeline.logdiag import _caddy_event

    up = Upstream(raw="app", loc=Loc("/etc/caddy/Caddyfile", 7), directive="reverse_proxy")
    routes = (Route(("p", "caddy"), "r", Match(path="/app/*"), up, (up,)),)
    text = "2026-12-02T13:00:00Z " + line("dial tcp 172.18.0.2:80: connect: connection refused")
    event, at = _caddy_event(text, routes)
    assert event is not None and at is not None
    assert (event.code, event.status, event.route_id) == ("connect-refused", 502, routes[0].id)
    assert event.upstream == "172.18.0.2:80"
    assert "s3cr3t" not in repr(event)
