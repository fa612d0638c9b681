"""dockernet's Caddy reader, proven against the real Caddy (the ``caddy`` binary that scripts/test-engine.sh
installs, the version of the test image).

For every Caddyfile in compose-samples/ (with its caddy service's environment), in the shared corpus, and
in the inline cases below, ``caddy adapt`` turns it into Caddy's JSON and:

(a) Caddy refuses it exactly when dockernet does (an InputError, or a refusal that DN601 reports), and the
    line Caddy names is one dockernet reports (Caddy stops at its first refusal, in its own order; inside a
    nested block Caddy names the block's last line, so there only the refusal itself is compared);
(b) otherwise the ``reverse_proxy`` upstream dials of the JSON equal dockernet's upstreams (host:port or
    ``unix//path``; placeholders left to run time are counted apart), the servers' listen ports equal the
    proxy's, the site host names equal dockernet's sites', and every path dockernet gives a route is a path
    matcher in the JSON.

``caddy adapt`` only translates: it starts no server, asks no ACME CA and sends nothing anywhere, so the
inline cases may name public hosts. It runs with only the case's environment (plus PATH and a temporary
HOME).
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from dockernet import pipeline
from dockernet.dialects import caddy
from dockernet.errors import DockernetError, InputError
from dockernet.model import Loc, Proxy, Service
from dockernet.pipeline.requests import ComposeRequest
from dockernet.sources.files import HostTree
from tests.conftest import REPO, SHARED, unavailable

CADDY = Path("/usr/local/lib/dockernet-test/bin/caddy")
SAMPLES = REPO / "compose-samples"
CORPUS = SHARED / "corpus"
HEAD = "{\n\tauto_https off\n\tadmin off\n}\n"


@dataclass(frozen=True)
class Case:
    name: str
    text: str
    env: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    source: Path | None = None
    """The directory that holds the Caddyfile and what it imports (copied as /etc/caddy)."""


INLINE = [
    Case(
        "forms",
        HEAD + ":80, http://app.test:8080 {\n\treverse_proxy a:1 b\n\treverse_proxy /h* h2c://g:5\n"
        "\treverse_proxy /s* https://s https://t:8443\n\treverse_proxy /u* unix//run/a.sock [::1]:9\n"
        "\treverse_proxy /r* app:8000-8002\n\tphp_fastcgi /p* php:9000 php2\n}\n",
    ),
    Case(
        "blocks",
        HEAD + ":80 {\n\thandle_path /api/* {\n\t\treverse_proxy api:3000\n\t}\n\thandle /x/* {\n"
        "\t\troute /x/y* {\n\t\t\treverse_proxy {\n\t\t\t\tto a:1 b:2\n\t\t\t\tto c:3\n\t\t\t}\n\t\t}\n\t}\n"
        "\t@named path /n/*\n\treverse_proxy @named n:1\n}\n",
    ),
    Case(
        "snippets",
        HEAD + "(up) {\n\treverse_proxy {args[0]}:{args[1]}\n}\n:80 {\n\timport up app 3000\n"
        "\timport sites/*.caddy\n}\n",
        files={
            "sites/a.caddy": "reverse_proxy /a/* a:1\n",
            "sites/b.caddy": "handle /b/* {\n\treverse_proxy b\n}\n",
        },
    ),
    Case(
        "env",
        HEAD + "{$SITE} {\n\treverse_proxy {$UP} {$DEF:d:7}\n\treverse_proxy /e* {env.BACK}\n}\n",
        env={"SITE": ":8081", "UP": "a:1 b:2", "BACK": "back:81"},
    ),
    Case("env-unset", HEAD + ":80 {\n\treverse_proxy {$UPSTREAM}\n}\n"),
    Case(
        "lexer",
        HEAD + ':80 {\n\treverse_proxy "a:1" `b:2` \\\n\t\tc:3 # d:4\n\trespond <<EOF\n\t\thi\n\t\tEOF\n'
        "\treverse_proxy /z* z:9\n}\n",
    ),
    Case(
        "sites",
        "a.example.com, b.example.com:8443 {\n\treverse_proxy a:1\n}\nhttp://c.example.com {\n}\n"
        "localhost {\n\ttls internal\n}\n",
    ),
    Case("no-braces", ":80\nreverse_proxy app:3000\n"),
    Case("global-ports", "{\n\thttp_port 8080\n\tauto_https off\n}\nhttp:// {\n\treverse_proxy a:1\n}\n"),
    Case("refused-path", HEAD + ":80 {\n\treverse_proxy http://app:3000/api\n}\n"),
    Case("refused-query", HEAD + ":80 {\n\treverse_proxy /q* http://app:3000?x=1\n}\n"),
    Case("refused-ws", HEAD + ":80 {\n\treverse_proxy ws://app\n}\n"),
    Case("refused-mixed", HEAD + ":80 {\n\treverse_proxy http://a b\n}\n"),
    Case("refused-mixed-to", HEAD + ":80 {\n\treverse_proxy {\n\t\tto https://a\n\t\tto unix//x\n\t}\n}\n"),
    Case("refused-placeholder", HEAD + ":80 {\n\treverse_proxy https://{env.X}\n}\n"),
    Case("refused-scheme", HEAD + ":80 {\n\treverse_proxy ftp://a\n}\n"),
    Case("refused-directive", HEAD + ":80 {\n\treverse_prxy app:3000\n}\n"),
    Case("refused-eof", HEAD + ":80 {\n\treverse_proxy app\n"),
    Case("refused-brace", HEAD + ":80 {\n}\n}\n"),
    Case("refused-import", HEAD + ":80 {\n\timport nope.caddy\n}\n"),
    Case("refused-snippet", "(a) {\n}\n(a) {\n}\n"),
    Case("refused-import-self", ":80 {\n\timport Caddyfile\n}\n"),
    Case("refused-import-cycle", ":80 {\n\timport b\n}\n", files={"b": "import Caddyfile\n"}),
    Case("refused-snippet-cycle", "(s) {\n\timport s\n}\n:80 {\n\timport s\n}\n"),
    Case(
        "snippet-in-snippet",
        HEAD + "(a) {\n\treverse_proxy a:1\n}\n(b) {\n\timport a\n\treverse_proxy /b* b:2\n}\n"
        ":80 {\n\timport b\n}\n",
    ),
]


def _environment(project_dir: Path) -> dict[str, str]:
    """The environment compose gives the Caddy service of a project (empty when it does not load)."""
    try:
        topology = pipeline.load_static(ComposeRequest(dirs=(str(project_dir),)))
    except DockernetError:
        return {}
    return {
        k: v
        for p in topology.projects
        for s in p.services.values()
        if caddy.DIALECT.claims(s)
        for k, v in s.environment.items()
        if v is not None
    }


def file_cases() -> list[Case]:
    out = []
    for path in sorted(SAMPLES.glob("*/*/Caddyfile")):
        name = f"{path.parent.parent.name}/{path.parent.name}"
        out.append(Case(name, path.read_text(), _environment(path.parent), source=path.parent))
    if CORPUS.is_dir():
        for project in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
            for path in sorted(project.rglob("*")):
                if path.is_file() and path.name.lower() == "caddyfile":
                    name = f"corpus/{path.relative_to(CORPUS)}"
                    out.append(Case(name, path.read_text(), _environment(project), source=path.parent))
    return out


CASES = INLINE + file_cases()


@pytest.fixture(scope="session")
def caddy_bin() -> Path:
    try:
        ok = (
            subprocess.run([str(CADDY), "version"], capture_output=True, timeout=30, check=False).returncode
            == 0
        )
    except OSError:
        ok = False
    if not ok:
        unavailable(f"caddy binary {CADDY} missing or broken")
    return CADDY


def _materialise(case: Case, root: Path) -> Path:
    etc = root / "etc/caddy"
    if case.source is not None:
        shutil.copytree(case.source, etc)
    else:
        etc.mkdir(parents=True)
    (etc / "Caddyfile").write_text(case.text)
    for name, body in case.files.items():
        (etc / name).parent.mkdir(parents=True, exist_ok=True)
        (etc / name).write_text(body)
    return etc


def _adapt(caddy_bin: Path, etc: Path, env: dict[str, str], home: Path) -> tuple[dict[str, Any] | None, str]:
    done = subprocess.run(
        [str(caddy_bin), "adapt", "--config", str(etc / "Caddyfile"), "--adapter", "caddyfile"],
        capture_output=True,
        timeout=60,
        check=False,
        cwd=etc,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(home), **env},
    )
    if done.returncode != 0:
        return None, done.stderr.decode("utf-8", "replace")
    return json.loads(done.stdout), ""


def _error_line(stderr: str) -> int:
    """The line Caddy names first: ``..., at FILE:LINE`` or ``FILE:LINE: ...``."""
    m = re.search(r"(?:at |\")[^\s,\"]*?:(\d+)(?:[,\s:\"]|$)", stderr)
    return int(m.group(1)) if m else 0


def _walk(node: Any, dials: list[str], hosts: set[str], paths: set[str]) -> None:
    if isinstance(node, dict):
        if node.get("handler") == "reverse_proxy":
            dials.extend(str(u.get("dial", "")) for u in node.get("upstreams") or [])
            if "dynamic_upstreams" in node:
                dials.append("{dynamic}")
        for key, value in node.items():
            if key == "host" and isinstance(value, list):
                hosts.update(value)
            elif key == "path" and isinstance(value, list):
                paths.update(value)
            else:
                _walk(value, dials, hosts, paths)
    elif isinstance(node, list):
        for item in node:
            _walk(item, dials, hosts, paths)


def _ours(proxy: Proxy) -> list[str]:
    out = []
    for route in proxy.routes:
        for u in route.upstreams:
            if u.dynamic or u.variables:
                out.append("{dynamic}")
            elif u.unix_path is not None:
                out.append("unix/" + u.unix_path)
            elif u.host and ":" in u.host and "/" not in u.host:
                out.append(f"[{u.host}]:{u.port}")
            else:
                out.append(f"{u.host}:{u.port}")
    return out


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_reader_agrees_with_caddy_adapt(case: Case, caddy_bin: Path, tmp_path: Path) -> None:
    etc = _materialise(case, tmp_path / "root")
    adapted, stderr = _adapt(caddy_bin, etc, case.env, tmp_path)
    svc = Service(
        project="p", name="caddy", loc=Loc("compose.yaml", 1), image="caddy:2", environment=case.env
    )
    located = caddy.DIALECT.locate(svc)
    try:
        proxy = caddy.DIALECT.read(svc, HostTree([("/etc/caddy", str(etc))]), located, "test", at_start=True)
    except InputError as e:
        assert adapted is None, f"dockernet refuses ({e}), caddy adapt accepts"
        assert _error_line(stderr) in (0, e.line), stderr
        return
    assert isinstance(proxy, Proxy)
    syntax = proxy.syntax
    assert isinstance(syntax, caddy.Syntax)
    if adapted is None:
        assert syntax.refusals, f"caddy adapt refuses, dockernet accepts: {stderr}"
        # Caddy names the first refusal in its own order (not always the file's); dockernet reports them all.
        # Inside a block Caddy names where the block ends, not the line of the refused token: only whether
        # it refuses is compared there.
        nested = any(
            f"parsing caddyfile tokens for '{b}'" in stderr for b in ("handle", "handle_path", "route")
        )
        if not nested:
            assert _error_line(stderr) in {0, *(r.loc.line for r in syntax.refusals)}, stderr
        return
    assert not syntax.refusals, f"dockernet refuses {syntax.refusals}, caddy adapt accepts"
    dials: list[str] = []
    hosts: set[str] = set()
    paths: set[str] = set()
    _walk(adapted, dials, hosts, paths)
    # Caddy copies a site's routes into each server it listens on: compare the sets of dials.
    assert set(_ours(proxy)) == {"{dynamic}" if "{" in d else d for d in dials}
    servers = (((adapted.get("apps") or {}).get("http") or {}).get("servers")) or {}
    listens = {int(a.rsplit(":", 1)[1]) for s in servers.values() for a in s.get("listen", [])}
    assert set(proxy.listens) == listens
    assert {s.host for s in syntax.sites if s.host} == hosts
    ours_paths = {r.match.path for r in proxy.routes if r.match.path and r.match.path.startswith("/")}
    assert ours_paths <= paths


# A seeded fuzz corpus: Caddyfiles built from the forms real ones use (and some Caddy refuses), so that the
# refusals and the dials are compared beyond what the samples contain.
_UPSTREAMS = (
    "app",
    "app:1",
    "http://app:2",
    "https://s",
    "h2c://g:3",
    "unix//run/x.sock",
    "app:10-12",
    "[::1]:4",
    "http://app:3/p",
    "ws://w",
    "{env.X}",
    '"q:5"',
    "{$E}",
    "{$E:d:6}",
    "app:3000/api",
    "{$UNSET}",
    "localhost:7",
    "ftp://f",
)
_MATCHERS = ("", "", "/a/*", "*", "@m", "/b")
_ADDRESSES = (":80", "http://a.test", "a.test:8080", ":8081, :8082", "http://b.test, http://c.test:9090")


def _fuzz_directive(rng: random.Random, depth: int) -> list[str]:
    pad = "\t" * (depth + 1)
    kind = rng.random()
    if kind < 0.5:
        ups = " ".join(rng.choice(_UPSTREAMS) for _ in range(rng.randint(0, 2)))
        head = " ".join(x for x in ("reverse_proxy", rng.choice(_MATCHERS), ups) if x)
        if rng.random() < 0.2:
            return [f"{pad}{head} {{", f"{pad}\tto {rng.choice(_UPSTREAMS)}", f"{pad}}}"]
        return [pad + head]
    if kind < 0.6:
        return [f"{pad}php_fastcgi {rng.choice(_UPSTREAMS)}"]
    if kind < 0.75 and depth < 2:
        name = rng.choice(("handle", "handle_path", "route"))
        matcher = rng.choice(("/h/*", "/p*", "")) if name != "handle_path" else "/hp/*"
        inner = [line for _ in range(rng.randint(1, 2)) for line in _fuzz_directive(rng, depth + 1)]
        return [f"{pad}{name} {matcher} {{".replace("  ", " "), *inner, f"{pad}}}"]
    if kind < 0.8:
        return [f'{pad}respond "ok # not a comment" 200 # a comment']
    if kind < 0.85:
        return [f"{pad}reverse_proxy /c* a:1 \\", f"{pad}\tb:2"]
    if kind < 0.9:
        return [f"{pad}{rng.choice(('encode gzip', 'file_server', 'header X-A b', 'frobnicate on'))}"]
    return [f"{pad}@m path /m/*"]


def fuzz_cases(n: int = 150, seed: int = 20260101) -> list[Case]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        lines = [HEAD.rstrip("\n")] if rng.random() < 0.9 else []
        if rng.random() < 0.3:
            lines += ["(snip) {", "\treverse_proxy {args[0]}:3000", "}"]
        for _ in range(rng.randint(1, 2)):
            lines.append(f"{rng.choice(_ADDRESSES)} {{")
            if "(snip)" in lines and rng.random() < 0.5:
                lines.append("\timport snip api")
            for _ in range(rng.randint(1, 4)):
                lines += _fuzz_directive(rng, 0)
            lines.append("}")
        if rng.random() < 0.05:
            lines.append(rng.choice(("}", "{", ":80 {")))
        out.append(Case(f"fuzz-{i:03d}", "\n".join(lines) + "\n", env={"E": "e:8 f:9", "X": "x:10"}))
    return out


FUZZ = fuzz_cases()


@pytest.mark.parametrize("case", FUZZ, ids=[c.name for c in FUZZ])
def test_fuzz_agrees_with_caddy_adapt(case: Case, caddy_bin: Path, tmp_path: Path) -> None:
    test_reader_agrees_with_caddy_adapt(case, caddy_bin, tmp_path)
