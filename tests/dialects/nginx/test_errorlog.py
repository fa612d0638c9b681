"""nginx error-log lines -> meaning and route (dockernet.dialects.nginx.errorlog and .attribution).

The lines are real: recorded from nginx 1.22 (Debian) in containers on the test engine
(tests/data/nginx-logs/, see its README), plus one message of each entry of the error-log catalogue as nginx
1.22 wrote it on the test machine (``CATALOGUE``), lines quoted in public issues (``test_issue_lines``), and
the musl (Alpine) spellings of the same errno values (``Host is unreachable`` where glibc writes ``No route
to host``, ``Operation timed out`` for ``Connection timed out``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dockernet import pipeline, rules
from dockernet.dialects.nginx import attribution, errorlog, locations
from dockernet.model import Proxy, Route
from dockernet.pipeline.requests import ComposeRequest
from tests.conftest import REPO

DATA = REPO / "tests" / "data" / "nginx-logs"
MULTI = DATA / "multi"

CTX = (
    ', client: 127.0.0.1, server: , request: "GET /app/ HTTP/1.1", '
    'upstream: "http://172.19.0.4:8000/app/", host: "localhost"'
)
"""The context nginx appends to a request's line."""
TS = "2024/05/01 10:00:00"

# (message, code, status). Message forms from nginx 1.22 on this machine unless marked musl.
CATALOGUE = [
    ("connect() failed (111: Connection refused) while connecting to upstream", "connect-refused", 502),
    ("connect() failed (113: No route to host) while connecting to upstream", "no-route", 502),
    ("connect() failed (113: Host is unreachable) while connecting to upstream", "no-route", 502),  # musl
    (
        "connect() failed (101: Network is unreachable) while connecting to upstream",
        "network-unreachable",
        502,
    ),
    (
        "connect() failed (101: Network unreachable) while connecting to upstream",
        "network-unreachable",
        502,
    ),  # musl
    ("upstream timed out (110: Connection timed out) while connecting to upstream", "connect-timeout", 504),
    (
        "upstream timed out (110: Operation timed out) while connecting to upstream",
        "connect-timeout",
        504,
    ),  # musl
    (
        "upstream timed out (110: Connection timed out) while reading response header from upstream",
        "read-timeout",
        504,
    ),
    ("upstream timed out (110: Operation timed out) while reading upstream", "read-timeout", 504),
    ("upstream timed out (110: Connection timed out) while sending request to upstream", "read-timeout", 504),
    ("no live upstreams while connecting to upstream", "no-live-upstreams", 502),
    ("upstream server temporarily disabled while connecting to upstream", "server-disabled", None),
    ("app could not be resolved (3: Host not found)", "resolve-not-found", 502),
    ("app could not be resolved (110: Operation timed out)", "resolve-timeout", 502),
    ("app could not be resolved (2: Server failure)", "resolve-failed", 502),
    ("app could not be resolved (5: Operation refused)", "resolve-failed", 502),
    ("no resolver defined to resolve app", "no-resolver", 502),
    (
        "connect() to unix:/run/gunicorn/app.sock failed (2: No such file or directory) "
        "while connecting to upstream",
        "unix-missing",
        502,
    ),
    (
        "connect() to unix:/var/run/php/php-fpm.sock failed (13: Permission denied) "
        "while connecting to upstream",
        "unix-permission",
        502,
    ),
    (
        "connect() to unix:/run/app.sock failed (111: Connection refused) while connecting to upstream",
        "unix-refused",
        502,
    ),
    (
        "connect() to unix:/run/app.sock failed (11: Resource temporarily unavailable) "
        "while connecting to upstream",
        "unix-busy",
        502,
    ),
    (
        "upstream prematurely closed connection while reading response header from upstream",
        "premature-close",
        502,
    ),
    ("upstream prematurely closed connection while reading upstream", "premature-close", 502),
    (
        "recv() failed (104: Connection reset by peer) while reading response header from upstream",
        "reset-by-peer",
        502,
    ),
    (
        "writev() failed (104: Connection reset by peer) while sending request to upstream",
        "reset-by-peer",
        502,
    ),
    (
        "upstream sent no valid HTTP/1.0 header while reading response header from upstream",
        "no-valid-header",
        502,
    ),
    (
        "upstream sent unsupported FastCGI protocol version: 72 while reading response header from upstream",
        "fastcgi-version",
        502,
    ),
    ("upstream sent too big header while reading response header from upstream", "too-big-header", 502),
    (
        "SSL_do_handshake() failed (SSL: error:0A00010B:SSL routines::wrong version number) "
        "while SSL handshaking to upstream",
        "ssl-wrong-version",
        502,
    ),
    (
        "upstream sent too large http2 frame: 4740180 while reading response header from upstream",
        "http2-mismatch",
        502,
    ),
    ('no port in upstream "php"', "no-port", 502),
    (
        "upstream prematurely closed FastCGI stdout while reading response header from upstream",
        "fastcgi-closed",
        502,
    ),
    (
        "epoll_wait() reported that client prematurely closed connection, "
        "so upstream connection is closed too "
        "while reading response header from upstream",
        "client-closed",
        499,
    ),
    (
        "recv() failed (111: Connection refused) while resolving, resolver: 10.211.115.1:53",
        "resolver-unreachable",
        None,
    ),
]


@pytest.mark.parametrize(("message", "code", "status"), CATALOGUE, ids=[c[0][:60] for c in CATALOGUE])
def test_catalogue_messages(message: str, code: str, status: int | None) -> None:
    level = "crit" if message.startswith("connect() to unix") else "error"
    event = attribution.explain_line(f"{TS} [{level}] 29#29: *3 {message}{CTX}")
    assert event is not None
    assert (event.code, event.status, event.startup) == (code, status, False)
    assert event.meaning


STARTUP = [
    ('host not found in upstream "app"', "host-not-found"),
    ('host not found in upstream "app:3000"', "host-not-found"),
    ('no port in upstream "php"', "no-port-startup"),
    ("invalid URL prefix", "config-error"),
    ('upstream "up" may not have port 8080', "config-error"),
    ('invalid port in upstream "127.0.0.1:99999"', "config-error"),
    ('unexpected "}"', "config-error"),
]


@pytest.mark.parametrize(("message", "code"), STARTUP, ids=[s[0] for s in STARTUP])
def test_startup_errors_in_both_forms(message: str, code: str) -> None:
    """In the error log (``[emerg] 1#1:``) and on stderr before the log is open (``nginx: [emerg]``)."""
    for text in (
        f"{TS} [emerg] 1#1: {message} in /etc/nginx/conf.d/default.conf:5",
        f"nginx: [emerg] {message} in /etc/nginx/conf.d/default.conf:5",
    ):
        line = errorlog.parse_line(text)
        assert line is not None
        assert (line.config_file, line.config_line, line.message) == (
            "/etc/nginx/conf.d/default.conf",
            5,
            message,
        )
        event = attribution.explain_line(text)
        assert event is not None
        assert (event.code, event.status, event.startup) == (code, None, True)


def test_issue_lines() -> None:
    """Lines quoted in public issues (catalogue sources)."""
    cases = {
        # https://github.com/nginx/docker-nginx/issues/729
        "2022/11/25 07:47:25 [error] 31#31: *1 connect() failed (113: Host is unreachable) "
        'while connecting to upstream, client: 172.18.0.1, server: localhost, request: "GET / HTTP/1.1", '
        'upstream: "http://172.18.0.3:8080/", host: "localhost"': "no-route",
        # https://github.com/dreeveapp/dreeve/issues/268
        "2023/01/10 12:00:00 [crit] 7#7: *1 connect() to unix:/run/php/php8.1-fpm.sock failed "
        "(13: Permission denied) while connecting to upstream, client: 10.0.0.1, server: example.com, "
        'request: "GET /index.php HTTP/1.1", upstream: "fastcgi://unix:/run/php/php8.1-fpm.sock:", '
        'host: "example.com"': "unix-permission",
    }
    for text, code in cases.items():
        event = attribution.explain_line(text)
        assert event is not None and event.code == code, text


def test_prefix_fields() -> None:
    text = (
        "2026/11/25 13:55:45 [error] 8#8: *3 connect() failed (111: Connection refused) while connecting to "
        'upstream, client: 127.0.0.1, server: shop.test, request: "GET /api/v1?x=1,2 HTTP/1.1", upstream: '
        '"http://192.168.224.2:8080/", host: "shop.test", referrer: "http://shop.test/"'
    )
    line = errorlog.parse_line(text)
    assert line is not None
    assert (line.time, line.level, line.pid, line.connection) == ("2026/11/25 13:55:45", "error", 8, 3)
    assert line.message == "connect() failed (111: Connection refused) while connecting to upstream"
    assert (line.client, line.server, line.host, line.referrer) == (
        "127.0.0.1",
        "shop.test",
        "shop.test",
        "http://shop.test/",
    )
    assert line.request == "GET /api/v1?x=1,2 HTTP/1.1"
    assert line.path == "/api/v1"
    assert line.upstream == "http://192.168.224.2:8080/"
    assert not line.startup


def test_docker_timestamps_and_noise() -> None:
    stamped = (
        "2026-11-25T13:55:46.123456789Z 2026/11/25 13:55:46 [error] 8#8: *8 "
        "no live upstreams while connecting to upstream"
    )
    line = errorlog.parse_line(stamped)
    assert line is not None and line.message.startswith("no live upstreams")
    assert (
        errorlog.parse_line(
            '127.0.0.1 - - [25/Nov/2026:13:47:55 +0000] "GET /app/ HTTP/1.1" 502 157 "-" "Wget"'
        )
        is None
    )
    assert errorlog.parse_line("") is None
    notice = errorlog.parse_line("2026/11/25 13:47:55 [notice] 6#6: start worker processes")
    assert notice is not None and errorlog.classify(notice) is None
    assert attribution.explain_line("2026/11/25 13:47:55 [notice] 6#6: start worker processes") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("http://172.19.0.4:8000/api/health", ("http", "172.19.0.4", 8000, "/api/health", None)),
        ("http://[::1]:27001/v6", ("http", "::1", 27001, "/v6", None)),
        ("http://unix:/run/x.sock:/path", ("http", None, None, "/path", "/run/x.sock")),
        ("fastcgi://127.0.0.1:9000", ("fastcgi", "127.0.0.1", 9000, None, None)),
        ("fastcgi://unix:/run/php/php8.1-fpm.sock:", ("fastcgi", None, None, "", "/run/php/php8.1-fpm.sock")),
        ("http://pool/pool/", ("http", "pool", None, "/pool/", None)),
        ("grpc://10.0.0.5:50051", ("grpc", "10.0.0.5", 50051, None, None)),
    ],
)
def test_parse_upstream(value: str, expected: tuple[object, ...]) -> None:
    up = attribution.parse_upstream(value)
    assert up is not None
    assert (up.scheme, up.host, up.port, up.uri, up.unix_path) == expected


def test_rules_exist() -> None:
    for pattern in errorlog.PATTERNS:
        assert set(pattern.rules) <= set(rules.RULES), pattern.code
    codes = [p.code for p in errorlog.PATTERNS]
    assert len(codes) == len(set(codes))


# -------------------------------------------------------------------------------- location selection


def _route(location: str | None, names: tuple[str, ...] = ()) -> Route:
    from dockernet.model import Loc, Match, Upstream

    target = Upstream(
        raw="http://app:3000", loc=Loc("/x.conf", 1), directive="proxy_pass", host="app", port=3000
    )
    return Route(
        proxy=("p", "nginx"),
        title=f"location {location}",
        match=Match(hosts=names, path=location, loc=Loc("/x.conf", 1)),
        forward=target,
        upstreams=(target,),
    )


def test_select_route_follows_nginx() -> None:
    root, api, api_v2, exact, pref, rx = (
        _route("/"),
        _route("/api/"),
        _route("/api/v2/"),
        _route("= /api/"),
        _route("^~ /static/"),
        _route("~ \\.php$"),
    )
    routes = [root, api, api_v2, exact, pref, rx]
    assert locations.select_route(routes, "/api/") is exact
    assert locations.select_route(routes, "/api/v2/x") is api_v2
    assert locations.select_route(routes, "/api/x.php") is rx  # a regex beats a plain prefix
    assert locations.select_route(routes, "/static/x.php") is pref  # ^~ stops the regex search
    assert locations.select_route(routes, "/other") is root
    assert locations.select_route([api], "/other") is None
    assert not locations.location_matches("@fallback", "/")


# ----------------------------------------------------------------------------- recorded: multi project


def _multi() -> tuple[dict[str, list[Route]], dict[str, set[str]], dict[str, str]]:
    topology = pipeline.load_static(ComposeRequest(dirs=(str(MULTI),)))
    routes: dict[str, list[Route]] = {}
    for cfg in topology.proxies:
        assert isinstance(cfg, Proxy)
        routes.setdefault(cfg.service[1], []).extend(cfg.routes)
    meta = json.loads((MULTI / "addresses.json").read_text())
    addresses = {ip: set(names) for ip, names in meta["addresses"].items()}
    return routes, addresses, {}


def test_recorded_multi_proxy() -> None:
    """Every error line of a proxy with 10 routes in 2 servers goes to the route that caused it."""
    routes, addresses, _ = _multi()
    conf = str(MULTI / "nginx.conf")
    events = attribution.explain(
        (MULTI / "proxy.log").read_text().splitlines(),
        routes["proxy"],
        addresses,
        {"/etc/nginx/conf.d/default.conf": conf},
    )
    got = [(e.code, e.status, e.location, e.attributed_by) for e in events]
    assert got == [
        ("connect-refused", 502, "/api/", "upstream"),
        ("connect-refused", 502, "/pool/", "upstream"),
        ("server-disabled", None, "/pool/", "upstream"),
        ("connect-refused", 502, "/pool/", "upstream"),
        ("server-disabled", None, "/pool/", "upstream"),
        ("no-live-upstreams", 502, "/pool/", "upstream"),
        ("unix-missing", 502, "/sock/", "upstream"),
        ("connect-refused", 502, "/self/", "upstream"),
        ("no-resolver", 502, "/noresolver/", "name"),
        ("resolve-timeout", 502, "/resolver/", "name"),
        ("fastcgi-version", 502, "/fastcgi/", "upstream"),
        ("ssl-wrong-version", 502, "/https/", "upstream"),
    ]
    refused = events[0]
    assert refused.upstream_names == ("1c3ab3d5ed17", "api", "gtlogs-multi-api-1")
    assert refused.route is not None and refused.route.file == conf and refused.route.line == 15
    assert "DN104" in refused.rules and "DN105" in refused.rules and "DN101" not in refused.rules
    loopback = events[7]
    assert loopback.location == "/self/" and loopback.rules == ("DN101", "DN203")
    assert events[6].details == (("path", "/run/app/app.sock"),)
    assert "DN114" in events[8].rules


def test_addresses_may_name_only_the_service() -> None:
    """``{ip: "api"}`` (IP -> service) works as well as ``{ip: {"api", "proj-api-1"}}``."""
    routes, _, _ = _multi()
    line = next(t for t in (MULTI / "proxy.log").read_text().splitlines() if '8080/"' in t)
    event = attribution.explain_line(line, routes["proxy"], {"192.168.224.2": "api"})
    assert event is not None and event.upstream_names == ("api",)
    assert (event.location, event.attributed_by) == ("/api/", "upstream")


def test_recorded_multi_without_addresses() -> None:
    """Without the live addresses, the request path and server name still find the route."""
    routes, _, _ = _multi()
    events = attribution.explain((MULTI / "proxy.log").read_text().splitlines(), routes["proxy"])
    assert [e.location for e in events] == [
        "/api/",
        "/pool/",
        "/pool/",
        "/pool/",
        "/pool/",
        "/pool/",
        "/sock/",
        "/self/",
        "/noresolver/",
        "/resolver/",
        "/fastcgi/",
        "/https/",
    ]


def test_recorded_startup_failure() -> None:
    """nginx that refused to start: the [emerg] line names the directive by FILE:LINE."""
    routes, _, _ = _multi()
    startup = MULTI / "startup.conf"
    events = attribution.explain(
        (MULTI / "startup.log").read_text().splitlines(),
        routes["startup"],
        paths={"/etc/nginx/conf.d/default.conf": str(startup)},
    )
    assert len(events) == 1
    e = events[0]
    assert (e.code, e.startup, e.location, e.attributed_by) == ("host-not-found", True, "/", "config line")
    assert e.route is not None and (e.route.file, e.route.line) == (str(startup), 4)
    assert e.details == (("name", "backend-typo"),)
    assert "DN102" in e.rules


# --------------------------------------------------------------------------- recorded: samples' logs


def _sample_logs() -> list[Path]:
    return sorted((DATA / "samples").glob("*.log"))


@pytest.mark.parametrize("path", _sample_logs(), ids=[p.stem for p in _sample_logs()])
def test_recorded_sample_logs(path: Path) -> None:
    """Logs of broken compose-samples' proxies, recorded by ground-truth runs (DOCKERNET_GT_LOGS): every line
    is classified, and what the route did in reality (502, 504, nginx not running) has its line."""
    meta = json.loads(path.with_suffix(".json").read_text())
    events = attribution.explain(path.read_text().splitlines())
    assert [e.code for e in events] == meta["codes"]
    for reality in meta["reality"].values():
        if reality.startswith("nginx not running"):
            assert any(e.startup for e in events), reality
        else:
            assert any(e.status == int(reality) for e in events), reality
    for e in events:
        assert e.meaning and (e.startup or e.status in (502, 504, None))


def test_json_report_carries_the_log_array_after_the_summary() -> None:
    from dockernet.model import Loc
    from dockernet.model.findings import Report
    from dockernet.model.logs import LinkedFinding, LogGroup, ProxyLog
    from dockernet.output import json as json_out
    from dockernet.output import text as text_out

    conf = Loc("/etc/nginx/conf.d/default.conf", 3)
    group = LogGroup(
        code="connect-refused",
        message="connect() refused",
        status=502,
        startup=False,
        meaning="m",
        rules=("DN104",),
        count=3,
        first="14:00:00",
        last="14:00:01",
        location="/api/",
        route=conf,
        target="app:9999",
        upstreams=("172.22.0.2:9999 (app)",),
        finding=LinkedFinding("DN104", conf.file, 3),
    )
    logs = (
        ProxyLog("shop-nginx-1", "shop", "nginx", 12, (group,)),
        ProxyLog("x-1", None, "x", 0, error="gone"),
    )
    report = Report(findings=())
    assert '"log"' not in json_out.render(report)
    assert json_out.render(report, ()).endswith('"partial": []},\n  "log": []\n}\n')
    text = json_out.render(report, logs)
    doc = json.loads(text)
    assert list(doc) == ["version", "findings", "summary", "log"]
    assert [p["container"] for p in doc["log"]] == ["shop-nginx-1", "x-1"]
    assert doc["log"][0]["events"][0]["finding"] == {"rule": "DN104", "file": conf.file, "line": 3}
    assert len(text.splitlines()) == 9  # one proxy per line
    shown = text_out.render(report, logs=logs)
    assert shown.startswith(text_out.render(report))
    assert "shop-nginx-1: 3 upstream errors in the last 12 log lines" in shown
    assert "x-1: log not read (gone)" in shown
