"""The engine source as pure functions: recorded engine answers (tests/data/engine/) in, model out; the
tar tree over untrusted archives; the rules that need live data (DN110, DN113) with a firing case and a
near-miss each; the scan command's pure parts. No engine needed (tests/test_scan_live.py has those)."""

from __future__ import annotations

import copy
import io
import json
import tarfile
from pathlib import Path
from types import MappingProxyType
from typing import Any, cast

import pytest

from dockernet import pipeline
from dockernet.dialects.nginx import dump as nginx_dump
from dockernet.errors import EngineError, UsageError
from dockernet.model import Attachment, Loc, Network, NetworkMode, Project, Service, Topology
from dockernet.model.findings import Finding, Severity
from dockernet.output import github as github_out
from dockernet.output import json as json_out
from dockernet.output import text as text_out
from dockernet.pipeline.scan import live_findings, with_containers
from dockernet.sources import tartree
from dockernet.sources.engine.api import STANDALONE
from dockernet.sources.engine.build import Live, build
from dockernet.sources.engine.client import connect, resolve_host
from dockernet.sources.engine.context import context_for
from dockernet.sources.engine.procnet import MAX_PROC, _proc_by_archive, parse_proc_net_tcp
from dockernet.sources.engine.proxies import load_config
from dockernet.sources.engine.snapshot import Scope, Snapshot, select
from dockernet.sources.suppressions import scan_contents

DATA = Path(__file__).parent / "data" / "engine"
BASIC = DATA / "basic-20.10.24.json"
CONF = (DATA / "basic" / "conf.d" / "default.conf").read_bytes()
SECRETS = ("s3cr3t-value", "hunter2")


def recorded(path: Path = BASIC) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text())
    return doc


def snap_of(doc: dict[str, Any]) -> Snapshot:
    return Snapshot.from_json(doc)


def as_api_145(doc: dict[str, Any]) -> dict[str, Any]:
    """The same containers as Engine 26+ answers them: ``DNSNames`` on every endpoint, and ``Aliases`` no
    longer carrying the short container ID (API 1.45 changelog; compose-knowledge A14)."""
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


def services(live: Live) -> dict[str, Service]:
    return {s.container_name or s.name: s for p in live.topology.projects for s in p.services.values()}


# ------------------------------------------------------------------------------------------ the model


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


# ------------------------------------------------------------------------------------------ scope


def test_scope_selects_checked_and_context_containers() -> None:
    doc = recorded()
    names = {c["Id"]: c["Names"][0].lstrip("/") for c in doc["containers"]}

    def pick(**kw: Any) -> tuple[set[str], set[str]]:
        checked, context = select(doc["containers"], doc["networks"], Scope(**kw))
        return {names[i] for i in checked}, {names[i] for i in context}

    checked, context = pick(containers=frozenset({"dnrec-proxy-1"}))
    assert checked == {"dnrec-proxy-1"}
    # Everything on the proxy's networks, for the names its DNS answers.
    assert {"dnrec-app-1", "dnrec-standalone", "dnrec-crashed-1", "dnrec-sick-1"} <= context
    checked, _ = pick(networks=frozenset({"dnrec-shared"}))
    assert checked == {"dnrec-proxy-1", "dnrec-standalone"}
    checked, context = pick(containers=frozenset({"dnrec-sidecar-1"}))
    assert checked == {"dnrec-sidecar-1"} and "dnrec-app-1" in context  # the namespace it shares
    checked, _ = pick(projects=frozenset({"dnrec"}), networks=frozenset({"dnrec-shared"}))
    assert checked == {"dnrec-proxy-1"}


@pytest.mark.parametrize(
    ("scope", "message"),
    [
        (
            Scope(projects=frozenset({"nope"})),
            'no compose project "nope" on this engine (projects: dnrec)',
        ),
        (Scope(networks=frozenset({"nonet"})), 'no network "nonet" on this engine'),
        (Scope(containers=frozenset({"ghost"})), 'no container "ghost" on this engine'),
    ],
)
def test_unknown_scope_names_are_usage_errors(scope: Scope, message: str) -> None:
    doc = recorded()
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        select(doc["containers"], doc["networks"], scope)


def test_findings_outside_the_scope_are_dropped_and_live_ones_name_their_container() -> None:
    live = build(snap_of(recorded()), Scope(containers=frozenset({"dnrec-proxy-1"})))
    loc = Loc("/etc/nginx/conf.d/default.conf", 5)
    mine = Finding("DN110", "upstream-not-running", Severity.ERROR, "m", "h", loc, "proxy", None, "dnrec")
    other = Finding("DN104", "port-not-exposed", Severity.ERROR, "m", "h", loc, "sick", None, "dnrec")
    solo = Finding("DN301", "x", Severity.NOTE, "m", "h", loc, "dnrec-standalone", None, "")
    named = with_containers([mine, other, solo], live)
    assert [f.container for f in named] == ["dnrec-proxy-1", "dnrec-sick-1", "dnrec-standalone"]
    kept = live_findings(named, live, Scope(containers=frozenset({"dnrec-proxy-1"})))
    assert [(f.service, f.container) for f in kept] == [("proxy", "dnrec-proxy-1")]
    whole = build(snap_of(recorded()))
    everything = live_findings(with_containers([solo], whole), whole, Scope())
    assert everything[0].project is None and everything[0].container == "dnrec-standalone"


# ------------------------------------------------------------------------------------------ DN110


def analysed(doc: dict[str, Any], conf: bytes = CONF, static: bool = False) -> list[Finding]:
    """Findings of the recorded engine with the scenario's proxy config; ``static`` drops the live
    states, as if the same services came from compose files."""
    from dataclasses import replace

    live = build(snap_of(doc))
    proxy = services(live)["dnrec-proxy-1"]
    tree = tartree.DumpTree(
        {
            "/etc/nginx/nginx.conf": b"events {}\nhttp { include /etc/nginx/conf.d/*.conf; }\n",
            "/etc/nginx/conf.d/default.conf": conf,
        }
    )
    from dockernet.dialects import nginx
    from dockernet.model import Proxy

    cfg = load_config(proxy, nginx.DIALECT, nginx.locate.locate(proxy), tree, "test")
    assert isinstance(cfg, Proxy), cfg
    projects = live.topology.projects
    if static:
        projects = tuple(
            replace(
                p,
                live=False,
                services=MappingProxyType(
                    {k: replace(s, state=None, health=None, exit_code=None) for k, s in p.services.items()}
                ),
            )
            for p in projects
        )
    topology = Topology(
        projects=projects,
        proxies=(cfg,),
        engine_networks=live.topology.engine_networks,
        host_gateway=live.topology.host_gateway,
    )
    return list(pipeline.analyse(topology).findings)


def rule_hits(findings: list[Finding], rule: str) -> list[tuple[int, str]]:
    return [(f.loc.line, f.message) for f in findings if f.rule == rule]


def test_dn110_fires_for_exited_and_unhealthy_targets() -> None:
    hits = rule_hits(analysed(recorded()), "DN110")
    assert [line for line, _ in hits] == [5, 6]
    assert "dnrec-crashed-1 is exited (exit code 3)" in hits[0][1]
    assert "dnrec-sick-1 is running but unhealthy" in hits[1][1]


def test_dn110_near_miss_running_and_healthy_targets_stay_quiet() -> None:
    doc = recorded()
    for inspect in doc["inspects"].values():
        inspect["State"].update(Status="running", Running=True, ExitCode=0)
        if inspect["State"].get("Health"):
            inspect["State"]["Health"]["Status"] = "healthy"
    for c in doc["containers"]:
        c["State"], c["Status"] = "running", "Up 1 minute"
    assert rule_hits(analysed(doc), "DN110") == []


def test_dn110_is_quiet_on_static_input() -> None:
    assert rule_hits(analysed(recorded(), static=True), "DN110") == []


# ------------------------------------------------------------------------------------------ DN113


def static_project(network_name: str) -> Project:
    nginx = Service(
        project="web",
        name="nginx",
        loc=Loc("/p/compose.yml", 3),
        networks=(Attachment("edge"),),
    )
    net = Network(key="edge", name=network_name, project="web", external=True, loc=Loc("/p/compose.yml", 9))
    return Project(
        "web", "/p", ("/p/compose.yml",), MappingProxyType({"nginx": nginx}), MappingProxyType({"edge": net})
    )


def dn113(topology: Topology) -> list[Finding]:
    return [f for f in pipeline.analyse(topology).findings if f.rule == "DN113"]


def test_dn113_fires_for_a_missing_external_network_with_check_engine() -> None:
    static = Topology(projects=(static_project("edge-net"),))
    found = dn113(context_for(static, snap_of(recorded())))
    assert [(f.loc.file, f.loc.line, f.project, f.service) for f in found] == [
        ("/p/compose.yml", 9, "web", "nginx")
    ]
    assert 'docker compose up fails with "network edge-net not found"' in found[0].message


def test_dn113_near_misses_existing_network_and_no_engine() -> None:
    existing = Topology(projects=(static_project("dnrec-shared"),))
    assert dn113(context_for(existing, snap_of(recorded()))) == []
    assert dn113(Topology(projects=(static_project("edge-net"),))) == []  # plain check: no engine to ask


def test_dn113_fires_live_for_containers_on_a_removed_network() -> None:
    doc = recorded()
    doc["networks"] = [n for n in doc["networks"] if n["Name"] != "dnrec-shared"]
    found = dn113(build(snap_of(doc)).topology)
    assert [(f.project, f.service) for f in found] == [("dnrec", "proxy")]
    assert 'network "dnrec-shared" no longer exists' in found[0].message


def test_dn113_live_near_miss_own_network_is_recreated_by_compose() -> None:
    doc = recorded()
    doc["networks"] = [n for n in doc["networks"] if n["Name"] != "dnrec_back"]
    assert dn113(build(snap_of(doc)).topology) == []


# ------------------------------------------------------------------------------------------ secrets


def test_secrets_in_environment_and_labels_never_reach_any_output() -> None:
    from dockernet.model.findings import Report

    live = build(snap_of(recorded()))
    by = services(live)
    assert by["dnrec-app-1"].environment["SECRET_TOKEN"] == "s3cr3t-value"  # kept for the rules
    findings = live_findings(with_containers(analysed(recorded()), live), live, Scope())
    report = Report(findings=tuple(findings), partial=live.topology.partial)
    for out in (json_out.render(report), text_out.render(report)):
        for secret in SECRETS:
            assert secret not in out


# ------------------------------------------------------------------------------------------ display


def test_text_names_the_container_of_an_in_container_file() -> None:
    from dockernet.model.findings import Report

    f = Finding("DN110", "n", Severity.ERROR, "m", "h", Loc("/etc/nginx/conf.d/a.conf", 3), container="web-1")
    g = Finding("DN305", "n", Severity.NOTE, "m", "h", Loc("/srv/compose.yml", 0), container="web-1")
    files = {"web-1": frozenset({"/etc/nginx/conf.d/a.conf"})}
    text = text_out.render(Report(findings=(f, g)), container_files=files)
    assert [line.split(": ")[0] for line in text.splitlines()[::3][:2]] == [
        "/srv/compose.yml",
        "web-1:/etc/nginx/conf.d/a.conf:3",
    ]
    annotations = github_out.render(Report(findings=(f, g)), container_files=files)
    assert "file=web-1%3A/etc/nginx/conf.d/a.conf,line=3" in annotations
    assert "file=/srv/compose.yml," in annotations
    doc = json.loads(json_out.render(Report(findings=(f,))))
    assert doc["findings"][0]["file"] == "/etc/nginx/conf.d/a.conf"
    assert doc["findings"][0]["container"] == "web-1"


def test_inline_suppressions_come_from_the_container_files() -> None:
    found = scan_contents([("/etc/nginx/conf.d/a.conf", b"x;\n# dockernet: ignore[DN110]\ny;\n")])
    assert [(s.loc.file, s.loc.line, s.codes, s.own_line) for s in found] == [
        ("/etc/nginx/conf.d/a.conf", 2, ("DN110",), True)
    ]


# ------------------------------------------------------------------------------------------ tar trees


def tar_of(entries: list[tuple[str, bytes | str | None]], cut: int | None = None) -> tartree.Fetched:
    """A tar: (name, bytes) files, (name, None) directories, (name, "->target") symlinks."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, body in entries:
            info = tarfile.TarInfo(name)
            if body is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif isinstance(body, str):
                info.type = tarfile.SYMTYPE
                info.linkname = body.removeprefix("->")
                tar.addfile(info)
            else:
                info.size = len(body)
                tar.addfile(info, io.BytesIO(body))
    data = buf.getvalue()
    return tartree.Fetched(data[:cut] if cut else data, truncated=False)


class FakeContainer:
    """A container's files, answered the way the archive endpoint does (member names relative to the
    parent of the requested path); records each request."""

    def __init__(self, files: dict[str, bytes | str | None]) -> None:
        self.files = files
        self.requests: list[str] = []

    def __call__(self, path: str) -> tartree.Fetched | None:
        self.requests.append(path)
        if path not in self.files:
            return None
        parent = path.rsplit("/", 1)[0]
        entries = [
            (p[len(parent) + 1 :], body)
            for p, body in sorted(self.files.items())
            if p == path or p.startswith(path + "/")
        ]
        return tar_of(entries)


ETC = {
    "/etc/nginx": None,
    "/etc/nginx/nginx.conf": b"events {}\nhttp { include conf.d/*.conf; include /opt/site/*.conf; }\n",
    "/etc/nginx/conf.d": None,
    "/etc/nginx/conf.d/a.conf": b"server { location / { proxy_pass http://app:80; } }\n",
    "/etc/nginx/conf.d/link.conf": "->../sites/b.conf",
    "/etc/nginx/sites": None,
    "/etc/nginx/sites/b.conf": b"server { location /b { proxy_pass http://b:80; } }\n",
    "/opt/site": None,
    "/opt/site/c.conf": b"server { location /c { proxy_pass http://c:80; } }\n",
}


def test_tar_tree_reads_includes_links_and_fetches_outside_paths_lazily() -> None:
    from dockernet.dialects.nginx import syntax

    fake = FakeContainer(dict(ETC))
    tree = tartree.TarTree(fake, "web-1")
    tree.prefetch("/etc/nginx")
    conf = syntax.load("/etc/nginx/nginx.conf", tree)
    assert conf.files == (
        "/etc/nginx/nginx.conf",
        "/etc/nginx/conf.d/a.conf",
        "/etc/nginx/conf.d/link.conf",
        "/opt/site/c.conf",
    )
    assert fake.requests == ["/etc/nginx", "/opt/site"]
    assert tree.problems == []
    with pytest.raises(FileNotFoundError):
        tree.read("/etc/nginx/conf.d/missing.conf")
    assert tree.glob("/etc/nginx/conf.d/*.conf") == [
        "/etc/nginx/conf.d/a.conf",
        "/etc/nginx/conf.d/link.conf",
    ]
    assert tree.glob("/srv/nothing/*.conf") == []  # a missing directory matches nothing, as glob(3)


def test_tar_tree_ignores_members_that_escape_the_requested_path() -> None:
    hostile = tar_of(
        [
            ("nginx/nginx.conf", b"events {}\n"),
            ("../../etc/shadow", b"root:x\n"),
            ("/etc/passwd", b"root\n"),
            ("nginx/../../escape", b"x\n"),
        ]
    )
    tree = tartree.TarTree(lambda p: hostile if p == "/etc/nginx" else None, "evil")
    tree.prefetch("/etc/nginx")
    assert tree.read("/etc/nginx/nginx.conf") == ("/etc/nginx/nginx.conf", b"events {}\n")
    assert len([p for p in tree.problems if "outside /etc/nginx" in p]) == 3
    with pytest.raises(FileNotFoundError):
        tree.read("/etc/nginx/../shadow")  # normalised to /etc/shadow: fetched on its own, and absent


def test_tar_tree_symlink_loops_and_absolute_links_stay_in_container_space() -> None:
    fake = FakeContainer(
        {
            "/etc/nginx": None,
            "/etc/nginx/loop.conf": "->loop2.conf",
            "/etc/nginx/loop2.conf": "->loop.conf",
            "/etc/nginx/abs.conf": "->/srv/conf/real.conf",
            "/srv/conf": None,
            "/srv/conf/real.conf": b"events {}\n",
        }
    )
    tree = tartree.TarTree(fake, "web-1")
    tree.prefetch("/etc/nginx")
    with pytest.raises(OSError, match="Too many levels"):
        tree.read("/etc/nginx/loop.conf")
    assert tree.read("/etc/nginx/abs.conf") == ("/etc/nginx/abs.conf", b"events {}\n")
    assert "/srv/conf/real.conf" in fake.requests


def test_tar_tree_truncated_archive_keeps_what_was_read() -> None:
    whole = tar_of([("nginx", None), ("nginx/a.conf", b"a" * 600), ("nginx/b.conf", b"b" * 600)])
    # Headers are 512 bytes, data is padded to 512: b.conf's data starts at 2560.
    cut = tartree.Fetched(whole.data[:2700], truncated=False)
    answers = {"/etc/nginx": cut, "/etc/nginx/b.conf": tar_of([("b.conf", b"b" * 600)])}
    asked: list[str] = []

    def fetch(path: str) -> tartree.Fetched | None:
        asked.append(path)
        return answers.get(path)

    tree = tartree.TarTree(fetch, "web-1")
    tree.prefetch("/etc/nginx")
    assert tree.read("/etc/nginx/a.conf") == ("/etc/nginx/a.conf", b"a" * 600)
    assert any("truncated" in p or "cut short" in p for p in tree.problems)
    # Not in the damaged archive: asked for on its own.
    assert tree.read("/etc/nginx/b.conf") == ("/etc/nginx/b.conf", b"b" * 600)
    assert asked == ["/etc/nginx", "/etc/nginx/b.conf"]
    assert tree.glob("/etc/nginx/*.conf") is None  # the listing itself is incomplete: unseen


def test_tar_tree_size_limits() -> None:
    big = tar_of([("nginx", None), ("nginx/huge.conf", b"x" * (tartree.MAX_MEMBER + 1))])
    tree = tartree.TarTree(lambda p: big if p == "/etc/nginx" else None, "web-1")
    tree.prefetch("/etc/nginx")
    with pytest.raises(OSError, match="too large"):
        tree.read("/etc/nginx/huge.conf")
    stream = tartree.Fetched(big.data, truncated=True)
    tree = tartree.TarTree(lambda p: stream if p == "/etc/nginx" else None, "web-1")
    tree.prefetch("/etc/nginx")
    assert any("larger than" in p for p in tree.problems)


def test_tar_tree_garbage_is_a_problem_not_a_crash() -> None:
    junk = tartree.Fetched(b"this is not a tar archive at all" * 40)
    tree = tartree.TarTree(lambda p: junk, "web-1")
    tree.prefetch("/etc/nginx")
    assert tree.read("/etc/nginx/nginx.conf") is None
    assert any("damaged" in p for p in tree.problems)


def test_tar_tree_never_archives_a_top_level_directory() -> None:
    fake = FakeContainer(dict(ETC))
    tree = tartree.TarTree(fake, "web-1")
    assert tree.glob("/*.conf") is None
    assert fake.requests == []


def test_nginx_dump_is_split_into_files() -> None:
    out = (
        b"# configuration file /etc/nginx/nginx.conf:\nevents {}\nhttp { include conf.d/*.conf; }\n\n"
        b"# configuration file /etc/nginx/conf.d/a.conf:\nserver { listen 80; }\n\n"
    )
    files = nginx_dump.parse_dump(out)
    assert files == {
        "/etc/nginx/nginx.conf": b"events {}\nhttp { include conf.d/*.conf; }\n",
        "/etc/nginx/conf.d/a.conf": b"server { listen 80; }\n",
    }
    tree = tartree.DumpTree(files)
    assert tree.glob("/etc/nginx/conf.d/*.conf") == ["/etc/nginx/conf.d/a.conf"]
    assert tree.read("/etc/nginx/mime.types") is None


TCP = (
    b"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    b"   0: 0100007F:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1\n"
)


class ProcEngine:
    """Archive answers by container path (an exception is raised); records each request."""

    def __init__(self, answers: dict[str, tartree.Fetched | Exception]) -> None:
        self.answers = answers
        self.requests: list[str] = []

    def archive(self, container: str, path: str) -> tartree.Fetched | None:
        self.requests.append(path)
        got = self.answers.get(path)
        if isinstance(got, Exception):
            raise got
        return got


def test_proc_net_tcp_is_read_through_the_archive_endpoint() -> None:
    text = _proc_by_archive(cast(Any, ProcEngine({"/proc/net/tcp": tar_of([("tcp", TCP)])})), "c1")
    assert text == TCP.decode() and parse_proc_net_tcp(text) == (("127.0.0.1", 3000),)
    both = ProcEngine({"/proc/net/tcp": tar_of([("tcp", TCP)]), "/proc/net/tcp6": tar_of([("tcp6", TCP)])})
    assert _proc_by_archive(cast(Any, both), "c1") == TCP.decode() + "\n" + TCP.decode()
    # Engine 20.10 answers 404 (None): the archive endpoint reads the file system, where /proc is not mounted.
    assert _proc_by_archive(cast(Any, ProcEngine({})), "c1") is None
    assert _proc_by_archive(cast(Any, ProcEngine({"/proc/net/tcp": EngineError("boom")})), "c1") is None


@pytest.mark.parametrize(
    "answer",
    [
        tar_of([("tcp", b"")]),
        tar_of([("tcp", TCP + b"x" * MAX_PROC)]),
        tar_of([("tcp", None)]),
        tar_of([("tcp", "->/etc/passwd")]),
        tartree.Fetched(b"not a tar archive" * 100),
        tar_of([("tcp", TCP)], cut=700),
        tar_of([("../../etc/tcp", TCP)]),
    ],
    ids=["empty", "too-large", "directory", "symlink", "garbage", "cut", "name-outside-the-path"],
)
def test_proc_net_tcp_archives_without_a_readable_table_read_as_nothing(answer: tartree.Fetched) -> None:
    engine = ProcEngine({"/proc/net/tcp": answer})
    assert _proc_by_archive(cast(Any, engine), "c1") is None
    assert engine.requests == ["/proc/net/tcp", "/proc/net/tcp6"]  # a link is not followed to the engine


# ------------------------------------------------------------------------------------------ host


def test_host_order_flag_then_docker_host_then_context(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib

    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    (tmp_path / "config.json").write_text(json.dumps({"currentContext": "remote"}))
    meta = tmp_path / "contexts" / "meta" / hashlib.sha256(b"remote").hexdigest()
    meta.mkdir(parents=True)
    (meta / "meta.json").write_text(
        json.dumps(
            {"Name": "remote", "Metadata": {}, "Endpoints": {"docker": {"Host": "tcp://10.9.9.9:2375"}}}
        )
    )
    assert resolve_host(None, {})[1] == "tcp://10.9.9.9:2375"
    assert resolve_host(None, {"DOCKER_HOST": "unix:///run/x.sock"})[1] == "unix:///run/x.sock"
    assert resolve_host("unix:///flag.sock", {"DOCKER_HOST": "tcp://a:1"})[1] == "unix:///flag.sock"
    (meta / "meta.json").write_text("{not json")
    with pytest.raises(EngineError, match="docker context"):
        resolve_host(None, {})


def test_unreachable_engine_is_an_engine_error(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="no such socket"):
        connect(f"unix://{tmp_path}/none.sock")


def test_progress_bar_appears_only_after_its_delay() -> None:
    import time

    from dockernet.cli.scan import ProgressBar

    quiet = ProgressBar(enabled=False)
    quiet("inspecting containers", 1, 2)
    quiet.close()
    assert quiet._bar is None
    fast = ProgressBar(enabled=True, delay=60)
    fast("inspecting containers", 1, 2)
    fast.close()
    assert fast._bar is None  # a quick scan never shows it
    slow = ProgressBar(enabled=True, delay=0.01)
    for _ in range(200):
        if slow._bar is not None:
            break
        time.sleep(0.01)
    slow("inspecting containers", 5, 10)
    assert slow._bar is not None
    slow.close()


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
    from dockernet.dialects.nginx.locate import entry_file

    svc = Service(project="p", name="proxy", loc=Loc(""), entrypoint=entrypoint, command=command)
    assert entry_file(svc) == entry
