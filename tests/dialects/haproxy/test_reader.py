"""The HAProxy reader on inline configurations (the real binary's verdicts are in test_differential.py)."""

from __future__ import annotations

from dockernet.dialects import haproxy
from dockernet.dialects.haproxy import locate, parse, routes
from dockernet.model import Lookup, Service
from dockernet.model.loc import Loc


class Tree:
    def __init__(self, files: dict[str, str]) -> None:
        self.files = files

    def read(self, path: str) -> tuple[str, bytes] | None:
        return (path, self.files[path].encode()) if path in self.files else None

    def glob(self, pattern: str) -> list[str] | None:
        return None


def extract(text: str, env: dict[str, str] | None = None) -> routes.Result:
    loaded = parse.load(["/h.cfg"], Tree({"/h.cfg": text}), env or {})
    assert isinstance(loaded, parse.Loaded)
    return routes.extract(loaded, ("p", "lb"))


def svc(image: str | None, command: tuple[str, ...] = ()) -> Service:
    return Service(project="p", name="lb", loc=Loc("compose.yaml", 1), image=image, command=command)


def test_locations() -> None:
    assert locate.entries(svc("haproxy:2.9")) == ["/usr/local/etc/haproxy/haproxy.cfg"]
    assert locate.entries(svc("haproxy:2.9", ("-f", "/etc/x.cfg"))) == ["/etc/x.cfg"]
    assert locate.entries(svc("debian:12", ("haproxy", "-f", "/a.cfg", "-f", "/b"))) == ["/a.cfg", "/b"]
    assert locate.entries(svc("ubuntu:24.04", ("haproxy", "-db"))) == ["/etc/haproxy/haproxy.cfg"]
    assert not haproxy.DIALECT.claims(svc("mycompany/haproxy-exporter:1"))


def test_routes_servers_and_lookups() -> None:
    r = extract(
        "resolvers docker\n  nameserver dns 127.0.0.11:53\n"
        "defaults\n  mode http\n  default-server init-addr last,libc,none\n"
        "frontend web\n  bind :80\n  use_backend api if { path_beg /api }\n  default_backend app\n"
        "backend api\n  server a1 api:8000 resolvers docker\n"
        "backend app\n  server s1 app\n"
    )
    assert [(x.match.path, x.forward.raw) for x in r.routes] == [("/api", "api"), (None, "app")]
    api, app = r.routes
    assert api.upstreams[0].lookup is Lookup.PER_REQUEST and api.resolvers == ("127.0.0.11",)
    assert (app.upstreams[0].host, app.upstreams[0].port, app.upstreams[0].port_written) == ("app", 80, False)
    assert app.upstreams[0].lookup is Lookup.STARTUP and app.upstreams[0].id in r.tolerant
    assert [p.upstream.raw for p in r.portless] == ["app"]


def test_refusals_and_no_server() -> None:
    r = extract("frontend web\n  bind :80\n  default_backend nope\nfrontend other\n  bind :81\n")
    assert [x.reason for x in r.refusals] == ["Proxy 'web': unable to find required default_backend: 'nope'."]
    assert [n.what for n in r.no_server] == ["frontend other"]


def test_environment_in_double_quotes() -> None:
    text = 'frontend web\n  bind :80\n  default_backend b\nbackend b\n  server s "${UP}:3000"\n'
    r = extract(text, {"UP": "app"})
    assert r.routes[0].upstreams[0].host == "app"


def test_stats_listen_is_no_missing_backend() -> None:
    assert not extract("listen stats\n  bind :70\n  stats enable\n").no_server
