"""The HAProxy reader against the real binary: for every HAProxy sample and corpus config, ``haproxy -c``
accepts the file exactly when dockernet says HAProxy starts (no DN701, no server name that stops it).

``haproxy -c`` resolves server names with libc, as HAProxy does when it starts. It runs here in a network
namespace of its own (``unshare --net``, nothing but a loopback that is down, so no DNS query leaves this
machine) with ``/etc/hosts`` bound over by a file that holds exactly the names dockernet says the proxy
resolves (each given an address of 10.99.0.0/16): what the binary then accepts depends only on the
configuration and on dockernet's name resolution. Debian's ``/usr/sbin/haproxy`` (2.6), installed by
scripts/test-engine.sh; skipped without it or without root.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from dockernet import pipeline, rules
from dockernet.analysis.resolve import Kind
from dockernet.dialects import haproxy
from dockernet.model import Lookup, Proxy
from dockernet.pipeline.config import Config
from dockernet.pipeline.requests import ComposeRequest
from tests.conftest import REPO, SHARED

HAPROXY = Path("/usr/sbin/haproxy")
DIRS = sorted(p.parent for p in (REPO / "compose-samples").glob("*/*/haproxy.cfg"))
CORPUS = sorted(p.parent.parent for p in (SHARED / "corpus").glob("*/haproxy/haproxy.cfg"))


def _tools() -> None:
    if not HAPROXY.exists() or shutil.which("unshare") is None or os.geteuid() != 0:
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail("haproxy or unshare missing, or not root: run scripts/test-engine.sh")
        pytest.skip("needs /usr/sbin/haproxy (scripts/test-engine.sh), unshare and root")


def verdict(directory: Path) -> tuple[bool, list[str], list[Path]]:
    """(dockernet says HAProxy starts, names it resolves, config files)."""
    topology = pipeline.load_static(ComposeRequest(dirs=(str(directory),)))
    analysis = pipeline.analyse(topology, Config(selected=frozenset(rules.RULES)))
    proxies = [p for p in topology.proxies if isinstance(p, Proxy) and p.dialect == "haproxy"]
    assert len(proxies) == 1, topology.proxies
    proxy = proxies[0]
    syntax = proxy.syntax
    assert isinstance(syntax, haproxy.Syntax)
    starts = not syntax.refusals
    names: set[str] = set()
    for res in analysis.resolved.resolutions:
        if res.host is None:
            continue
        if res.kind in (Kind.SERVICE, Kind.ETC_HOSTS, Kind.HOST):
            names.add(res.host)
        elif (
            res.kind is Kind.NOT_FOUND
            and res.upstream.lookup is Lookup.STARTUP
            and res.upstream.id not in syntax.tolerant
        ):
            starts = False
    return starts, sorted(names), [Path(f) for f in proxy.files]


def haproxy_check(files: list[Path], names: list[str], tmp: Path) -> subprocess.CompletedProcess[str]:
    hosts = tmp / "hosts"
    lines = ["127.0.0.1 localhost", "::1 localhost"]
    lines += [f"10.99.{i // 250}.{i % 250 + 1} {n}" for i, n in enumerate(names)]
    hosts.write_text("\n".join(lines) + "\n")
    args = " ".join(f"-f {f}" for f in files)
    script = f"mount --bind {hosts} /etc/hosts && exec {HAPROXY} -c -q {args}"
    return subprocess.run(
        ["unshare", "--mount", "--net", "sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        stdin=subprocess.DEVNULL,
        env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
    )


def _compare(directory: Path, tmp_path: Path) -> None:
    _tools()
    starts, names, files = verdict(directory)
    done = haproxy_check([directory / f.name if not f.is_absolute() else f for f in files], names, tmp_path)
    assert (done.returncode == 0) == starts, (
        f"dockernet says {'starts' if starts else 'refused'}; "
        f"haproxy -c exit {done.returncode}:\n{done.stderr}"
    )


@pytest.mark.parametrize("directory", DIRS, ids=[f"{d.parent.name}/{d.name}" for d in DIRS])
def test_samples(directory: Path, tmp_path: Path) -> None:
    _compare(directory, tmp_path)


@pytest.mark.parametrize("directory", CORPUS, ids=[d.name for d in CORPUS])
def test_corpus(directory: Path, tmp_path: Path) -> None:
    if not (SHARED / "corpus").is_dir():
        pytest.skip(f"the shared corpus is absent ({SHARED / 'corpus'})")
    _compare(directory, tmp_path)


def test_there_are_samples() -> None:
    assert len(DIRS) >= 12
