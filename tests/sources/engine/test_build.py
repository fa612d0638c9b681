"""The engine source's model (dockernet.sources.engine.build): recorded engine answers (tests/data/engine/)
in, projects, services and networks out. No engine needed (tests/live/test_scan.py has those)."""

from __future__ import annotations

import copy
from typing import Any

from dockernet.model import NetworkMode
from dockernet.sources.engine.api import STANDALONE
from dockernet.sources.engine.build import build
from dockernet.sources.engine.snapshot import Snapshot
from tests.sources.engine.recorded import recorded, services, snap_of


def as_api_145(doc: dict[str, Any]) -> dict[str, Any]:
    """The same containers as Engine 26+ answers them: ``DNSNames`` on every endpoint, and ``Aliases`` no
    longer carrying the short container ID: "The newly introduced DNSNames should now be used instead when
    short container IDs are needed" (https://docs.docker.com/reference/api/engine/version-history/, v1.45)."""
    out = copy.deepcopy(doc)
    out["api_version"] = "1.45"
    for cid, inspect in out["inspects"].items():
        name = inspect["Name"].lstrip("/")
        hostname = inspect["Config"]["Hostname"]
        for ep in (inspect["NetworkSettings"]["Networks"] or {}).values():
            aliases = [a for a in ep.get("Aliases") or [] if a != cid[:12]]
            ep["Aliases"] = aliases
            ep["DNSNames"] = list(dict.fromkeys([name, *aliases, cid[:12], hostname]))
    return out


def test_recorded_engine_becomes_projects_services_and_networks() -> None:
    live = build(snap_of(recorded()))
    t = live.topology
    assert [p.name for p in t.projects] == ["", "dnrec"]
    dnrec = next(p for p in t.projects if p.name == "dnrec")
    assert dnrec.live and dnrec.directory.endswith("tests/data/engine/basic")
    assert sorted(dnrec.services) == ["app", "crashed", "proxy", "sick", "sidecar"]
    assert sorted(dnrec.networks) == ["dnrec_back", "dnrec_front"]
    assert dnrec.networks["dnrec_back"].ipam[0].subnet == "172.31.77.0/24"
    assert {n.name for n in t.engine_networks} == {"bridge", "host", "none", "dnrec-shared"}
    assert t.host_gateway == "172.17.0.1"
    assert t.partial == ()

    by = services(live)
    app = by["dnrec-app-1"]
    assert (app.state, app.health, app.hostname) == ("running", None, "apphost")
    front = app.attachment("dnrec_front")
    assert front is not None and front.ip and front.aliases == ("backend",)
    # Engine 20.10: no DNSNames; the container name and the aliases (short ID and hostname included).
    assert {"dnrec-app-1", "app", "backend", "apphost"} <= set(front.dns_names)
    back = app.attachment("dnrec_back")
    assert back is not None and back.ipv4_address == "172.31.77.10" == back.ip
    assert app.expose == (8080,)
    assert app.command == ("httpd", "-f", "-p", "8080", "-h", "/www")

    crashed = by["dnrec-crashed-1"]
    assert (crashed.state, crashed.exit_code) == ("exited", 3)
    assert crashed.attachment("dnrec_front") is not None  # stopped containers keep their endpoints' config
    assert [(m.type, m.source, m.target) for m in crashed.volumes] == [("volume", "dnrec_data", "/data")]

    sick = by["dnrec-sick-1"]
    assert (sick.state, sick.health, sick.healthcheck) == ("running", "unhealthy", True)

    sidecar = by["dnrec-sidecar-1"]
    assert sidecar.network_mode is NetworkMode.CONTAINER
    assert sidecar.network_mode_target == "dnrec-app-1" and sidecar.networks == ()

    proxy = by["dnrec-proxy-1"]
    assert sorted((e.host, e.ip) for e in proxy.extra_hosts) == [
        ("host.docker.internal", "host-gateway"),
        ("legacy", "10.1.2.3"),
    ]
    assert [(p.target, p.published, p.host_ip) for p in proxy.ports] == [(80, 18480, "127.0.0.1")]
    assert [(m.type, m.target, m.read_only) for m in proxy.volumes] == [("bind", "/etc/nginx/conf.d", True)]
    assert proxy.depends_on == ("app",)

    solo = by["dnrec-standalone"]
    assert solo.project == STANDALONE and solo.name == "dnrec-standalone"
    assert "solo" in solo.networks[0].dns_names


def test_graph_resolves_live_names_through_the_recorded_aliases() -> None:
    from dockernet.analysis import graph

    topo = graph.build(build(snap_of(recorded())).topology)
    proxy = topo.by_key[("dnrec", "proxy")]
    assert topo.lookup(proxy, "backend") == [("service:dnrec/app", "network:dnrec_front")]
    assert topo.lookup(proxy, "solo") == [("service:/dnrec-standalone", "network:dnrec-shared")]
    # The sidecar shares app's namespace (network_mode: service:app is container:<id> on the engine).
    assert topo.namespace_owner(topo.by_key[("dnrec", "sidecar")]) == "service:dnrec/app"


def test_api_145_prefers_dns_names() -> None:
    live = build(snap_of(as_api_145(recorded())))
    app = services(live)["dnrec-app-1"]
    att = app.attachment("dnrec_front")
    assert att is not None
    cid = live.ids[("dnrec", "app")]
    assert att.dns_names[0] == "dnrec-app-1" and cid[:12] in att.dns_names and "backend" in att.dns_names


def test_missing_fields_and_missing_inspects_are_tolerated() -> None:
    doc = recorded()
    # An older engine: no Mounts, no Ports, no HostConfig in the list; one container never inspected.
    for c in doc["containers"]:
        for key in ("Mounts", "Ports", "HostConfig", "Labels"):
            c.pop(key, None)
    sick = next(cid for cid, i in doc["inspects"].items() if i["Name"] == "/dnrec-sick-1")
    del doc["inspects"][sick]
    live = build(snap_of(doc))
    assert any("dnrec-sick-1 was not inspected" in r for r in live.topology.partial)
    by = services(live)
    assert by["dnrec-app-1"].attachment("dnrec_front") is not None
    assert by["dnrec-proxy-1"].ports[0].published == 18480  # from the inspect's NetworkSettings.Ports
    # A bare minimum list entry still becomes a service.
    minimal = Snapshot("1.24", ({"Id": "f" * 64, "Names": ["/lonely"], "State": "running"},), ())
    lonely = services(build(minimal))["lonely"]
    assert lonely.state == "running" and lonely.networks == ()


def test_replicas_get_one_service_each() -> None:
    doc = recorded()
    app = next(c for c in doc["containers"] if c["Names"] == ["/dnrec-app-1"])
    twin = copy.deepcopy(app)
    twin["Id"] = "a" * 64
    twin["Names"] = ["/dnrec-app-2"]
    doc["containers"].append(twin)
    live = build(snap_of(doc))
    dnrec = next(p for p in live.topology.projects if p.name == "dnrec")
    assert {"dnrec-app-1", "dnrec-app-2"} <= set(dnrec.services) and "app" not in dnrec.services
