"""``dockernet graph``: what the scene shows, golden DOT and Mermaid files, determinism, secrets, every format
for every sample, the HTML in headless Chromium, and the layout chosen at scale.

Golden files live in tests/golden/; after a deliberate change to the drawings, regenerate them with
``DOCKERNET_UPDATE_GOLDEN=1 pytest tests/render/test_render.py`` and review the diff.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from html import escape as escape_html
from pathlib import Path
from types import MappingProxyType, ModuleType

import networkx as nx
import pytest
import typer
from typer.testing import CliRunner

from dockernet import pipeline, render
from dockernet.cli import graph as cli_graph
from dockernet.errors import ExitStatus, UsageError
from dockernet.model import Network, Topology
from dockernet.pipeline.requests import ComposeRequest
from dockernet.render import dot, html, mermaid
from dockernet.render import json as json_out
from dockernet.render.build import build
from dockernet.render.layout import Layout, choose
from dockernet.render.scene import EdgeKind, NodeKind, Options, Scene, Status
from tests.conftest import REPO, unavailable
from tests.samples import all_samples

DATA = REPO / "tests" / "data" / "render"
SHOP = REPO / "compose-samples" / "showcase" / "shop"
GOLDEN = REPO / "tests" / "golden"
UPDATE = os.environ.get("DOCKERNET_UPDATE_GOLDEN") == "1"
SECRETS = ("s3cret-do-not-print", "label-secret-value")
"""Values of an environment variable and a label in compose-samples/showcase/shop: never in any output."""

FIXTURES = {
    "shop": [SHOP],
    "modes": [DATA / "modes"],
    "pair": [DATA / "pair" / "front", DATA / "pair" / "back"],
}


def load(dirs: list[Path], host_proxies: tuple[str, ...] = ()) -> Topology:
    return pipeline.load_static(ComposeRequest.of(dirs=dirs, host_proxies=host_proxies))


def scene_of(name: str, **options: object) -> Scene:
    dirs = FIXTURES[name]
    analysis = pipeline.analyse(load(dirs))
    base = str(dirs[0].parent if len(dirs) > 1 else dirs[0])
    return build(analysis.topo, analysis.resolved, analysis.findings, Options(base=base, **options))  # type: ignore[arg-type]


def route(scene: Scene, label_start: str) -> list[tuple[str, str, Status, tuple[str, ...]]]:
    return [
        (e.source, e.target, e.status, e.rules)
        for e in scene.edges
        if e.kind is EdgeKind.ROUTE and e.label.startswith(label_start)
    ]


# ------------------------------------------------------------------------------------------- the scene


def test_routes_are_coloured_by_what_the_rules_found() -> None:
    s = scene_of("shop")
    proxy = "service:shop/proxy"
    assert route(s, "/api/\n") == [(proxy, "service:shop/app", Status.OK, ())]
    # A typo: its own red node, with the suggestion.
    assert route(s, "/admin/") == [(proxy, "unresolved:ap", Status.ERROR, ("DN102",))]
    assert s.node("unresolved:ap").status is Status.ERROR
    assert 'did you mean "app"?' in s.node("unresolved:ap").details
    # A name on a network the proxy is not on: the line it would need, red.
    assert route(s, "/db/") == [(proxy, "service:shop/db", Status.ERROR, ("DN103",))]
    # Outside Docker: dashed (unknown), to a node of its own; the note does not colour it.
    assert route(s, "/docs/") == [(proxy, "external:docs.example.org", Status.UNKNOWN, ())]
    # A unix socket goes through the volume both services mount.
    assert route(s, "/php/") == [(proxy, "volume:shop_sockets", Status.OK, ())]
    assert [(e.source, e.target) for e in s.edges if e.source == "volume:shop_sockets"] == [
        ("volume:shop_sockets", "service:shop/php")
    ]


def test_networks_services_ports_and_shared_namespaces() -> None:
    s = scene_of("shop")
    data = s.node("network:shop_data")
    assert data.data["internal"] is True and "internal: no route out" in data.details
    back = s.node("network:shop_back")
    assert back.data["subnets"] == ["172.28.0.0/24"] and back.data["gateways"] == ["172.28.0.1"]
    app = s.node("service:shop/app")
    assert "shop_back 172.28.0.10 aka api" in app.details and "shop/app:1.4" in app.details
    # Drawn in the network its route crosses, not in the smaller internal one.
    assert app.home == "network:shop_back"
    (group,) = s.groups
    assert group.members == ("service:shop/app", "service:shop/metrics") and group.home == "network:shop_back"
    (publish,) = [e for e in s.edges if e.kind is EdgeKind.PUBLISH]
    assert (publish.source, publish.target) == ("host", "service:shop/proxy")
    assert publish.label == ":8080 → 80\n127.0.0.1:8443 → 443"


def test_host_networking_and_the_default_bridge_are_shown_as_what_they_are() -> None:
    s = scene_of("modes")
    bridge = s.node("network:bridge")
    assert "no DNS: names do not resolve" in bridge.details
    host_ns = next(g for g in s.groups if g.id == "netns:host")
    assert host_ns.members == ("host", "service:modes/edge")
    # 127.0.0.1 from a host-networked proxy is the host itself.
    assert route(s, "/\n") == [("service:modes/edge", "host", Status.OK, ())]
    assert route(s, "/legacy/") == [("service:modes/edge", "service:modes/legacy", Status.ERROR, ("DN106",))]


def test_several_projects_share_a_network() -> None:
    s = scene_of("pair")
    assert s.node("service:front/proxy").title == "front/proxy"
    assert {e.via for e in s.edges if e.kind is EdgeKind.ROUTE and e.target == "service:back/api"} == {
        "network:pair_shared"
    }
    assert route(s, "/old/") == [("service:front/proxy", "service:back/api", Status.ERROR, ("DN104",))]
    assert route(s, "/next/") == [("service:front/proxy", "unresolved:api-next", Status.ERROR, ("DN102",))]


def test_hide_ok_keeps_only_what_is_wrong() -> None:
    s = scene_of("shop", hide_ok=True)
    assert all(e.status is not Status.OK for e in s.edges if e.kind is EdgeKind.ROUTE)
    ids = {n.id for n in s.nodes}
    assert {"service:shop/proxy", "service:shop/db", "unresolved:ap"} <= ids
    assert "service:shop/php" not in ids and "volume:shop_sockets" not in ids
    # A network where nothing is drawn any more (the proxy's other one) goes too.
    assert [n.id for n in s.networks] == ["network:shop_back", "network:shop_data"]


def test_focus_on_a_network_and_on_a_service() -> None:
    s = scene_of("shop", networks=("data",))
    ids = {n.id for n in s.nodes}
    assert {"service:shop/db", "service:shop/app", "service:shop/metrics", "network:shop_data"} <= ids
    assert "service:shop/proxy" in ids  # its broken route into the network stays visible
    assert "service:shop/php" not in ids
    s = scene_of("shop", services=("php",))
    ids = {n.id for n in s.nodes if n.kind is not NodeKind.NETWORK}
    assert ids == {"service:shop/php", "volume:shop_sockets", "service:shop/proxy"}
    with pytest.raises(UsageError, match='no network "nope"'):
        scene_of("shop", networks=("nope",))
    with pytest.raises(UsageError, match='no service "nope"'):
        scene_of("shop", services=("nope",))


def test_no_ports() -> None:
    s = scene_of("shop", ports=False)
    assert not any(e.kind is EdgeKind.PUBLISH for e in s.edges)
    assert "host" not in {n.id for n in s.nodes}
    # ... unless something else needs the host: a host-networked service.
    assert "host" in {n.id for n in scene_of("modes", ports=False).nodes}


def test_engine_host_and_none_networks_and_unused_networks_are_not_drawn() -> None:
    t = load(FIXTURES["modes"])
    extra = (
        Network(key="host", name="host", project=None, driver="host"),
        Network(key="none", name="none", project=None, driver="null"),
        Network(key="other_default", name="other_default", project="other"),
    )
    a = pipeline.analyse(replace(t, engine_networks=extra))
    s = build(a.topo, a.resolved, a.findings)
    assert [n.id for n in s.networks] == ["network:bridge"]
    # ... unless asked for.
    s = build(a.topo, a.resolved, a.findings, Options(networks=("other_default",)))
    assert [n.id for n in s.networks] == ["network:other_default"]


def test_live_state_is_shown() -> None:
    t = load(FIXTURES["shop"])
    project = t.projects[0]
    db = replace(project.services["db"], state="exited", exit_code=3)
    app_ = replace(project.services["app"], state="running", health="unhealthy")
    services = MappingProxyType({**project.services, "db": db, "app": app_})
    a = pipeline.analyse(replace(t, projects=(replace(project, services=services),)))
    s = build(a.topo, a.resolved, a.findings)
    assert "exited (3)" in s.node("service:shop/db").details
    assert "running, unhealthy" in s.node("service:shop/app").details
    text = dot.render(s, Layout.DOT)
    db_line = next(line for line in text.splitlines() if line.strip().startswith('"service:shop/db" ['))
    assert 'style="rounded,filled,dashed"' in db_line and 'fillcolor="#eeeeee"' in db_line


def test_findings_point_at_what_they_are_about() -> None:
    s = scene_of("shop")
    by_rule = {f.rule: i for i, f in enumerate(s.findings)}
    (edge,) = [e for e in s.edges if e.target == "unresolved:ap"]
    assert s.targets_of(by_rule["DN102"]) == (edge.key,)
    assert s.where(by_rule["DN102"]) == "nginx.conf:7"


# --------------------------------------------------------------------------------------------- goldens


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"{path} missing: run with DOCKERNET_UPDATE_GOLDEN=1"
    assert text == path.read_text(), f"{path} differs: review, then DOCKERNET_UPDATE_GOLDEN=1"


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_golden_dot(name: str) -> None:
    s = scene_of(name)
    _golden(f"{name}.dot", dot.render(s, choose(s)))


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_golden_mermaid(name: str) -> None:
    _golden(f"{name}.mmd", mermaid.render(scene_of(name)))


@pytest.mark.parametrize("layout", [Layout.CLUSTERS, Layout.HUBS, Layout.SFDP])
def test_golden_dot_other_layouts(layout: Layout) -> None:
    _golden(f"shop.{layout.value}.dot", dot.render(scene_of("shop"), layout))


def _shuffled(t: Topology) -> Topology:
    """The same topology with every collection in reverse order."""
    projects = tuple(
        replace(
            p,
            services=MappingProxyType(dict(reversed(list(p.services.items())))),
            networks=MappingProxyType(dict(reversed(list(p.networks.items())))),
        )
        for p in reversed(t.projects)
    )
    proxies = tuple(replace(c, routes=tuple(reversed(c.routes))) for c in reversed(t.proxies))
    return replace(t, projects=projects, proxies=proxies)


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_same_input_in_any_order_gives_the_same_text(name: str) -> None:
    t = load(FIXTURES[name])
    outs = []
    for topology in (t, _shuffled(t)):
        a = pipeline.analyse(topology)
        s = build(a.topo, a.resolved, a.findings, Options(base=str(DATA)))
        outs.append((dot.render(s, Layout.DOT), dot.render(s, Layout.CLUSTERS), mermaid.render(s)))
    assert outs[0] == outs[1]


def test_byte_identical_across_processes(tmp_path: Path) -> None:
    """No hash-seed or memory-address dependence: two interpreters write the same bytes."""
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"{seed}.dot"
        env = dict(os.environ, PYTHONHASHSEED=seed)
        subprocess.run(
            [sys.executable, "-m", "dockernet", "graph", str(SHOP), "-o", str(out)],
            check=True,
            env=env,
            cwd=REPO,
            timeout=60,
        )
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


# ------------------------------------------------------------------------------------- every format


def _all_outputs(s: Scene) -> dict[str, str]:
    return {
        "dot": dot.render(s, Layout.DOT),
        "clusters": dot.render(s, Layout.CLUSTERS),
        "hubs": dot.render(s, Layout.HUBS),
        "mmd": mermaid.render(s),
        "json": json_out.render(s),
        "html": html.render(s, None),
    }


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_no_secret_in_any_output(name: str) -> None:
    for fmt, text in _all_outputs(scene_of(name)).items():
        for secret in SECRETS:
            assert secret not in text, f"{secret} in {fmt}"


def test_json_is_networkx_node_link() -> None:
    s = scene_of("shop")
    data = json.loads(json_out.render(s, Layout.DOT))
    g = nx.node_link_graph(data, edges="edges")
    assert isinstance(g, nx.MultiDiGraph)
    assert g.nodes["service:shop/app"]["networks"][0] == {
        "network": "shop_back",
        "ip": "172.28.0.10",
        "aliases": ["api"],
    }
    assert g.nodes["network:shop_data"]["internal"] is True
    broken = [d for _, v, d in g.edges(data=True) if v == "unresolved:ap"]
    assert broken[0]["status"] == "error" and broken[0]["rules"] == ["DN102"]
    dn102 = next(f for f in data["graph"]["findings"] if f["rule"] == "DN102")
    assert dn102["drawn_as"] == [broken[0]["id"]]


SAMPLES = all_samples()


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.name for s in SAMPLES])
def test_every_sample_renders_in_every_format(sample, dot_bin: Path) -> None:  # type: ignore[no-untyped-def]
    analysis = pipeline.analyse(load(sample.dirs, sample.host_proxies))
    s = build(analysis.topo, analysis.resolved, analysis.findings, Options(base=str(sample.path)))
    for fmt in render.FORMATS:
        drawing = render.draw(s, fmt)
        assert drawing.data, fmt
        assert not drawing.notes, drawing.notes
    assert render.draw(s, "png").data.startswith(b"\x89PNG")
    assert b"<svg" in render.draw(s, "html").data


# ------------------------------------------------------------------------------------------------ CLI

app = typer.Typer()


@app.callback()
def _commands() -> None:
    """A CLI with only the graph command."""


app.command("graph")(cli_graph.graph)


def test_cli_writes_each_format_by_extension(tmp_path: Path, dot_bin: Path) -> None:
    runner = CliRunner()
    for ext in ("dot", "mmd", "json", "html", "svg", "png", "pdf"):
        out = tmp_path / f"topology.{ext}"
        result = runner.invoke(app, ["graph", str(SHOP), "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
    assert (tmp_path / "topology.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "topology.pdf").read_bytes().startswith(b"%PDF")


def test_cli_options(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "t.dot"
    args = ["graph", str(SHOP), "--hide-ok", "--no-ports", "--layout", "hubs", "-o", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert 'layout="dot"' in text and "DN102" in text and "/api/" not in text and "8080" not in text
    result = runner.invoke(app, ["graph", str(SHOP), "--service", "php", "--format", "mmd"])
    assert (
        result.exit_code == 0 and "service_shop_php" in result.output and "unresolved_ap" not in result.output
    )


def test_cli_unknown_extension(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["graph", str(SHOP), "-o", str(tmp_path / "t.jpeg")])
    assert result.exit_code == 3
    assert "unknown diagram format .jpeg" in result.output


def test_cli_without_graphviz(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot anywhere
    runner = CliRunner()
    result = runner.invoke(app, ["graph", str(SHOP), "-o", str(tmp_path / "t.png")])
    assert result.exit_code == ExitStatus.GRAPHVIZ_MISSING
    assert "apt-get install graphviz" in result.output and "brew install graphviz" in result.output
    assert "choco install graphviz" in result.output
    assert not (tmp_path / "t.png").exists()
    # The text formats need no Graphviz; the HTML says what is missing and still lists the findings.
    for ext in ("dot", "mmd", "json", "html"):
        result = runner.invoke(app, ["graph", str(SHOP), "-o", str(tmp_path / f"t.{ext}")])
        assert result.exit_code == 0, (ext, result.output)
    page = (tmp_path / "t.html").read_text()
    assert "<svg" not in page and "apt-get install graphviz" in page and "DN102" in page


# ----------------------------------------------------------------------------------- HTML in Chromium


@pytest.fixture(scope="session")
def chromium_bin() -> Path:
    """Debian's chromium (scripts/test-engine.sh installs it)."""
    found = shutil.which("chromium")
    if found is None:
        unavailable("chromium missing")
    return Path(found)


def _chromium(binary: Path, profile: Path, *args: str) -> str:
    # Offline and quiet: no sandbox (root in a container), no GPU, nothing that phones home.
    argv = [
        str(binary),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-default-apps",
        "--disable-extensions",
        "--proxy-server=127.0.0.1:9",  # any request that slipped through would fail, not leave
        f"--user-data-dir={profile}",
        *args,
    ]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_html_opens_in_chromium_and_lists_the_findings(
    tmp_path: Path, chromium_bin: Path, dot_bin: Path
) -> None:
    s = scene_of("shop")
    page = tmp_path / "topology.html"
    page.write_bytes(render.draw(s, "html").data)
    dom = _chromium(chromium_bin, tmp_path / "profile", "--dump-dom", page.as_uri())
    # The script ran (it marks the body with the number of findings it wired up) ...
    assert f'data-ready="{len(s.findings)}"' in dom
    assert dom.count('class="finding ') == len(s.findings)
    assert "DN102" in dom and "DN103" in dom and "<svg" in dom
    assert _zoom_state(dom)[1] == "true"
    # ... and #f<n> pins a finding: its edge is highlighted in the picture.
    i = next(i for i, f in enumerate(s.findings) if f.rule == "DN102")
    (key,) = s.targets_of(i)
    dom = _chromium(chromium_bin, tmp_path / "profile", "--dump-dom", page.as_uri() + f"#f{i}")
    assert f'id="{key}" class="edge route error hl"' in dom
    assert 'class="finding error pinned"' in dom
    # Opened fitted (the default window is smaller than the picture), pinning zooms to the actual size.
    assert _zoom_state(dom)[:2] == (1.0, "false")


def _zoom_state(dom: str) -> tuple[float, str, float, float]:
    """data-zoom, data-fitted and the CSS size of the SVG that the page's script set after load."""
    picture = re.search(r'<div id="picture" data-zoom="([0-9.]+)" data-fitted="(true|false)"', dom)
    size = re.search(r'<svg [^>]*style="width: ([0-9.]+)px; height: ([0-9.]+)px;', dom)
    assert picture and size, "the zoom script did not run"
    return float(picture[1]), picture[2], float(size[1]), float(size[2])


def test_big_html_opens_fitted_to_a_1400px_window(tmp_path: Path, chromium_bin: Path, dot_bin: Path) -> None:
    """A picture far wider than the window opens zoomed out to fit it (the findings panel beside it), and
    a small one at its own size: the page never enlarges Graphviz's text."""
    a = pipeline.analyse(_benchmark().synthetic_topology(120, 12))
    big = build(a.topo, a.resolved, a.findings)
    page = tmp_path / "big.html"
    page.write_bytes(render.draw(big, "html").data)
    svg = page.read_text()
    width_pt = float(svg.split('<svg width="', 1)[1].split("pt", 1)[0])
    assert width_pt * 4 / 3 > 1400  # else there is nothing to fit
    window = "--window-size=1400,900"
    dom = _chromium(chromium_bin, tmp_path / "profile", window, "--dump-dom", page.as_uri())
    zoom, fitted, width, height = _zoom_state(dom)
    assert fitted == "true" and zoom < 1
    assert width <= 1400 - 220 and height <= 900
    assert abs(width - width_pt * 4 / 3 * zoom) < 2
    # The controls work: two clicks on + zoom in by 1.25 each; the wheel zooms out at the pointer, down to
    # a quarter of the fitted size at most; fit goes back; a drag pans (scrolls) the picture.
    driven = tmp_path / "driven.html"
    driven.write_text(
        svg.replace(
            "</body>",
            "<script>var c=document.getElementById('canvas');"
            "document.getElementById('zoom-in').click();document.getElementById('zoom-in').click();"
            "var z1=document.getElementById('picture').getAttribute('data-zoom');"
            "c.dispatchEvent(new WheelEvent('wheel',{deltaY:5000,clientX:300,clientY:300,cancelable:true}));"
            "var z2=document.getElementById('picture').getAttribute('data-zoom');"
            "document.getElementById('zoom-fit').click();document.getElementById('zoom-1').click();"
            "var l0=c.scrollLeft,t0=c.scrollTop;"
            "c.dispatchEvent(new MouseEvent('mousedown',{button:0,clientX:500,clientY:500,bubbles:true}));"
            "window.dispatchEvent(new MouseEvent('mousemove',{clientX:300,clientY:400}));"
            "window.dispatchEvent(new MouseEvent('mouseup',{}));"
            "var pan=(c.scrollLeft-l0)+','+(c.scrollTop-t0);"
            "document.getElementById('zoom-fit').click();"
            "document.body.setAttribute('data-test',z1+' '+z2+' '+pan);</script></body>",
        )
    )
    dom = _chromium(chromium_bin, tmp_path / "profile", window, "--dump-dom", driven.as_uri())
    after = re.search(r'data-test="([0-9.]+) ([0-9.]+) ([0-9]+),([0-9]+)"', dom)
    assert after, "the test script did not run"
    assert abs(float(after[1]) - zoom * 1.25 * 1.25) < 0.002
    assert abs(float(after[2]) - zoom / 4) < 0.002
    assert (int(after[3]), int(after[4])) == (200, 100)
    assert _zoom_state(dom)[:2] == (zoom, "true")
    small = tmp_path / "small.html"
    small.write_bytes(render.draw(scene_of("pair"), "html").data)
    dom = _chromium(chromium_bin, tmp_path / "profile", window, "--dump-dom", small.as_uri())
    assert _zoom_state(dom)[:2] == (1.0, "true")


def test_cli_engine(tmp_path: Path, docker_engine: object) -> None:
    """``graph --engine`` draws whatever runs on the test engine (read-only)."""
    out = tmp_path / "live.json"
    result = CliRunner().invoke(app, ["graph", "--engine", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["directed"] is True and "nodes" in data and "edges" in data
    result = CliRunner().invoke(app, ["graph", "--engine", str(SHOP), "-o", str(out)])
    assert result.exit_code == 3 and "leave out directories" in result.output


# ------------------------------------------------------------------------------------------- at scale


def _benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "render_benchmark", REPO / "benchmarks" / "render_benchmark.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_layout_choice_by_size() -> None:
    synthetic = _benchmark().synthetic_topology
    for containers, networks, expected in (
        (20, 3, Layout.DOT),
        (50, 6, Layout.CLUSTERS),
        (400, 40, Layout.CLUSTERS),
    ):
        a = pipeline.analyse(synthetic(containers, networks))
        s = build(a.topo, a.resolved, a.findings)
        assert choose(s) is expected, (containers, networks)
    assert choose(scene_of("shop")) is Layout.DOT


def test_400_containers_render_readable(dot_bin: Path) -> None:
    """The scan benchmark's size: one picture, no strip 20,000 px long. (Its render time is measured in
    benchmarks/render_benchmark.py, not here.)"""
    a = pipeline.analyse(_benchmark().synthetic_topology(400, 40))
    s = build(a.topo, a.resolved, a.findings)
    png = render.draw(s, "png")
    assert png.layout is Layout.CLUSTERS
    width = int.from_bytes(png.data[16:20], "big")
    height = int.from_bytes(png.data[20:24], "big")
    assert 0.5 < width / height < 2, (width, height)
    # Too long for GitHub's Mermaid: said, not hidden.
    (note,) = render.draw(s, "mmd").notes
    assert "GitHub draws at most 50,000" in note


def test_many_lone_services_make_a_picture_a_window_can_show(tmp_path: Path, dot_bin: Path) -> None:
    """sentry's shape: ~50 services on one network that no route touches. As a grid of as many columns as
    rows it was a strip 3x wider than high (fitted to a 1400 px window at 33 %); the grid is shaped by the
    boxes' size, and a pinned digest does not widen its column."""
    digest = "sha256:" + "d07aa1dae03c" + "0" * 52
    services = "".join(
        f"  worker-{i:02d}-{'consumer' * (i % 3)}:\n    image: example.org/team/app-{i}:nightly\n"
        for i in range(50)
    )
    services += f"  store:\n    image: chrislusf/seaweedfs:4.40_large_disk@{digest}\n"
    (tmp_path / "compose.yaml").write_text("services:\n" + services)
    a = pipeline.analyse(load([tmp_path]))
    s = build(a.topo, a.resolved, a.findings, Options(base=str(tmp_path)))
    store = next(n for n in s.services if n.title == "store")
    assert store.details[0] == "chrislusf/seaweedfs:4.40_large_disk@sha256:d07aa1dae03c…"
    svg = render.draw(s, "svg").data.decode()
    width, height = (float(v) for v in re.findall(r'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"', svg)[0])
    assert 1 < width / height < 2.2, (width, height)
    assert "0" * 52 not in svg


def _lone_services(project: Path, count: int) -> Scene:
    """A project of ``count`` services on one network and no route (sentry's shape)."""
    services = "".join(f"  worker-{i:03d}:\n    image: example.org/app-{i}\n" for i in range(count))
    (project / "compose.yaml").write_text("services:\n" + services)
    a = pipeline.analyse(load([project]))
    return build(a.topo, a.resolved, a.findings, Options(base=str(project)))


def test_mermaid_lays_lone_services_in_rows(tmp_path: Path) -> None:
    """Mermaid stacks boxes that no line touches in one column (sentry: 8,000 px high): invisible links
    chain them into rows of three, after the visible links so that linkStyle indexes stay right."""
    s = _lone_services(tmp_path, 51)
    text = mermaid.render(s)
    lines = text.splitlines()
    rows = [line for line in lines if "~~~" in line]
    assert len(rows) == 51 - 17  # 17 rows of 3: two invisible links each
    first_invisible = lines.index(rows[0])
    styled = [line for line in lines if line.startswith("  linkStyle ")]
    visible = [i for i, line in enumerate(lines) if re.match(r"  \S+ (-->|-\.->|==>|-\.-)", line)]
    assert all(i < first_invisible for i in visible)
    assert len(styled) == len(visible)
    assert "draws readably" not in text
    assert not render.draw(s, "mmd").notes


def test_mermaid_too_big_says_so_and_how_to_narrow(tmp_path: Path) -> None:
    s = _lone_services(tmp_path, mermaid.READABLE_NODES)
    text = mermaid.render(s)
    assert text.splitlines()[1].startswith("%% ") and "--network NAME, --service NAME or --hide-ok" in text
    assert text.splitlines()[2] == "flowchart LR"
    (note,) = render.draw(s, "mmd").notes
    assert "more than Mermaid draws readably" in note and "--hide-ok" in note
    assert not render.draw(_lone_services(tmp_path, mermaid.READABLE_NODES - 3), "mmd").notes


MERMAID_JS = Path("/usr/local/lib/dockernet-test/mermaid/mermaid.min.js")


@pytest.fixture(scope="session")
def mermaid_js() -> Path:
    """Mermaid's browser bundle, the npm package pinned in scripts/test-engine.sh."""
    if not MERMAID_JS.is_file():
        unavailable(f"Mermaid's browser bundle {MERMAID_JS} missing")
    return MERMAID_JS


def _draw_mermaid(chromium: Path, bundle: Path, source: str, tmp_path: Path) -> tuple[float, float]:
    """The size of the SVG that the real Mermaid draws of ``source`` (its viewBox), in headless Chromium."""
    page = tmp_path / "mermaid.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f'<script src="{bundle.as_uri()}"></script></head><body>'
        f'<pre class="mermaid">{escape_html(source)}</pre><script>'
        "mermaid.initialize({startOnLoad:false,maxTextSize:50000});"
        "mermaid.run({querySelector:'.mermaid'}).then(function(){"
        "var b=document.querySelector('pre.mermaid svg').viewBox.baseVal;"
        "document.body.setAttribute('data-drawn',b.width+'x'+b.height);},"
        "function(e){document.body.setAttribute('data-error',String(e&&(e.message||e.str)||e));});</script></body></html>"
    )
    dom = _chromium(
        chromium, tmp_path / "profile", "--virtual-time-budget=30000", "--dump-dom", page.as_uri()
    )
    error = re.search(r'<body data-error="([^"]*)"', dom)
    assert error is None, error[1]
    drawn = re.search(r'<body data-drawn="([0-9.]+)x([0-9.]+)"', dom)
    assert drawn, "Mermaid drew nothing"
    return float(drawn[1]), float(drawn[2])


def test_real_mermaid_draws_every_diagram(tmp_path: Path, chromium_bin: Path, mermaid_js: Path) -> None:
    """The Mermaid text is valid for Mermaid 11 (what GitHub draws with): the goldens, the grid of lone
    boxes (invisible links) and the too-big comment all parse and draw; the lone boxes are a grid, not a
    strip (sentry was one column, 1,940 x 8,033; 51 boxes alone one row, 12,268 x 273)."""
    for name in sorted(FIXTURES):
        _draw_mermaid(chromium_bin, mermaid_js, (GOLDEN / f"{name}.mmd").read_text(), tmp_path)
    width, height = _draw_mermaid(
        chromium_bin, mermaid_js, mermaid.render(_lone_services(tmp_path, 51)), tmp_path
    )
    assert 1 / 4 < height / width < 4, (width, height)  # without the invisible links: 12,268 x 273
    big = mermaid.render(_lone_services(tmp_path, mermaid.READABLE_NODES + 5))
    assert "%% " in big.splitlines()[1]
    _draw_mermaid(chromium_bin, mermaid_js, big, tmp_path)
