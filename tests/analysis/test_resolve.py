"""Name and address resolution from inside a proxy's namespace: Docker's embedded DNS, /etc/hosts, links."""

from __future__ import annotations

from dockernet.analysis import graph, resolve
from dockernet.model import (
    Attachment,
    ExtraHost,
    IpamConfig,
    Link,
    Loc,
    Network,
    NetworkMode,
    Project,
    Proxy,
    Route,
    Service,
    Topology,
)
from dockernet.model.proxy import Candidate, Lookup, Match, Upstream

L = Loc("compose.yaml", 1)


def net(
    project: str, key: str, subnet: str | None = None, name: str | None = None, external: bool = False
) -> Network:
    ipam = (IpamConfig(subnet=subnet),) if subnet else ()
    return Network(
        key=key,
        name=name or (key if external else f"{project}_{key}"),
        project=project,
        external=external,
        ipam=ipam,
    )


def project(name: str, services: list[Service], networks: list[Network]) -> Project:
    return Project(
        name=name,
        directory="/x",
        files=("/x/compose.yaml",),
        services={s.name: s for s in services},
        networks={n.key: n for n in networks},
    )


def on(*keys: str, aliases: tuple[str, ...] = (), ip: str | None = None) -> tuple[Attachment, ...]:
    return tuple(Attachment(network=k, aliases=aliases, ipv4_address=ip) for k in keys)


def resolve_from(
    projects: list[Project],
    proxy: tuple[str, str],
    host: str,
    port: int = 3000,
    values: tuple[str, ...] = (),
    variables: tuple[str, ...] = (),
) -> resolve.Resolution:
    dynamic = bool(variables)
    target = Upstream(
        raw=f"http://{host}:{port}",
        loc=L,
        directive="proxy_pass",
        scheme="http",
        host=host,
        port=port,
        port_written=True,
        variables=variables,
        dynamic=dynamic,
        candidates=tuple(Candidate(v, port) for v in values),
        lookup=Lookup.PER_REQUEST if dynamic else Lookup.STARTUP,
    )
    route = Route(
        proxy=proxy, title="location /", match=Match(path="/", loc=L), forward=target, upstreams=(target,)
    )
    cfg = Proxy(service=proxy, dialect="nginx", origin="bind mount", entry="/x/nginx.conf", routes=(route,))
    topo = graph.build(Topology(projects=tuple(projects), proxies=(cfg,)))
    (res,) = resolve.resolve_all(topo).resolutions
    return res


def names(res: resolve.Resolution) -> list[str]:
    return [n.split("/")[-1] for n, _ in res.reached]


def test_alias_is_per_network() -> None:
    p = project(
        "p",
        [
            Service("p", "proxy", L, networks=on("front")),
            Service(
                "p",
                "app",
                L,
                networks=(
                    Attachment("front", aliases=("app-front",)),
                    Attachment("back", aliases=("app-back",)),
                ),
            ),
        ],
        [net("p", "front"), net("p", "back")],
    )
    assert names(resolve_from([p], ("p", "proxy"), "app-front")) == ["app"]
    res = resolve_from([p], ("p", "proxy"), "app-back")
    assert res.kind is resolve.Kind.NOT_FOUND and [n for n, _ in res.elsewhere] == ["service:p/app"]


def test_container_name_and_name_dot_network() -> None:
    p = project(
        "p",
        [
            Service("p", "proxy", L, networks=on("default")),
            Service("p", "db", L, container_name="dbctr", networks=on("default")),
        ],
        [net("p", "default")],
    )
    assert names(resolve_from([p], ("p", "proxy"), "dbctr")) == ["db"]
    assert (
        names(resolve_from([p], ("p", "proxy"), "p-db-1")) == []
    )  # container_name replaces the generated name
    assert names(resolve_from([p], ("p", "proxy"), "db.p_default")) == ["db"]
    assert resolve_from([p], ("p", "proxy"), "db.default").kind is resolve.Kind.EXTERNAL


def test_cross_project_same_key_is_a_different_network() -> None:
    a = project("a", [Service("a", "proxy", L, networks=on("webnet"))], [net("a", "webnet")])
    b = project("b", [Service("b", "api", L, networks=on("webnet"))], [net("b", "webnet")])
    res = resolve_from([a, b], ("a", "proxy"), "api")
    assert res.kind is resolve.Kind.NOT_FOUND
    assert res.elsewhere == (("service:b/api", "network:b_webnet"),)


def test_cross_project_external_network_is_shared() -> None:
    a = project(
        "a",
        [Service("a", "proxy", L, networks=on("shared"))],
        [net("a", "shared", name="edge", external=True)],
    )
    b = project("b", [Service("b", "api", L, networks=on("edge"))], [Network("edge", "edge", "b")])
    assert names(resolve_from([a, b], ("a", "proxy"), "api")) == ["api"]


def test_link_alias_resolves_only_in_the_linking_container() -> None:
    p = project(
        "p",
        [
            Service("p", "proxy", L, networks=on("default"), links=(Link("app", "backend"),)),
            Service("p", "app", L, networks=on("default")),
        ],
        [net("p", "default")],
    )
    assert names(resolve_from([p], ("p", "proxy"), "backend")) == ["app"]


def test_service_mode_shares_loopback() -> None:
    p = project(
        "p",
        [
            Service("p", "app", L, networks=on("default")),
            Service("p", "proxy", L, network_mode=NetworkMode.SERVICE, network_mode_target="app"),
        ],
        [net("p", "default")],
    )
    res = resolve_from([p], ("p", "proxy"), "127.0.0.1")
    assert res.kind is resolve.Kind.LOOPBACK and names(res) == ["app", "proxy"]
    # and it resolves what app resolves
    assert names(resolve_from([p], ("p", "proxy"), "app")) == ["app"]


def test_default_bridge_and_host_mode_have_no_dns() -> None:
    p = project(
        "p",
        [
            Service("p", "proxy", L, network_mode=NetworkMode.BRIDGE),
            Service("p", "app", L, network_mode=NetworkMode.BRIDGE),
        ],
        [],
    )
    res = resolve_from([p], ("p", "proxy"), "app")
    assert res.kind is resolve.Kind.NOT_FOUND and res.no_dns == "default bridge"
    h = project(
        "h",
        [
            Service("h", "proxy", L, network_mode=NetworkMode.HOST),
            Service("h", "app", L, networks=on("default")),
        ],
        [net("h", "default")],
    )
    assert resolve_from([h], ("h", "proxy"), "app").no_dns == "host network"
    assert resolve_from([h], ("h", "proxy"), "127.0.0.1").reached == ((graph.HOST, ""),)


def test_extra_hosts_count_for_static_names_only() -> None:
    p = project(
        "p",
        [
            Service(
                "p",
                "proxy",
                L,
                networks=on("default"),
                extra_hosts=(ExtraHost("host.docker.internal", "host-gateway"),),
            ),
        ],
        [net("p", "default")],
    )
    assert resolve_from([p], ("p", "proxy"), "host.docker.internal").kind is resolve.Kind.HOST
    res = resolve_from([p], ("p", "proxy"), "$h", values=("host.docker.internal",), variables=("h",))
    assert res.runtime_dns and res.kind is resolve.Kind.NOT_FOUND


def test_ip_literals_against_static_addresses_and_subnets() -> None:
    p = project(
        "p",
        [
            Service("p", "proxy", L, networks=on("front")),
            Service("p", "app", L, networks=on("back", ip="172.30.1.10")),
        ],
        [net("p", "front", "172.30.0.0/24"), net("p", "back", "172.30.1.0/24")],
    )
    res = resolve_from([p], ("p", "proxy"), "172.30.1.10")
    assert res.kind is resolve.Kind.SERVICE and not res.reached and res.elsewhere
    res = resolve_from([p], ("p", "proxy"), "172.30.1.99")
    assert res.kind is resolve.Kind.IP and res.in_subnet_of == ("network:p_back",)


def test_typo_gets_a_suggestion() -> None:
    p = project(
        "p",
        [
            Service("p", "proxy", L, networks=on("default")),
            Service("p", "misp_web", L, networks=on("default")),
        ],
        [net("p", "default")],
    )
    res = resolve_from([p], ("p", "proxy"), "misp-web")
    assert res.kind is resolve.Kind.NOT_FOUND and res.suggestion == "misp_web"
