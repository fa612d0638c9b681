"""Every hint written as nginx configuration is a working fix.

For every finding of the samples (compose-samples/*/*) and of the shared corpus (optional, as in
tests/corpus/test_corpus.py) whose hint carries edits (:attr:`dockernet.model.findings.Finding.edits`), the
edits are applied to a copy of the project, and then:

(a) the real nginx accepts the patched configuration (``nginx -t``, in the sandbox of
    tests/dialects/nginx/test_differential.py, with the files at the container paths dockernet read them
    from); a hint that needs nginx 1.27.3 or later (``server ... resolve``) is refused by Debian's nginx
    1.22 for exactly that parameter and nothing else, and accepted once the parameter is taken out. When
    nginx already refused the original configuration (semantics newer than 1.22), the patched one must be
    refused for the same reason, not a new one;
(b) the path that reaches the app is unchanged: for a few request paths of every route whose pass was
    edited, dockernet's own mapping (:func:`dockernet.dialects.nginx.locations.passed_path`) gives the same
    upstream path before and after; tests/dialects/nginx/test_hints_real.py checks that mapping against the
    real nginx;
(d) dockernet, run on the patched copy, no longer reports the finding, and reports no error the original
    did not have.

(c) of issue 11, that the route answers once the sample is brought up, is
tests/live/test_hints_live.py (engine), on the ground-truth machinery.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from dockernet import pipeline, rules
from dockernet.dialects import nginx
from dockernet.dialects.base import OverlayTree
from dockernet.dialects.nginx import fix, locate
from dockernet.dialects.nginx.locations import location_matches, passed_path
from dockernet.dialects.nginx.syntax import load
from dockernet.model import Proxy, Route
from dockernet.model.findings import Finding, Severity
from dockernet.model.topology import Topology
from dockernet.pipeline.config import Config
from dockernet.pipeline.requests import ComposeRequest
from dockernet.sources.files import MAX_FILE, HostTree
from dockernet.sources.proxies import _mappings
from tests.corpus.test_corpus import CORPUS, ENTRIES
from tests.dialects.nginx.test_differential import Sandbox, Verdict, certs, isolation, prepare
from tests.samples import all_samples

__all__ = ["certs", "isolation"]  # fixtures, used by name

pytestmark = pytest.mark.nginx


@dataclass(frozen=True)
class Project:
    """What to copy and how to check it, for samples and corpus entries alike."""

    name: str
    root: Path
    dirs: tuple[str, ...] = (".",)
    files: tuple[str, ...] = ()
    env_files: tuple[str, ...] = ()
    nginx: tuple[tuple[str, str], ...] = ()
    add_files: tuple[str, ...] = ()


def projects() -> list[Project]:
    out = []
    for s in all_samples():
        if s.host_proxies:
            continue  # a proxy on the host: tests/live/test_host_proxy.py proves those
        out.append(Project(f"samples/{s.name}", s.path, tuple(os.path.relpath(d, s.path) for d in s.dirs)))
    for e in ENTRIES:
        out.append(
            Project(
                f"corpus/{e.id}",
                CORPUS / e.name,
                () if e.files else (".",),
                e.files,
                e.env_files,
                e.nginx,
                e.add_files,
            )
        )
    return out


PROJECTS = projects()


def load_copy(p: Project, root: Path) -> tuple[Topology, list[Finding]]:
    topology = pipeline.load_static(
        ComposeRequest(
            dirs=tuple(str(root / d) for d in p.dirs),
            files=tuple(str(root / f) for f in p.files),
            env_files=tuple(str(root / f) for f in p.env_files),
            overrides={svc: ("nginx", str(root / path)) for svc, path in p.nginx},
        )
    )
    return topology, list(pipeline.analyse(topology, Config(selected=frozenset(rules.RULES))).findings)


def copy_project(p: Project, base: Path) -> Path:
    """A copy under ``base``, with the same directory name (compose names the project after it)."""
    to = base / p.root.name
    shutil.copytree(p.root, to, symlinks=True)
    for rel in p.add_files:
        (to / rel).write_text("# left out of the corpus\n")
    return to


def proxy_of(topology: Topology, f: Finding) -> Proxy:
    for proxy in topology.proxies:
        if isinstance(proxy, Proxy) and proxy.service == (f.project, f.service):
            return proxy
    raise AssertionError(f"no read proxy {f.project}/{f.service}")


def sandbox(
    p: Project, topology: Topology, proxy: Proxy, root: Path, box_root: Path, certs_: dict[str, bytes]
):
    """A sandbox holding the proxy's files at their container paths, as dockernet read them."""
    project = next(pr for pr in topology.projects if pr.name == proxy.service[0])
    service = project.services[proxy.service[1]]
    image = next((i for i in topology.images if i.service == service.key), None)
    mappings = _mappings(service, image)
    located = nginx.DIALECT.locate(service)
    for svc, path in p.nginx:
        if svc == service.name:
            given = root / path
            place = nginx.DIALECT.override_path(located, given.name, given.read_bytes()[:MAX_FILE])
            mappings.append((place, str(given)))
    tree = HostTree(mappings)
    overlay = dict(locate.render_templates(service, tree))
    if OverlayTree(tree, overlay).read(located.entry) is None:
        overlay[locate.MAIN] = ("<image>", locate.IMAGE_MAIN)
    box = Sandbox(box_root)
    for cpath, host in mappings:
        if os.path.exists(host):
            box.copy_in(cpath, host)
    for cpath, (_shown, data) in overlay.items():
        box.place(cpath, data)
    conf = load(located.entry, OverlayTree(tree, overlay))
    prepare(box, conf, certs_)
    return box, located.entry, tree


def verdict(p: Project, root: Path, f: Finding, box_root: Path, certs_: dict[str, bytes]) -> Verdict:
    topology, _ = load_copy(p, root)
    box, entry, tree = sandbox(p, topology, proxy_of(topology, f), root, box_root, certs_)
    return box.test(entry, tree, dump=False)


REQUEST_SUFFIXES = ("", "users", "users/1", "a.b/c%20d", "x/")


def request_paths(route: Route) -> list[str]:
    """A few request paths the route's location serves."""
    where = route.match.path or "/"
    m = re.match(r"^(?:\^~\s*|=\s*)?(/\S*)$", where)
    base = m.group(1) if m else "/"
    paths = [base + s for s in REQUEST_SUFFIXES]
    paths.append(base.rstrip("/") or "/")
    return [x for x in dict.fromkeys(paths) if location_matches(route.match.path, x)]


def mapping(proxy: Proxy, route: Route, path: str) -> str | None:
    directives = proxy.syntax.directives if isinstance(proxy.syntax, nginx.Syntax) else ()
    found = fix.find(directives, route.match.loc.file, route.match.loc.line, "location")
    return passed_path(found[0] if found else None, route.forward, path)


@dataclass
class Tally:
    """Counts for the summary line (-s)."""

    hints: list[str] = field(default_factory=list)
    accepted: int = 0
    """Accepted (or refused as the original was)."""
    resolve_only: int = 0
    same_refusal: int = 0
    paths: int = 0
    no_uri: int = 0
    words_only: dict[str, int] = field(default_factory=dict)


TALLY = Tally()


@pytest.mark.parametrize("project", PROJECTS, ids=[p.name for p in PROJECTS])
def test_hints_apply(project: Project, certs: dict[str, bytes], tmp_path: Path) -> None:
    original = copy_project(project, tmp_path / "a")
    topology, findings = load_copy(project, original)
    for f in findings:
        if not f.edits and ("replace `" in f.hint or f.rule == "DN301"):
            TALLY.words_only[f.rule] = TALLY.words_only.get(f.rule, 0) + 1
    errors_before = {
        (os.path.relpath(f.loc.file, original), f.loc.line, f.rule)
        for f in findings
        if f.severity is Severity.ERROR
    }
    base_verdict: Verdict | None = None
    for i, f in enumerate(x for x in findings if x.edits):
        name = f"{project.name} {f.rule} {os.path.relpath(f.loc.file, original)}:{f.loc.line}"
        TALLY.hints.append(name)
        if base_verdict is None:
            base_verdict = verdict(project, original, f, tmp_path / "box-a", certs)
        patched = copy_project(project, tmp_path / f"b{i}")
        for file in {e.loc.file for e in f.edits}:
            target = patched / os.path.relpath(file, original)
            target.write_bytes(fix.apply(Path(file).read_bytes(), file, f.edits))

        # (a) the real nginx accepts it
        after = verdict(project, patched, f, tmp_path / f"box-b{i}", certs)
        if not after.ok and after.message == 'invalid parameter "resolve"':
            # nginx 1.27.3+ only: the same files without the parameter must get the original's verdict.
            for file in {e.loc.file for e in f.edits}:
                target = patched / os.path.relpath(file, original)
                target.write_bytes(target.read_bytes().replace(b" resolve;", b";"))
            after = verdict(project, patched, f, tmp_path / f"box-c{i}", certs)
            TALLY.resolve_only += 1
            for file in {e.loc.file for e in f.edits}:
                target = patched / os.path.relpath(file, original)
                target.write_bytes(fix.apply(Path(file).read_bytes(), file, f.edits))
        if base_verdict.ok:
            assert after.ok, (name, f.hint, after)
            TALLY.accepted += 1
        else:
            assert (after.ok, after.message) == (False, base_verdict.message), (name, base_verdict, after)
            TALLY.same_refusal += 1

        # (b) the path that reaches the app is unchanged
        topology_b, findings_b = load_copy(project, patched)
        before_proxy, after_proxy = proxy_of(topology, f), proxy_of(topology_b, f)
        edited = {(os.path.relpath(e.loc.file, original), e.loc.line) for e in f.edits}
        after_routes = {
            (os.path.relpath(r.match.loc.file, patched), r.match.loc.line): r for r in after_proxy.routes
        }
        for route in before_proxy.routes:
            lines = {
                (os.path.relpath(u.loc.file, original), u.loc.line) for u in (route.forward, *route.upstreams)
            }
            if not lines & edited:
                continue
            other = after_routes.get((os.path.relpath(route.match.loc.file, original), route.match.loc.line))
            assert other is not None, (name, route.title)
            for path in request_paths(route):
                want = mapping(before_proxy, route, path)
                got = mapping(after_proxy, other, path)
                if want is None and route.forward.path is None and other.forward.path is None:
                    # No URI part before or after: nginx sends the request's URI (as the client sent it,
                    # or as the location's own rewrites changed it) either way.
                    TALLY.no_uri += 1
                    continue
                assert want is not None and got == want, (name, route.title, path, want, got)
                TALLY.paths += 1

        # (d) the finding is gone, and no new error
        gone = [
            g
            for g in findings_b
            if g.rule == f.rule
            and (os.path.relpath(g.loc.file, patched), g.loc.line)
            == (os.path.relpath(f.loc.file, original), f.loc.line)
            and g.address == f.address
        ]
        assert not gone, (name, [g.hint for g in gone])
        errors_after = {
            (os.path.relpath(g.loc.file, patched), g.loc.line, g.rule)
            for g in findings_b
            if g.severity is Severity.ERROR
        }
        assert errors_after <= errors_before, (name, errors_after - errors_before)


def test_summary() -> None:
    """How many hints were applied and checked (``pytest -s`` prints it)."""
    print(
        f"\nhints applied: {len(TALLY.hints)}; nginx -t: {TALLY.accepted} accepted, {TALLY.same_refusal} "
        f"refused as the original was ({TALLY.resolve_only} checked with the 'resolve' of nginx 1.27.3+ "
        f"taken out); request paths: {TALLY.paths} mapped the same, {TALLY.no_uri} passed without URI "
        f"part either way; hints in words only: {TALLY.words_only}"
    )
