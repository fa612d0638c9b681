"""The nginx-proxy reader: the template's port rule, host lists, what is shown."""

from __future__ import annotations

from dockernet.dialects.base import Peers
from dockernet.dialects.nginxproxy import DIALECT, Syntax
from dockernet.dialects.nginxproxy.template import backend, virtual_hosts
from dockernet.model import Loc, Lookup, Mount, PortMapping, Proxy, Service
from dockernet.model.loc import frozen_map

SOCK = (Mount(type="bind", target="/tmp/docker.sock", source="/var/run/docker.sock"),)


def svc(name: str, env: dict[str, str] | None = None, **kw: object) -> Service:
    return Service("p", name, Loc("compose.yaml", 1), environment=frozen_map(env or {}), **kw)  # type: ignore[arg-type]


def test_port_rule() -> None:
    one = backend(svc("a", {"VIRTUAL_HOST": "a.test"}, expose=(3000,)))
    several = backend(svc("b", {"VIRTUAL_HOST": "b.test"}, expose=(3000, 9000)))
    none = backend(svc("c", {"VIRTUAL_HOST": "c.test"}))
    given = backend(
        svc("d", {"VIRTUAL_HOST": "d.test", "VIRTUAL_PORT": "8000"}, ports=(PortMapping(80, 8080),))
    )
    bad = backend(svc("e", {"VIRTUAL_HOST": "e.test", "VIRTUAL_PORT": "1,2"}))
    assert [b.port if b else None for b in (one, several, none, given, bad)] == [3000, 80, 80, 8000, None]
    assert backend(svc("f", {"OTHER": "x"})) is None


def test_host_list_is_split_and_trimmed() -> None:
    assert virtual_hosts(svc("a", {"VIRTUAL_HOST": " a.test, b.test ,,a.test"})) == ("a.test", "b.test")


def test_routes_and_socket() -> None:
    proxy = svc("proxy", image="nginxproxy/nginx-proxy:1.7-alpine", volumes=SOCK)
    app = svc("app", {"VIRTUAL_HOST": "a.test,b.test", "VIRTUAL_PORT": "3000", "SECRET": "hunter2"})
    assert DIALECT.claims(proxy) and not DIALECT.claims(svc("x", image="nginxproxy/acme-companion"))
    read = DIALECT.read(
        proxy, None, DIALECT.locate(proxy), "compose", at_start=True, peers=Peers((proxy, app))
    )  # type: ignore[arg-type]
    assert isinstance(read, Proxy) and isinstance(read.syntax, Syntax)
    (route,) = read.routes
    assert route.match.hosts == ("a.test", "b.test")
    (up,) = route.upstreams
    assert (up.lookup, up.service, up.port, up.port_written) == (Lookup.PROVIDER, ("p", "app"), 3000, True)
    assert "hunter2" not in repr(read.routes)
    assert read.syntax.socket is None
    alone = svc("proxy", image="jwilder/nginx-proxy")
    unread = DIALECT.read(
        alone, None, DIALECT.locate(alone), "compose", at_start=True, peers=Peers((alone, app))
    )  # type: ignore[arg-type]
    assert isinstance(unread, Proxy) and isinstance(unread.syntax, Syntax)
    assert unread.syntax.socket == "/tmp/docker.sock" and unread.routes[0].upstreams == ()
