"""How long `dockernet graph` takes to draw topologies of growing size, per layout.

The topologies are synthetic but shaped like a real host with many compose projects (the shape of the scan
benchmark's 422 containers on 44 networks): one edge proxy on a shared ``web`` network routes ``/<app>/`` to
the front nginx of every project; each project has its own network with an api, workers, a database, a
cache and more, one sidecar in a shared network namespace, and a few planted mistakes (a typo, a wrong
port, a name on a network the proxy is not on, a public name, a variable) so every colour of the diagram
appears.

    python benchmarks/render_benchmark.py                   # the table for docs/performance.md
    python benchmarks/render_benchmark.py --out /tmp/render --sizes 400:40 --layouts clusters

Times are wall-clock medians of ``--repeat`` runs, split into building the scene and the DOT text (Python)
and running Graphviz to PNG.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import MappingProxyType

from dockernet import pipeline
from dockernet.model import (
    Attachment,
    Loc,
    Lookup,
    Match,
    Mount,
    Network,
    NetworkMode,
    PortMapping,
    Project,
    Proxy,
    Route,
    Service,
    Topology,
    Upstream,
    Volume,
)
from dockernet.render import dot as dot_out
from dockernet.render import image
from dockernet.render.build import build
from dockernet.render.layout import Layout, choose
from dockernet.render.scene import Options

ROLES = ("web", "api", "worker", "db", "cache", "queue", "search", "admin", "mail", "metrics", "cron", "auth")
"""Services of an application project, in the order they are added; ``web`` is its nginx."""
PORTS = {
    "web": 80,
    "api": 8000,
    "admin": 8080,
    "search": 9200,
    "db": 5432,
    "cache": 6379,
    "queue": 5672,
    "mail": 1025,
    "metrics": 9100,
    "auth": 9000,
    "worker": 0,
    "cron": 0,
}


def _target(host: str, port: int, file: str, line: int) -> Upstream:
    return Upstream(
        raw=f"http://{host}:{port}",
        loc=Loc(file, line),
        directive="proxy_pass",
        scheme="http",
        host=host,
        port=port,
        port_written=True,
    )


def _route(proxy: tuple[str, str], location: str, target: Upstream, resolvers: tuple[str, ...] = ()) -> Route:
    return Route(
        proxy=proxy,
        title=f"location {location}",
        match=Match(path=location, loc=Loc(target.loc.file, target.loc.line - 1)),
        forward=target,
        upstreams=(target,),
        resolvers=resolvers,
    )


def _proxy(key: tuple[str, str], conf: str, routes: list[Route], listens: tuple[int, ...]) -> Proxy:
    return Proxy(
        service=key,
        dialect="nginx",
        origin="bind mount",
        entry=conf,
        routes=tuple(routes),
        listens=listens,
        error_pages=(502,),
    )


def _service(project: str, name: str, **kw: object) -> Service:
    return Service(project=project, name=name, loc=Loc(f"/srv/{project}/compose.yaml", 3), **kw)  # type: ignore[arg-type]


def synthetic_topology(containers: int = 400, networks: int = 40) -> Topology:
    """About ``containers`` services on exactly ``networks`` networks (at least 3)."""
    networks = max(networks, 3)
    apps = networks - 2  # + the shared web network + the edge project's monitoring network
    per_app = max(2, (containers - 2) // apps)
    extra = max(0, containers - 2 - per_app * apps)
    web = Network(
        key="web",
        name="web",
        project="edge",
        loc=Loc("/srv/edge/compose.yaml", 30),
        ipam=(),
    )
    mon = Network(
        key="monitoring",
        name="edge_monitoring",
        project="edge",
        internal=True,
        loc=Loc("/srv/edge/compose.yaml", 33),
    )
    edge_file = "/srv/edge/nginx.conf"
    edge_routes: list[Route] = []
    projects: list[Project] = []
    proxies: list[Proxy] = []
    for i in range(apps):
        name = f"app{i:02d}"
        count = per_app + (1 if i < extra else 0)
        default = Network(
            key="default",
            name=f"{name}_default",
            project=name,
            declared=False,
            loc=Loc(f"/srv/{name}/compose.yaml", 0),
        )
        roles = [
            ROLES[j % len(ROLES)] + ("" if j < len(ROLES) else str(j // len(ROLES) + 1)) for j in range(count)
        ]
        services: dict[str, Service] = {}
        conf = f"/srv/{name}/nginx.conf"
        routes: list[Route] = []
        line = 10
        for role in roles:
            base = role.rstrip("0123456789")
            port = PORTS.get(base, 0)
            atts = [Attachment(network="default")]
            kw: dict[str, object] = {
                "image": f"registry.example/{name}/{base}:1.{i % 7}",
                "expose": (port,) if port else (),
            }
            if role == "web":
                atts.append(Attachment(network="web", aliases=(name,)))
                kw["image"] = "nginx:1.25"
                kw["depends_on"] = tuple(r for r in roles if r in ("api", "admin", "search"))
                kw["volumes"] = (Mount(type="volume", source=f"{name}_sockets", target="/run/app"),)
            elif role == "db" and i % 5 == 0:
                kw["ports"] = (PortMapping(target=5432, published=15432 + i),)
            elif role == "metrics" and i % 6 == 1:
                kw["network_mode"] = NetworkMode.SERVICE
                kw["network_mode_target"] = "api"
                atts = []
            elif role == "api":
                kw["volumes"] = (Mount(type="volume", source=f"{name}_sockets", target="/run/app"),)
            services[role] = _service(name, role, networks=tuple(atts), **kw)
        for role in roles:
            base = role.rstrip("0123456789")
            if base in ("api", "admin", "search", "auth") and role == base:
                host, port = role, PORTS[base]
                if base == "api" and i % 7 == 3:
                    host = "apii"  # a typo: DN102
                if base == "search" and i % 6 == 2:
                    port = 9300  # wrong port: DN104
                routes.append(_route((name, "web"), f"/{role}/", _target(host, port, conf, line)))
                line += 4
        if i % 9 == 4:  # a name on a network the web proxy is not on: DN103
            routes.append(_route((name, "web"), "/grafana/", _target("grafana", 3000, conf, line)))
            line += 4
        if i % 8 == 5:  # a unix socket through the shared volume
            sock = Upstream(
                raw="unix:/run/app/api.sock",
                loc=Loc(conf, line),
                directive="proxy_pass",
                unix_path="/run/app/api.sock",
            )
            routes.append(_route((name, "web"), "/socket/", sock))
            line += 4
        proxies.append(_proxy((name, "web"), conf, routes, (80,)))
        edge_routes.append(_route(("edge", "nginx"), f"/{name}/", _target(name, 80, edge_file, 10 + 4 * i)))
        projects.append(
            Project(
                name=name,
                directory=f"/srv/{name}",
                files=(f"/srv/{name}/compose.yaml",),
                services=MappingProxyType(services),
                networks=MappingProxyType({"default": default}),
                volumes=MappingProxyType({"sockets": Volume("sockets", f"{name}_sockets")}),
            )
        )
    docs = Upstream(
        raw="https://docs.example.org",
        loc=Loc(edge_file, 4),
        directive="proxy_pass",
        scheme="https",
        host="docs.example.org",
        port=443,
    )
    edge_routes.append(_route(("edge", "nginx"), "/docs/", docs))
    dyn = Upstream(
        raw="http://$backend",
        loc=Loc(edge_file, 6),
        directive="proxy_pass",
        scheme="http",
        host="$backend",
        port=80,
        variables=("backend",),
        dynamic=True,
        lookup=Lookup.PER_REQUEST,
    )
    edge_routes.append(_route(("edge", "nginx"), "/preview/", dyn, resolvers=("127.0.0.11",)))
    edge = {
        "nginx": _service(
            "edge",
            "nginx",
            image="nginx:1.25",
            networks=(Attachment(network="web"), Attachment(network="monitoring")),
            expose=(80,),
            ports=(PortMapping(target=80, published=80), PortMapping(target=443, published=443)),
        ),
        "grafana": _service(
            "edge",
            "grafana",
            image="grafana/grafana:10",
            expose=(3000,),
            networks=(Attachment(network="monitoring"),),
        ),
    }
    proxies.append(_proxy(("edge", "nginx"), edge_file, edge_routes, (80, 443)))
    projects.append(
        Project(
            name="edge",
            directory="/srv/edge",
            files=("/srv/edge/compose.yaml",),
            services=MappingProxyType(edge),
            networks=MappingProxyType({"web": web, "monitoring": mon}),
        )
    )
    return Topology(projects=tuple(projects), proxies=tuple(proxies))


def measure(
    containers: int, networks: int, layout: Layout, repeat: int, out: Path | None
) -> dict[str, float]:
    """Median seconds: analyse + scene + DOT text, and Graphviz to PNG."""
    topology = synthetic_topology(containers, networks)
    py: list[float] = []
    gv: list[float] = []
    png = b""
    for _ in range(repeat):
        t0 = time.perf_counter()
        analysis = pipeline.analyse(topology)
        scene = build(analysis.topo, analysis.resolved, analysis.findings, Options())
        chosen = choose(scene) if layout is Layout.AUTO else layout
        source = dot_out.render(scene, chosen)
        t1 = time.perf_counter()
        png = image.render(source, "png", dot_out.engine(chosen))
        t2 = time.perf_counter()
        py.append(t1 - t0)
        gv.append(t2 - t1)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{containers}-{networks}-{layout.value}.png").write_bytes(png)
        (out / f"{containers}-{networks}-{layout.value}.dot").write_text(source)
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    return {
        "python": statistics.median(py),
        "graphviz": statistics.median(gv),
        "width": float(width),
        "height": float(height),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="20:3,50:6,100:10,200:20,400:40",
        help="CONTAINERS:NETWORKS,... (default: %(default)s)",
    )
    parser.add_argument("--layouts", default="dot,clusters,hubs,sfdp")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, help="write the PNG and DOT of each run here")
    args = parser.parse_args(argv)
    print(
        "| containers | networks | layout | analyse, scene, DOT (s) | Graphviz PNG (s) | total (s) | PNG px |"
    )
    print("|---:|---:|---|---:|---:|---:|---:|")
    for size in args.sizes.split(","):
        containers, networks = (int(x) for x in size.split(":"))
        for name in args.layouts.split(","):
            r = measure(containers, networks, Layout(name), args.repeat, args.out)
            total = r["python"] + r["graphviz"]
            times = f"{r['python']:.2f} | {r['graphviz']:.2f} | {total:.2f}"
            size = f"{r['width']:.0f} x {r['height']:.0f}"
            print(f"| {containers} | {networks} | {name} | {times} | {size} |")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
