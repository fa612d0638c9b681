"""dockernet's nginx reader, proven against the real nginx (Debian's /usr/sbin/nginx).

docs/nginx-reader.md states what this proves and what it does not. In short, for every nginx config in
compose-samples/ and in the shared corpus (and any file listed in $DOCKERNET_NGINX_SAMPLES, separated by
os.pathsep):

(a) nginx reads the same files in the same order as dockernet (``# configuration file`` headers of
    ``nginx -T``), and the bytes it dumps are the bytes dockernet parsed;
(b) nginx refuses a config for its syntax or includes exactly when dockernet raises InputError, with the
    same message at the same file and line; a list of deliberately broken configs and a seeded fuzz corpus
    (quotes, escapes, comments, ``${``, the 4096-byte buffer) extend this beyond what real configs contain;
(c) token values: nginx echoes every token of every accepted config back over HTTP (``default_type
    <raw token bytes>`` answers ``Content-Type: <value>``), and the value equals dockernet's; the bytes
    between tokens are only blanks, comments and ``;{}``; and dockernet's tree, re-emitted as a canonical
    config with every word quoted, is accepted by nginx and parses back to the identical tree.

nginx runs in a private mount and network namespace (``unshare -m -n``) chrooted into a temporary root
that holds the config at its container paths; the machine's /usr is bind-mounted read-only. Names that
nginx resolves at load time are answered by that root's /etc/hosts (127.0.0.1; ``hosts: files`` only, so
no DNS query leaves), added one by one as nginx reports them. The echo server listens on a unix socket
only. Nothing is sent anywhere, and nothing outside the temporary root is written.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import pytest

from dockernet.dialects.nginx.directives import DEBIAN_1_22
from dockernet.dialects.nginx.locate import IMAGE_CMD_GLOBALS
from dockernet.dialects.nginx.syntax import Directive, NginxConfig, load, own_limit, parse_text, tokenize
from dockernet.dialects.nginx.validate import Refusal, first_refusal
from dockernet.errors import InputError
from dockernet.model import Loc
from dockernet.sources.files import HostTree
from tests.conftest import REPO, SHARED

pytestmark = pytest.mark.nginx

SAMPLES = REPO / "compose-samples"
CORPUS = SHARED / "corpus"
NGINX = "/usr/sbin/nginx"
# Corpus files that are nginx configs without a .conf name (shared/corpus/INDEX.md rows 1, 3, 33).
CORPUS_EXTRA = (
    "docker__awesome-compose__nginx-aspnet-mysql/proxy/conf",
    "docker__awesome-compose__nginx-flask-mysql/proxy/conf",
    "plausible__community-edition__reverse-proxy_nginx-host/reverse-proxy/nginx/plausible",
)
MAIN_CONTEXT = frozenset(
    {"events", "http", "stream", "mail", "worker_processes", "user", "pid", "load_module"}
)
# Messages dockernet reproduces (the tokenizer, the ";"/"{" checks and includes); anything else nginx says
# is about directive semantics, which dockernet does not check.
SYNTAX = re.compile(
    r'^(unexpected |too long parameter|directive "[^"]+" (has no opening|is not terminated)'
    r'|invalid number of arguments in "include"|open\(\) "|pread\(\) ")'
)
# Refusals that are dockernet's own limits, not nginx's (documented in docs/nginx-reader.md).
OWN_LIMITS = re.compile(r"^(file too large|not a text file|more than \d+|nested more than|\"[^\"]+\": Lua)")
# nginx stops at its first error; a message may hold a newline (the 10 bytes of "too long parameter").
EMERG_AT = re.compile(rb"\[(?:emerg|crit|alert)\] (?:\d+#\d+: )?(.*) in (/[^\n]*):(\d+)\n", re.S)
EMERG = re.compile(rb"\[(?:emerg|crit|alert)\] (?:\d+#\d+: )?([^\n]*)\n")


# ------------------------------------------------------------------------------------------ nginx runs


@dataclass(frozen=True)
class Verdict:
    """What nginx said about a config."""

    ok: bool
    message: str | None = None
    file: str | None = None
    """Container path, when nginx names one."""
    line: int | None = None
    crashed: bool = False
    stdout: bytes = b""


def _verdict(proc: subprocess.CompletedProcess[bytes]) -> Verdict:
    if proc.returncode < 0 or proc.returncode >= 128:
        return Verdict(ok=False, crashed=True)
    if proc.returncode == 0:
        return Verdict(ok=True, stdout=proc.stdout)
    m = EMERG_AT.search(proc.stderr)
    if m is not None:
        msg = m.group(1).decode("utf-8", "backslashreplace")
        return Verdict(False, msg, m.group(2).decode("utf-8", "surrogateescape"), int(m.group(3)))
    m = EMERG.search(proc.stderr)
    assert m is not None, proc.stderr.decode(errors="replace")
    return Verdict(False, m.group(1).decode("utf-8", "backslashreplace"))


def visible(tree: HostTree, container_path: str) -> bool:
    """Whether dockernet can see a path (a missing file in a mounted directory counts as seen)."""
    try:
        return tree.read(container_path) is not None
    except OSError:
        return True


@dataclass
class Sandbox:
    """A throwaway root that nginx is chrooted into, inside private mount and network namespaces."""

    root: Path
    hosts: list[str] = field(default_factory=list)
    users: set[str] = field(default_factory=lambda: {"nginx", "www-data", "nobody"})

    def __post_init__(self) -> None:
        for d in (
            "usr",
            "proc",
            "dev",
            "tmp",
            "etc/nginx",
            "run",
            "var/log/nginx",
            "var/lib/nginx",
            "var/cache/nginx",
        ):
            (self.root / d).mkdir(parents=True, exist_ok=True)
        for name in ("bin", "sbin", "lib", "lib64", "lib32", "libx32"):
            if os.path.islink(f"/{name}"):
                os.symlink(os.readlink(f"/{name}"), self.root / name)
        os.symlink("../run", self.root / "var/run")
        shutil.copy("/etc/ld.so.cache", self.root / "etc/ld.so.cache")
        (self.root / "etc/nsswitch.conf").write_text("passwd: files\ngroup: files\nhosts: files\n")
        os.mknod(self.root / "dev/null", 0o666 | 0o020000, os.makedev(1, 3))
        for fd, name in ((1, "stdout"), (2, "stderr")):
            os.symlink(f"/proc/self/fd/{fd}", self.root / "dev" / name)
        self.write_etc()

    def write_etc(self) -> None:
        users = ["root:x:0:0::/root:/bin/sh"] + [
            f"{u}:x:{100 + i}:{100 + i}::/:/bin/false" for i, u in enumerate(sorted(self.users))
        ]
        groups = ["root:x:0:", "nogroup:x:65534:"] + [
            f"{u}:x:{100 + i}:" for i, u in enumerate(sorted(self.users))
        ]
        (self.root / "etc/passwd").write_text("\n".join(users) + "\n")
        (self.root / "etc/group").write_text("\n".join(groups) + "\n")
        lines = ["127.0.0.1 localhost", "::1 localhost ip6-localhost"] + [
            f"127.0.0.1 {h}" for h in self.hosts
        ]
        (self.root / "etc/hosts").write_text("\n".join(lines) + "\n")

    def path(self, container_path: str) -> Path:
        return self.root / container_path.lstrip("/")

    def place(self, container_path: str, data: bytes) -> None:
        target = self.path(container_path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def copy_in(self, container_path: str, host_path: str) -> None:
        target = self.path(container_path)
        if os.path.isdir(host_path):
            shutil.copytree(host_path, target, symlinks=True, dirs_exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(host_path, target)

    def argv(self, nginx_args: Sequence[str]) -> list[str]:
        script = (
            'R="$1"; shift; set -e; mount --bind /usr "$R/usr"; mount -o remount,ro,bind "$R/usr"; '
            'mount --bind /proc "$R/proc"; exec chroot "$R" "$@"'
        )
        return ["unshare", "-m", "-n", "sh", "-c", script, "sh", str(self.root), NGINX, *nginx_args]

    def run(self, nginx_args: Sequence[str]) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(self.argv(nginx_args), capture_output=True, timeout=60, check=False)

    def test(self, conf: str, tree: HostTree, dump: bool = True) -> Verdict:
        """``nginx -T`` (or -t), adding /etc/hosts names and empty stand-ins for the image's own include
        files (mime.types...) as nginx asks for them."""
        for _ in range(200):
            verdict = _verdict(self.run(["-T" if dump else "-t", "-c", conf]))
            if verdict.ok or verdict.message is None:
                return verdict
            host = re.match(r'host not found in (?:upstream |resolver )?"([^"]+)"', verdict.message)
            missing = re.match(r'open\(\) "([^"]+)" failed \(2: ', verdict.message)
            if host:
                name = host.group(1)
                name = name.rsplit(":", 1)[0] if ":" in name and not name.startswith("[") else name
                if name in self.hosts:
                    return verdict
                self.hosts.append(name)
                self.write_etc()
            elif missing and not visible(tree, missing.group(1)) and not self.path(missing.group(1)).exists():
                self.place(missing.group(1), b"")  # inside the image in real life
            else:
                return verdict
        raise AssertionError("nginx kept asking for more")


def unavailable(what: str, detail: str) -> NoReturn:
    """Skip for lack of a tool, or fail under CI=true (as tests/conftest.py does for its fixtures)."""
    if os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}:
        pytest.fail(f"{what} ({detail}); CI=true, so the machine should provide it", pytrace=False)
    pytest.skip(f"{what}: {detail}")


@pytest.fixture(scope="session")
def isolation(nginx_bin: Path) -> None:
    """Private mount and network namespaces (root, util-linux unshare), where nginx runs."""
    try:
        done = subprocess.run(["unshare", "-m", "-n", "true"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        unavailable("cannot create namespaces with unshare", str(e))
    if done.returncode != 0 or shutil.which("openssl") is None:
        detail = done.stderr.decode(errors="replace").strip() or "openssl missing"
        unavailable("cannot create namespaces with unshare, or no openssl", detail)


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory, isolation: None) -> dict[str, bytes]:
    """A throwaway self-signed certificate, its key and DH parameters, for ssl_* file directives."""
    d = tmp_path_factory.mktemp("certs")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            d / "key",
            "-out",
            d / "cert",
            "-days",
            "2",
            "-subj",
            "/CN=dockernet-test",
        ],
        capture_output=True,
        check=True,
        timeout=60,
    )
    subprocess.run(
        [
            "openssl",
            "genpkey",
            "-genparam",
            "-algorithm",
            "DH",
            "-pkeyopt",
            "dh_param:ffdhe2048",
            "-out",
            d / "dh",
        ],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return {name: (d / name).read_bytes() for name in ("cert", "key", "dh")}


SSL_FILES = {
    "ssl_certificate": "cert",
    "ssl_trusted_certificate": "cert",
    "ssl_client_certificate": "cert",
    "proxy_ssl_certificate": "cert",
    "proxy_ssl_trusted_certificate": "cert",
    "ssl_certificate_key": "key",
    "proxy_ssl_certificate_key": "key",
    "ssl_dhparam": "dh",
}


def walk(directives: Sequence[Directive]) -> Iterator[Directive]:
    for d in directives:
        yield d
        if d.block:
            yield from walk(d.block)


def prepare(box: Sandbox, conf: NginxConfig | None, certs: dict[str, bytes]) -> None:
    """Files nginx opens at load time besides the config: certificates, log and temp directories."""
    if conf is None:
        return
    for d in walk(conf.directives):
        arg = d.args[0] if d.args else ""
        if "$" in arg or arg.startswith("data:"):
            continue
        full = arg if arg.startswith("/") else "/etc/nginx/" + arg
        if d.name in SSL_FILES and not box.path(full).exists():
            box.place(full, certs[SSL_FILES[d.name]])
        elif d.name in ("access_log", "error_log", "pid") or d.name.endswith(("_temp_path", "_cache_path")):
            if arg.startswith("/") and arg != "/dev/stdout" and arg != "/dev/stderr":
                box.path(arg).parent.mkdir(parents=True, exist_ok=True)
        elif d.name == "listen" and arg.startswith("unix:/"):
            box.path(arg[5:]).parent.mkdir(parents=True, exist_ok=True)  # nginx -t binds its sockets
        elif d.name == "user" and d.args:
            box.users.update(d.args)
            box.write_etc()


# ------------------------------------------------------------------------------------------ the echo server


def echo(tmp: Path, raw_tokens: Sequence[bytes]) -> list[bytes]:
    """Make nginx reveal how it reads each raw token: ``default_type <raw>;`` sets the Content-Type of
    ``return 200 ""`` to the token's value, byte for byte. nginx listens on a unix socket only."""
    tmp.mkdir(parents=True, exist_ok=True)
    sock = tmp / "echo.sock"
    temp = " ".join(f"{k}_temp_path {tmp}/{k};" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    parts = [
        f"daemon off; master_process off; pid {tmp}/nginx.pid; error_log {tmp}/error.log;\n".encode(),
        f"events {{ worker_connections 16; }}\nhttp {{ access_log off; {temp}\n".encode(),
        f"server {{ listen unix:{sock};\n".encode(),
    ]
    for i, raw in enumerate(raw_tokens):
        parts.append(b'location = /%d { default_type %s; return 200 ""; }\n' % (i, raw))
    parts.append(b"} }\n")
    (tmp / "echo.conf").write_bytes(b"".join(parts))
    argv = ["unshare", "-n", NGINX, "-p", f"{tmp}/", "-e", f"{tmp}/error.log", "-c", f"{tmp}/echo.conf"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while not _listening(sock):  # the socket file appears at bind(), before listen()
            if proc.poll() is not None or time.monotonic() > deadline:
                _, err = proc.communicate(timeout=5)
                raise AssertionError(f"echo nginx did not start: {err.decode(errors='replace')}")
            time.sleep(0.02)
        return [_get(sock, f"/{i}") for i in range(len(raw_tokens))]
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _listening(sock: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        try:
            s.connect(str(sock))
        except (FileNotFoundError, ConnectionRefusedError):
            return False
    return True


def _get(sock: Path, path: str) -> bytes:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect(str(sock))
        s.sendall(f"GET {path} HTTP/1.0\r\nHost: x\r\n\r\n".encode())
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    response = b"".join(chunks)
    assert response.startswith(b"HTTP/1.1 200 OK\r\n"), response[:200]
    head = response[response.index(b"\r\nDate: ") + 2 :]
    head = head[head.index(b"\r\n") + 2 :]  # after the Date line
    if not head.startswith(b"Content-Type: "):
        return b""  # an empty default_type sends no Content-Type
    end = head.rindex(b"\r\nContent-Length: 0\r\n")
    return head[len(b"Content-Type: ") : end]


# ------------------------------------------------------------------------------------------ canonical form


def quote(word: str) -> bytes:
    raw = word.encode("utf-8", "surrogateescape")
    return b'"' + raw.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'


def canonical(directives: Sequence[Directive], depth: int = 0) -> bytes:
    """The tree as a config in which every word is double-quoted: tokenization cannot be ambiguous."""
    out = []
    pad = b"  " * depth
    for d in directives:
        words = b" ".join(quote(w) for w in (d.name, *d.args))
        if d.block is None:
            out.append(pad + words + b";\n")
        else:
            out.append(pad + words + b" {\n" + canonical(d.block, depth + 1) + pad + b"}\n")
    return b"".join(out)


def shape(directives: Sequence[Directive]) -> list[object]:
    return [(d.name, d.args, None if d.block is None else shape(d.block)) for d in directives]


GAP = re.compile(rb"(?:[ \t\r\n]+|#[^\n]*|[;{}])*")


# ------------------------------------------------------------------------------------------ cases


@dataclass(frozen=True)
class Case:
    """One config laid out as a container sees it."""

    name: str
    file: Path
    mappings: tuple[tuple[str, str], ...]
    wrapper: bytes | None
    """The main nginx.conf for a server-level file (conf.d style)."""


def _is_config(path: Path) -> bool:
    return (
        path.is_file()
        and ".template" not in path.name
        and (path.name == "nginx.conf" or path.suffix == ".conf")
    )


def discover() -> list[tuple[str, Path]]:
    found: list[tuple[str, Path]] = []
    if SAMPLES.is_dir():
        found += [
            (f"samples/{p.relative_to(SAMPLES)}", p) for p in sorted(SAMPLES.rglob("*")) if _is_config(p)
        ]
    if CORPUS.is_dir():
        found += [(f"corpus/{p.relative_to(CORPUS)}", p) for p in sorted(CORPUS.rglob("*")) if _is_config(p)]
        found += [(f"corpus/{rel}", CORPUS / rel) for rel in CORPUS_EXTRA if (CORPUS / rel).is_file()]
    for extra in filter(None, os.environ.get("DOCKERNET_NGINX_SAMPLES", "").split(os.pathsep)):
        found.append((f"extra/{extra}", Path(extra)))
    return found


def layout(name: str, path: Path, wrapper_dir: Path) -> Case:
    """The simple rule: a main config (top-level events/http...) is /etc/nginx/nginx.conf and its sibling
    files are /etc/nginx/<name>; a server-level file is /etc/nginx/conf.d/<name>, included from a minimal
    main config, and its siblings sit next to it in conf.d. Sibling directories are /etc/nginx/<dir>."""
    try:
        top = {d.name for d in parse_text(path.read_bytes().decode("utf-8", "surrogateescape"), str(path))}
    except InputError:
        top = set()
    is_main = bool(top & MAIN_CONTEXT)
    base = "/etc/nginx" if is_main else "/etc/nginx/conf.d"
    mappings: list[tuple[str, str]] = []
    for sibling in sorted(path.parent.iterdir()):
        if sibling == path:
            continue
        where = "/etc/nginx" if sibling.is_dir() else base
        mappings.append((f"{where}/{sibling.name}", str(sibling)))
    wrapper = None
    if is_main:
        mappings.append(("/etc/nginx/nginx.conf", str(path)))
    else:
        wrapper = f"events {{}}\nhttp {{\n    include /etc/nginx/conf.d/{path.name};\n}}\n".encode()
        wrapper_dir.mkdir(parents=True, exist_ok=True)
        (wrapper_dir / "nginx.conf").write_bytes(wrapper)
        mappings += [
            (f"/etc/nginx/conf.d/{path.name}", str(path)),
            ("/etc/nginx/nginx.conf", str(wrapper_dir / "nginx.conf")),
        ]
    return Case(name, path, tuple(mappings), wrapper)


CASES = discover()


@dataclass
class Outcome:
    """Counts for the summary line (printed with -s)."""

    compared: list[str] = field(default_factory=list)
    partial: list[str] = field(default_factory=list)
    """Accepted by dockernet, refused by nginx 1.22 for semantics: tokens and canonical form compared."""
    both_refused: list[str] = field(default_factory=list)
    semantic: list[str] = field(default_factory=list)
    """dockernet found a syntax error, nginx stopped earlier at a semantic one."""
    tokens: int = 0


OUTCOME = Outcome()


def _dockernet(tree: HostTree) -> NginxConfig | InputError:
    try:
        return load("/etc/nginx/nginx.conf", tree)
    except InputError as e:
        return e


def _same_error(ours: InputError, theirs: Verdict, tree: HostTree) -> None:
    assert theirs.message == ours.message, (theirs, ours)
    if theirs.file is not None:
        assert tree.host_path(theirs.file) == ours.file
        assert theirs.line == ours.line


@pytest.mark.skipif(not CASES, reason="no nginx configs in compose-samples/ or ../shared/corpus")
@pytest.mark.parametrize("case_name", [name for name, _ in CASES])
def test_real_config(case_name: str, certs: dict[str, bytes], tmp_path: Path) -> None:
    path = dict(CASES)[case_name]
    case = layout(case_name, path, tmp_path / "host")
    tree = HostTree(case.mappings)
    ours = _dockernet(tree)
    box = Sandbox(tmp_path / "root")
    for cpath, host in case.mappings:
        box.copy_in(cpath, host)
    prepare(box, ours if isinstance(ours, NginxConfig) else None, certs)
    theirs = box.test("/etc/nginx/nginx.conf", tree)

    if isinstance(ours, InputError):
        if OWN_LIMITS.match(ours.message):
            pytest.skip(f"dockernet's own limit: {ours}")
        if ours.message.startswith("include cycle"):
            assert theirs.crashed, theirs  # nginx recurses until it overflows its stack
        elif theirs.message is not None and not SYNTAX.match(theirs.message) and not theirs.ok:
            OUTCOME.semantic.append(case_name)
            pytest.skip(f"nginx stopped first at a semantic error: {theirs.message}")
        else:
            _same_error(ours, theirs, tree)
        OUTCOME.both_refused.append(case_name)
        return
    semantic = None
    if not theirs.ok:
        assert theirs.message is not None and not SYNTAX.match(theirs.message), (
            f"nginx refused what dockernet accepted: {theirs}"
        )
        semantic = theirs.message  # e.g. a directive newer than Debian's nginx 1.22: no -T dump to compare
    else:
        # (a) the same files, in the same order, with the same bytes
        dumped = re.findall(rb"^# configuration file (.*):\n", theirs.stdout, flags=re.M)
        nginx_files = [f.decode("utf-8", "surrogateescape") for f in dumped]
        seen = [f for f in nginx_files if visible(tree, f)]
        stubs = [f for f in nginx_files if not visible(tree, f)]
        assert [tree.host_path(f) for f in seen] == list(ours.files)
        assert sorted(stubs) == sorted(
            {u.path for u in ours.unseen_includes if not re.search(r"[*?[]", u.path)}
        )
        for f in seen:
            header = b"# configuration file " + f.encode("utf-8", "surrogateescape") + b":\n"
            start = theirs.stdout.index(header) + len(header)
            assert theirs.stdout[start:].startswith(box.path(f).read_bytes())

    # (c) every token, as nginx reads it; only blanks, comments and ;{} between tokens
    raw_tokens: list[bytes] = []
    values: list[str] = []
    for f in ours.files:
        data = Path(f).read_bytes()
        pos = 0
        for t in tokenize(data, f):
            assert GAP.fullmatch(data, pos, t.start), (f, data[pos : t.start])
            pos = t.end
            if t.kind == "word":
                raw_tokens.append(data[t.start : t.end])
                values.append(t.value)
        assert GAP.fullmatch(data, pos)
    echoed = echo(tmp_path / "echo", raw_tokens)
    assert echoed == [v.encode("utf-8", "surrogateescape") for v in values]
    OUTCOME.tokens += len(values)

    # (c) the canonical form: nginx gives the same verdict, and it reads back to the same tree
    text = canonical(ours.directives)
    box.place("/etc/nginx/.dockernet-canonical", text)
    again = box.test("/etc/nginx/.dockernet-canonical", tree, dump=False)
    assert (again.ok, again.message) == (semantic is None, semantic), again
    assert shape(parse_text(text.decode("utf-8", "surrogateescape"), "canonical")) == shape(ours.directives)
    if semantic is not None:
        OUTCOME.partial.append(case_name)
        pytest.skip(
            f"tokens and canonical form compared; nginx 1.22 refuses it for its semantics: {semantic}"
        )
    OUTCOME.compared.append(case_name)


# ------------------------------------------------------------------------------------------ nginx -t parity

# What DN401 reproduces (dockernet.dialects.nginx.validate, and the reader's syntax and include errors).
# Anything else nginx says is about values, host names or other files, which DN401 does not check.
MODELED = re.compile(
    r'^(unknown directive "|"[^"]+" directive is not allowed here|invalid number of arguments in "'
    r'|directive "[^"]+" (is not terminated|has no opening)|no "events" section|open\(\) "|pread\(\) "'
    r"|unexpected |too long parameter)"
)


@dataclass
class Parity:
    """DN401 against ``nginx -t``, counted for the summary line."""

    accepted: list[str] = field(default_factory=list)
    """Both accept."""
    same: list[str] = field(default_factory=list)
    """Both refuse, with the same message at the same file and line."""
    values: list[str] = field(default_factory=list)
    """dockernet accepts; nginx refuses for something DN401 does not check (a value, a host...)."""
    earlier: list[str] = field(default_factory=list)
    """Both refuse; nginx stops earlier, at something DN401 does not check."""
    own: list[str] = field(default_factory=list)
    """dockernet's own limits (include cycles, size): no verdict to compare."""


PARITY = Parity()


def dn401_verdict(tree: HostTree) -> tuple[Refusal | None, NginxConfig | None] | InputError:
    """What DN401 reports for /etc/nginx/nginx.conf, as the reader and the rule do (with the table of the
    nginx that runs here); an InputError for dockernet's own limits."""
    try:
        conf = load("/etc/nginx/nginx.conf", tree)
    except InputError as e:
        if own_limit(e):
            return e
        return Refusal(e.message, Loc(e.file, e.line)), None
    return first_refusal(conf.directives, DEBIAN_1_22, entry=conf.files[0]), conf


def compare_verdicts(name: str, ours: Refusal | None, theirs: Verdict, tree: HostTree) -> None:
    assert not theirs.crashed, theirs
    if ours is None:
        if theirs.ok:
            PARITY.accepted.append(name)
            return
        assert theirs.message is not None and not MODELED.match(theirs.message), (
            f"nginx -t refuses what DN401 accepts: {theirs}"
        )
        PARITY.values.append(name)
        return
    assert not theirs.ok, f"DN401 refuses what nginx -t accepts: {ours}"
    where = None if theirs.file is None else (tree.host_path(theirs.file), theirs.line)
    if theirs.message == ours.message and where in (None, (ours.loc.file, ours.loc.line)):
        assert (where is None) == (ours.loc.line == 0), (ours, theirs)
        PARITY.same.append(name)
        return
    assert theirs.message is not None and not MODELED.match(theirs.message), (ours, theirs)
    PARITY.earlier.append(name)


@pytest.mark.skipif(not CASES, reason="no nginx configs in compose-samples/ or ../shared/corpus")
@pytest.mark.parametrize("case_name", [name for name, _ in CASES])
def test_dn401_agrees_with_nginx_t(case_name: str, certs: dict[str, bytes], tmp_path: Path) -> None:
    """DN401's verdict on every sample and corpus config is nginx -t's: accepted, or refused with the same
    message at the same file and line (or nginx stops first at a value DN401 does not check)."""
    case = layout(case_name, dict(CASES)[case_name], tmp_path / "host")
    tree = HostTree(case.mappings)
    ours = dn401_verdict(tree)
    if isinstance(ours, InputError):
        PARITY.own.append(case_name)
        pytest.skip(f"dockernet's own limit: {ours}")
    refusal, conf = ours
    box = Sandbox(tmp_path / "root")
    for cpath, host in case.mappings:
        box.copy_in(cpath, host)
    prepare(box, conf, certs)
    compare_verdicts(case_name, refusal, box.test("/etc/nginx/nginx.conf", tree, dump=False), tree)


_HTTP = b"events {}\nhttp {\n%s\n}\n"
REFUSED: dict[str, dict[str, bytes]] = {
    "unknown directive": {
        "nginx.conf": _HTTP % b"server {\n location / {\n  proxy_pas http://127.0.0.1:1;\n }\n}"
    },
    "two arguments to proxy_pass": {
        "nginx.conf": _HTTP % b"server {\n location / {\n  proxy_pass http://127.0.0.1:1 x;\n }\n}"
    },
    "arguments over several lines": {
        "nginx.conf": _HTTP
        % b"server {\n location / {\n  proxy_pass\n   http://127.0.0.1:1\n   x\n  ;\n }\n}"
    },
    "proxy_pass at http level": {"nginx.conf": _HTTP % b"proxy_pass http://127.0.0.1:1;"},
    "server inside location": {"nginx.conf": _HTTP % b"server {\n location / {\n  server {\n  }\n }\n}"},
    "proxy_pass in if in server": {
        "nginx.conf": _HTTP % b"server {\n if ($uri) {\n  proxy_pass http://a;\n }\n}"
    },
    "if inside if": {
        "nginx.conf": _HTTP % b"server {\n location / {\n  if ($uri) {\n   if ($uri) { }\n  }\n }\n}"
    },
    "location inside if": {
        "nginx.conf": _HTTP % b"server {\n location / {\n  if ($uri) { location /a { } }\n }\n}"
    },
    "return in limit_except": {
        "nginx.conf": _HTTP % b"server {\n location / {\n  limit_except GET {\n   return 403;\n  }\n }\n}"
    },
    "listen in location": {"nginx.conf": _HTTP % b"server {\n location / {\n  listen 80;\n }\n}"},
    "worker_processes in http": {"nginx.conf": _HTTP % b"worker_processes 2;"},
    "events in http": {"nginx.conf": _HTTP % b"events { }"},
    "flag with two arguments": {"nginx.conf": _HTTP % b"sendfile on off;"},
    "flag without argument": {"nginx.conf": _HTTP % b"sendfile;"},
    "too many arguments": {"nginx.conf": _HTTP % b"add_header a b c d e f g h;"},
    "simple directive with a block": {"nginx.conf": _HTTP % b"proxy_ignore_client_abort on {\n}"},
    "unknown directive in upstream": {
        "nginx.conf": _HTTP % b"upstream u {\n server 127.0.0.1:1;\n keepalive_pool 4;\n}"
    },
    "unknown directive in events": {"nginx.conf": b"events {\n worker_connection 10;\n}\nhttp {}\n"},
    "unknown directive in an included file": {
        "nginx.conf": _HTTP % b"include conf.d/*.conf;",
        "conf.d/a.conf": b"server {\n listen 127.0.0.1:8080;\n}\n",
        "conf.d/b.conf": b"\n\nserver {\n  proxy_set_headers Host $host;\n}\n",
    },
    "missing include": {"nginx.conf": _HTTP % b"server {\n include /etc/nginx/x.conf;\n}"},
    "third-party module: headers-more": {"nginx.conf": _HTTP % b"more_set_headers 'X-A: b';"},
    "third-party module: brotli": {"nginx.conf": _HTTP % b"brotli on;"},
    "third-party module: geoip2 block": {"nginx.conf": _HTTP % b"geoip2 /x.mmdb {\n $c country;\n}"},
    "dynamic module not loaded: stream": {"nginx.conf": b"events {}\nstream {\n}\n"},
    "newer than 1.22: http2": {"nginx.conf": _HTTP % b"server {\n http2 on;\n}"},
    "no events section": {"nginx.conf": b"http {\n}\n"},
    "duplicate flag": {"nginx.conf": _HTTP % b"server {\n gzip on;\n listen 127.0.0.1:8080;\n gzip off;\n}"},
    "duplicate through an include": {
        "nginx.conf": _HTTP % b"proxy_buffering off;\ninclude tuning.conf;",
        "tuning.conf": b"\n# tuning\nproxy_buffering on;\n",
    },
    "duplicate in events": {"nginx.conf": b"events {\n multi_accept on;\n multi_accept off;\n}\nhttp {}\n"},
    "duplicate in upstream": {
        "nginx.conf": _HTTP
        % b"upstream u {\n server 127.0.0.1:1;\n keepalive_timeout 1s;\n keepalive_timeout 2s;\n}"
    },
    "duplicate size in a location": {
        "nginx.conf": _HTTP
        % b"server {\n location / {\n  client_max_body_size 1m;\n  client_max_body_size 2m;\n }\n}"
    },
    "proxy_pass twice": {
        "nginx.conf": _HTTP % b"server {\n location / {\n  proxy_pass http://127.0.0.1:1;\n"
        b"  proxy_pass http://127.0.0.1:2;\n }\n}"
    },
    "root twice": {
        "nginx.conf": _HTTP % b"server {\n root /a;\n location / {\n  root /b;\n  root /c;\n }\n}"
    },
    "flag neither on nor off": {"nginx.conf": _HTTP % b"server {\n proxy_buffering yes;\n}"},
    "byte order mark": {"nginx.conf": b"\xef\xbb\xbfevents {}\nhttp {}\n"},
}
ACCEPTED: dict[str, dict[str, bytes]] = {
    "every context": {
        "nginx.conf": b"user nobody;\nworker_processes 1;\nevents { worker_connections 16; }\nhttp {\n"
        b" upstream u { server 127.0.0.1:1; keepalive 2; }\n server {\n  listen 127.0.0.1:8080;\n"
        b"  if ($uri) { return 404; }\n  location / {\n   limit_except GET { deny all; }\n"
        b"   if ($uri) { proxy_pass http://u; }\n   proxy_pass http://u;\n   location /a { }\n  }\n }\n}\n"
    },
    "data blocks": {
        "nginx.conf": _HTTP
        % b"map $uri $m { default 0; proxy_pas 1; ~^/x server; }\ngeo $g { default 0; 10.0.0.0/8 1; }\n"
        b"split_clients $uri $s { 50% a; * b; }\ntypes { text/html html; a/b c d e f g h i j; }\n"
        b"charset_map koi8-r utf-8 { C0 D18E; }"
    },
    "ssl, deprecated but known to 1.22": {"nginx.conf": _HTTP % b"server {\n ssl off;\n}"},
    "the same setting at each level": {
        "nginx.conf": _HTTP
        % b"gzip on;\nserver {\n gzip off;\n location / {\n  gzip on;\n  if ($uri) { gzip off; }\n"
        b"  limit_except GET { deny all; }\n  location /a { gzip off; }\n }\n location /b { gzip on; }\n}\n"
        b"server {\n listen 127.0.0.1:8081;\n gzip on;\n}\n"
        b"upstream a { server 127.0.0.1:1; keepalive_timeout 1s; }\n"
        b"upstream b { server 127.0.0.1:1; keepalive_timeout 1s; }"
    },
    "one pass per location, one root per block": {
        "nginx.conf": _HTTP
        % b"root /a;\nserver {\n root /b;\n location / {\n  root /c;\n  proxy_pass http://127.0.0.1:1;\n"
        b"  if ($uri) { proxy_pass http://127.0.0.1:2; }\n"
        b"  location /x { proxy_pass http://127.0.0.1:3; }\n }\n}"
    },
    "flags in any case": {"nginx.conf": _HTTP % b"gzip ON;\nsendfile Off;"},
}


@pytest.mark.parametrize("name", sorted(REFUSED) + sorted(ACCEPTED))
def test_dn401_deliberate_configs(name: str, isolation: None, tmp_path: Path) -> None:
    """Deliberately broken configs (and near-misses): DN401 says exactly what nginx -t says, or nothing."""
    files = REFUSED.get(name) or ACCEPTED[name]
    etc = tmp_path / "etc-nginx"
    for rel, data in files.items():
        (etc / rel).parent.mkdir(parents=True, exist_ok=True)
        (etc / rel).write_bytes(data)
    tree = HostTree([("/etc/nginx", str(etc))])
    ours = dn401_verdict(tree)
    assert not isinstance(ours, InputError), ours
    box = Sandbox(tmp_path / "root")
    box.copy_in("/etc/nginx", str(etc))
    theirs = box.test("/etc/nginx/nginx.conf", tree, dump=False)
    refusal = ours[0]
    if name in ACCEPTED:
        assert refusal is None and theirs.ok, (refusal, theirs)
        return
    assert refusal is not None and theirs.message == refusal.message, (refusal, theirs)
    where = None if theirs.file is None else (tree.host_path(theirs.file), theirs.line)
    assert where == (None if refusal.loc.line == 0 else (refusal.loc.file, refusal.loc.line)), (
        refusal,
        theirs,
    )


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (b"daemon off;\nevents {}\nhttp {}\n", ('"daemon" directive is duplicate', 1)),
        (b"user nobody;\n\ndaemon on;\nevents {}\nhttp {}\n", ('"daemon" directive is duplicate', 3)),
        (b"events {}\nhttp {}\n", None),
    ],
)
def test_dn401_under_the_images_command(
    config: bytes, expected: tuple[str, int] | None, isolation: None, tmp_path: Path
) -> None:
    """The official image runs ``nginx -g "daemon off;"``: nginx reads that first, so ``daemon`` in the file
    is a duplicate. dockernet and ``nginx -t -g "daemon off;"`` agree."""
    etc = tmp_path / "etc-nginx"
    etc.mkdir()
    (etc / "nginx.conf").write_bytes(config)
    tree = HostTree([("/etc/nginx", str(etc))])
    conf = load("/etc/nginx/nginx.conf", tree)
    command_line = parse_text(IMAGE_CMD_GLOBALS, "command line")
    ours = first_refusal(conf.directives, DEBIAN_1_22, entry=conf.files[0], command_line=command_line)
    box = Sandbox(tmp_path / "root")
    box.copy_in("/etc/nginx", str(etc))
    theirs = _verdict(box.run(["-t", "-c", "/etc/nginx/nginx.conf", "-g", IMAGE_CMD_GLOBALS]))
    assert (None if ours is None else (ours.message, ours.loc.line)) == expected
    assert (None if theirs.ok else (theirs.message, theirs.line)) == expected, theirs


def test_summary() -> None:
    """Runs after the configs (file order); prints what was compared (pytest -s shows it)."""

    def count(names: list[str]) -> str:
        corpus = sum(n.startswith("corpus/") for n in names)
        return f"{len(names)} ({corpus} corpus)"

    print(
        f"\nnginx differential: compared in full {count(OUTCOME.compared)}; tokens and canonical form only "
        f"{count(OUTCOME.partial)}; refused identically {count(OUTCOME.both_refused)}; nginx stopped "
        f"earlier on semantics {count(OUTCOME.semantic)}; {OUTCOME.tokens} tokens echoed"
    )
    print(
        f"nginx -t parity (DN401): both accept {count(PARITY.accepted)}; both refuse, same message, file and "
        f"line {count(PARITY.same)}; nginx refuses a value DN401 does not check {count(PARITY.values)}; "
        f"nginx stops earlier at such a value {count(PARITY.earlier)}; dockernet's own limits "
        f"{count(PARITY.own)}"
    )
    for name in PARITY.values + PARITY.earlier:
        print(f"  not compared in full: {name}")


# ------------------------------------------------------------------------------------------ broken configs

BROKEN: dict[str, dict[str, bytes]] = {
    "unexpected } in include": {
        "nginx.conf": b"events {}\nhttp {\n    include conf.d/*.conf;\n}\n",
        "conf.d/a.conf": b"server {\n    listen 80;\n}\n}\n",
    },
    "missing include": {"nginx.conf": b"events {}\nhttp {\n\n    include /etc/nginx/nope.conf;\n}\n"},
    "missing relative include": {
        "nginx.conf": b"events {}\nhttp { include snippets/x.conf; }\n",
        "snippets/y.conf": b"",
    },
    "glob matches a directory": {"nginx.conf": b"events {}\nhttp {\n include d/*;\n}\n", "d/sub/x": b""},
    "include cycle": {
        "nginx.conf": b"events {}\nhttp { include a.conf; }\n",
        "a.conf": b"include b.conf;\n",
        "b.conf": b"\ninclude a.conf;\n",
    },
    "unterminated quote in include": {
        "nginx.conf": b"events {}\nhttp {\n include x.conf;\n}\n",
        "x.conf": b'server_tokens "off;\n\n',
    },
    "include error comes before a later one": {
        "nginx.conf": b"events {}\nhttp {\n include x.conf;\n a 'b'c;\n}\n",
        "x.conf": b"\n\nserver {",
    },
    "block closed in an included file": {
        "nginx.conf": b"events {}\nhttp {\n include close.conf;\n",
        "close.conf": b"}\n",
    },
    "too long parameter in include": {
        "nginx.conf": b"events {}\nhttp { include l.conf; }\n",
        "l.conf": b"\n\n#" + b"x" * 5000 + b"\n",
    },
    "missing ; before }": {"nginx.conf": b"events {}\nhttp {\n server {\n  listen 80\n }\n}\n"},
    "missing ; before a block": {
        "nginx.conf": b"events {}\nhttp {\n server {\n  location / {\n   proxy_pass http://127.0.0.1:1\n  }\n"
        b"  location /b {\n   proxy_pass http://127.0.0.1:1\n   location /b/c { }\n  }\n }\n}\n"
    },
    "http without block": {"nginx.conf": b"events {}\nhttp\n;\n"},
    "upstream server with a block": {
        "nginx.conf": b"events {}\nhttp {\n upstream u {\n  server 127.0.0.1:1 {\n  }\n }\n}\n"
    },
    "include with two args": {"nginx.conf": b"events {}\nhttp {\n include a b;\n}\n"},
    "text after a quote": {"nginx.conf": b"events {}\nhttp {\n server_tokens 'off'x;\n}\n"},
    "types with a block": {"nginx.conf": b"events {}\nhttp {\n types {\n  text/html html;\n  x {\n }\n}\n"},
    "lone semicolon": {"nginx.conf": b"events {}\n\n;\n"},
    "eof in a token": {"nginx.conf": b"events {}\nhttp {}\nuser\\"},
    "eof in a block": {"nginx.conf": b"events {}\nhttp {\n\n"},
    "byte after a quote": {"nginx.conf": b'events {}\nhttp { server_tokens "on"\xe9; }\n'},
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_config(name: str, isolation: None, tmp_path: Path) -> None:
    etc = tmp_path / "etc-nginx"
    for rel, data in BROKEN[name].items():
        (etc / rel).parent.mkdir(parents=True, exist_ok=True)
        (etc / rel).write_bytes(data)
    tree = HostTree([("/etc/nginx", str(etc))])
    with pytest.raises(InputError) as info:
        load("/etc/nginx/nginx.conf", tree)
    box = Sandbox(tmp_path / "root")
    box.copy_in("/etc/nginx", str(etc))
    theirs = box.test("/etc/nginx/nginx.conf", tree)
    if info.value.message.startswith("include cycle"):
        assert theirs.crashed  # nginx 1.22: SIGSEGV
    else:
        _same_error(info.value, theirs, tree)


def test_known_differences(isolation: None, tmp_path: Path) -> None:
    """Where dockernet deliberately differs, pinned so that a change is noticed."""
    etc = tmp_path / "etc-nginx"
    etc.mkdir()
    tree = HostTree([("/etc/nginx", str(etc))])
    box = Sandbox(tmp_path / "root")
    # NUL bytes: nginx reads them as ordinary bytes (here in a comment); dockernet refuses binary files.
    box.place("/etc/nginx/nginx.conf", b"events {}\n# \x00\nhttp {}\n")
    (etc / "nginx.conf").write_bytes(b"events {}\n# \x00\nhttp {}\n")
    assert box.test("/etc/nginx/nginx.conf", tree).ok
    with pytest.raises(InputError, match="not a text file"):
        load("/etc/nginx/nginx.conf", tree)
    # A UTF-8 byte order mark is part of the first directive's name: nginx says unknown directive
    # "\ufeffevents" (a semantic error), dockernet keeps the name as nginx reads it.
    box.place("/etc/nginx/nginx.conf", b"\xef\xbb\xbfevents {}\nhttp {}\n")
    (etc / "nginx.conf").write_bytes(b"\xef\xbb\xbfevents {}\nhttp {}\n")
    assert box.test("/etc/nginx/nginx.conf", tree).message == 'unknown directive "\ufeffevents"'
    assert load("/etc/nginx/nginx.conf", tree).directives[0].name == "\ufeffevents"


# ------------------------------------------------------------------------------------------ fuzz

FRAGMENTS = [
    b"a",
    b"b1",
    b"x.y",
    b'"',
    b"'",
    b"\\",
    b'\\"',
    b"\\'",
    b"\\\\",
    b"\\n",
    b"\\t",
    b"\\x",
    b"$",
    b"${",
    b"${v}",
    b"$v",
    b"}",
    b"{",
    b";",
    b"#",
    b"#c",
    b" ",
    b"  ",
    b"\n",
    b"\t",
    b"\r\n",
    b"(",
    b")",
    b"\xff",
    b"\xc3\xa9",
    b'"q w"',
    b"'q;w'",
    b'"a\\"b"',
    b"'}'",
    b'"#"',
    b"x#y",
    b"=",
    b"~*",
]
SAFE = [f for f in FRAGMENTS if f not in (b";", b"{", b"}", b"#", b"#c", b"\n", b"\r\n", b" ", b"  ", b"\t")]
FUZZ_CASES = int(os.environ.get("DOCKERNET_NGINX_FUZZ", "600"))


def fuzz_inputs() -> list[bytes]:
    rng = random.Random(20261125)
    out = []
    for i in range(FUZZ_CASES):
        pool = SAFE if i % 2 else FRAGMENTS
        out.append(b"".join(rng.choice(pool) for _ in range(rng.randint(1, 7))))
    # the 4096-byte buffer: comments, quoted and bare tokens around the limit, at shifting offsets
    for pad in (0, 1, 7):
        for size in (4093, 4094, 4095, 4096, 4097):
            out.append(b" " * pad + b"x;\n#" + b"c" * size + b"\nx")
            out.append(b" " * pad + b'"' + b"q" * size + b'"')
            out.append(b" " * pad + b"w" * size)
    return out


def fuzz_config(random_part: bytes, sock: str) -> bytes:
    return (
        b"events {}\nhttp {\n    access_log off;\n    server {\n"
        b"        listen unix:" + sock.encode() + b";\n"
        b"        location = /t {\n            default_type " + random_part + b";\n"
        b'            return 200 "";\n        }\n    }\n}\n'
    )


def default_type_args(tree: Sequence[Directive], sock: str) -> tuple[str, ...] | None:
    """The arguments of ``default_type`` when the tree has exactly the shape of :func:`fuzz_config`."""
    try:
        _, http = tree
        _, server = http.block or ()
        _, location = server.block or ()
        default_type, _ = location.block or ()
    except ValueError:
        return None
    value = default_type.args
    location_block = [("default_type", value, None), ("return", ("200", ""), None)]
    server_block = [
        ("listen", (f"unix:{sock}",), None),
        ("location", ("=", "/t"), location_block),
    ]
    expected = [
        ("events", (), []),
        ("http", (), [("access_log", ("off",), None), ("server", (), server_block)]),
    ]
    return value if shape(tree) == expected else None


def test_fuzz_tokenizer(isolation: None, tmp_path: Path) -> None:
    """Seeded random token soup inside ``default_type ...;``: the same verdict, message and line as nginx,
    and for every single-token result the value nginx echoes for its raw bytes."""
    single: list[tuple[bytes, str]] = []
    counts = {"same syntax error": 0, "nginx stopped earlier": 0, "other shape": 0, "argument count": 0}
    for i, part in enumerate(fuzz_inputs()):
        conf = tmp_path / f"f{i}.conf"
        sock = f"{tmp_path}/f{i}.sock"
        data = fuzz_config(part, sock)
        conf.write_bytes(data)
        # nginx -t binds its listening sockets: a unix socket here, in a network namespace of its own.
        argv = ["unshare", "-n", NGINX, "-t", "-q", "-p", f"{tmp_path}/", "-e", f"{tmp_path}/error.log"]
        argv += ["-c", str(conf)]
        proc = subprocess.run(
            [*argv, "-g", f"pid {tmp_path}/nginx.pid;"], capture_output=True, timeout=60, check=False
        )
        theirs = _verdict(proc)
        try:
            tree = parse_text(data.decode("utf-8", "surrogateescape"), str(conf))
        except InputError as e:
            if theirs.message is not None and not SYNTAX.match(theirs.message):
                # nginx runs each directive as soon as it is read: a semantic error before ours stops it first
                assert theirs.line is not None and theirs.line <= e.line, (part, theirs, e)
                counts["nginx stopped earlier"] += 1
                continue
            assert (theirs.message, theirs.file, theirs.line) == (e.message, str(conf), e.line), part
            counts["same syntax error"] += 1
            continue
        if theirs.message is not None:
            assert not SYNTAX.match(theirs.message), (part, theirs)
        value = default_type_args(tree, sock)
        if value is None:
            counts["other shape"] += 1  # other directives appeared: nginx's verdict is about them
            continue
        if len(value) != 1:
            assert theirs.message == 'invalid number of arguments in "default_type" directive', (part, theirs)
            counts["argument count"] += 1
            continue
        assert theirs.ok, (part, theirs)
        words = [t for t in tokenize(data, str(conf)) if t.kind == "word"]
        at = next(k for k, t in enumerate(words) if t.value == "default_type") + 1
        single.append((data[words[at].start : words[at].end], value[0]))
    print(f"\nnginx fuzz: {len(single)} single tokens echoed, {counts}")
    assert len(single) > FUZZ_CASES // 4
    echoed = echo(tmp_path / "echo", [raw for raw, _ in single])
    assert echoed == [v.encode("utf-8", "surrogateescape") for _, v in single]
