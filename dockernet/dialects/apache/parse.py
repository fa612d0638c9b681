"""Apache httpd's configuration, as httpd 2.4 reads it (https://httpd.apache.org/docs/2.4/configuring.html),
into proxy-neutral routes. Each fact below was checked with Debian's apache2 2.4.71 (docs/apache-reader.md):

* a directive is one line (``\\`` continues it), ``#`` starts a comment only as a line's first word;
  arguments are words or quoted strings; ``${NAME}`` is a ``Define`` or the environment;
* ``Include`` (a missing file or an empty wildcard refuses the configuration) and ``IncludeOptional``,
  relative to ``ServerRoot``, globbed and sorted; ``<IfModule>`` against the modules loaded so far,
  ``<IfDefine>`` against ``Define``;
* ``ProxyPass PATH URL`` (or ``URL`` alone inside ``<Location PATH>``), ``ProxyPass PATH !`` (an
  exclusion: no route), ``ProxyPassMatch REGEX URL``, ``<Proxy balancer://NAME>`` with ``BalancerMember``;
  ``unix:/PATH|http://host/`` connects to the socket; ``ProxyPassReverse`` only rewrites response headers;
* without ``mod_proxy`` loaded, ``ProxyPass`` is "Invalid command" and httpd does not start; without the
  scheme's module (``mod_proxy_http`` for ``http://``) every request of the route answers 500 (AH01144).

httpd resolves a worker's host name with the system resolver (``/etc/hosts`` counts) when it first opens a
connection to it, not at start, and keeps the address for the child's life while connections are reused
(https://httpd.apache.org/docs/2.4/mod/mod_proxy.html, "DNS resolution for origin domains"): names are
:attr:`Lookup.PER_CONNECTION`; a name that does not resolve answers 500 (AH00898), not a refused start.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field

from dockernet.dialects.base import ConfigTree
from dockernet.model import Loc, Lookup, Match, Route, Upstream

OFFICIAL_MAIN = "/usr/local/apache2/conf/httpd.conf"
DEBIAN_MAIN = "/etc/apache2/apache2.conf"
MAX_FILES = 500
MAX_DEPTH = 16

# Debian's apache2.conf, without what does not route (its order of includes is kept).
_DEBIAN_CONF = b"""\
DefaultRuntimeDir ${APACHE_RUN_DIR}
PidFile ${APACHE_PID_FILE}
IncludeOptional mods-enabled/*.load
IncludeOptional mods-enabled/*.conf
Include ports.conf
IncludeOptional conf-enabled/*.conf
IncludeOptional sites-enabled/*.conf
"""
_DEBIAN_PORTS = b"Listen 80\n<IfModule ssl_module>\n\tListen 443\n</IfModule>\n"
_DEBIAN_MODS = [
    "access_compat",
    "alias",
    "auth_basic",
    "authn_core",
    "authn_file",
    "authz_core",
    "authz_host",
    "authz_user",
    "autoindex",
    "deflate",
    "dir",
    "env",
    "filter",
    "mime",
    "mpm_event",
    "negotiation",
    "reqtimeout",
    "setenvif",
    "status",
]
_OFFICIAL_MODS = [
    "mpm_event",
    "authn_file",
    "authn_core",
    "authz_host",
    "authz_groupfile",
    "authz_user",
    "authz_core",
    "access_compat",
    "auth_basic",
    "reqtimeout",
    "filter",
    "mime",
    "log_config",
    "env",
    "headers",
    "setenvif",
    "version",
    "unixd",
    "status",
    "autoindex",
    "dir",
    "alias",
]


def _official_conf() -> bytes:
    loads = "".join(f"LoadModule {m}_module modules/mod_{m}.so\n" for m in _OFFICIAL_MODS)
    return f'ServerRoot "/usr/local/apache2"\nListen 80\n{loads}'.encode()


def defaults(debian: bool, with_proxy: bool) -> dict[str, bytes]:
    """The image's own files, for the paths that compose input cannot see (they are in the image):
    the official ``httpd`` image's ``httpd.conf`` loads no proxy module; Debian's package enables none
    either, and dockernet-test/httpd enables ``proxy`` and ``proxy_http`` (scripts/test-engine.sh)."""
    if not debian:
        return {OFFICIAL_MAIN: _official_conf()}
    mods = _DEBIAN_MODS + (["proxy", "proxy_http"] if with_proxy else [])
    out = {DEBIAN_MAIN: _DEBIAN_CONF, "/etc/apache2/ports.conf": _DEBIAN_PORTS}
    for m in mods:
        out[f"/etc/apache2/mods-enabled/{m}.load"] = (
            f"LoadModule {m}_module /usr/lib/apache2/modules/mod_{m}.so\n".encode()
        )
    return out


_DEBIAN_ENV = {
    "APACHE_RUN_USER": "www-data",
    "APACHE_RUN_GROUP": "www-data",
    "APACHE_PID_FILE": "/var/run/apache2/apache2.pid",
    "APACHE_RUN_DIR": "/var/run/apache2",
    "APACHE_LOCK_DIR": "/var/lock/apache2",
    "APACHE_LOG_DIR": "/var/log/apache2",
}
"""What Debian's /etc/apache2/envvars sets before apache2 starts."""

_SCHEMES = {
    "http": ("http", 80, "proxy_http_module"),
    "https": ("https", 443, "proxy_http_module"),
    "ws": ("http", 80, "proxy_wstunnel_module"),
    "wss": ("https", 443, "proxy_wstunnel_module"),
    "h2c": ("http", 80, "proxy_http2_module"),
    "h2": ("https", 443, "proxy_http2_module"),
    "fcgi": ("fastcgi", 8000, "proxy_fcgi_module"),
    "scgi": ("scgi", 4000, "proxy_scgi_module"),
    "uwsgi": ("uwsgi", 3031, "proxy_uwsgi_module"),
    "ajp": ("tcp", 8009, "proxy_ajp_module"),
}
"""Scheme: (what is spoken, default port, the module that handles it) (mod_proxy's submodules)."""
_PROXY_DIRECTIVES = {"proxypass", "proxypassmatch", "balancermember", "proxyset", "proxypassreverse"}
_PROXY_SECTIONS = {"proxy", "proxymatch"}


class NotVisible(Exception):
    """The main configuration file is neither visible nor one dockernet knows from the image."""


@dataclass(frozen=True)
class Refusal:
    """What makes httpd refuse the configuration (it does not start)."""

    loc: Loc
    written: str
    reason: str
    """httpd's own words (``apache2 -t``)."""
    route: str | None = None


@dataclass(frozen=True)
class MissingModule:
    """A route whose scheme needs a module that is not loaded: every request answers 500 (AH01144)."""

    loc: Loc
    route: str
    scheme: str
    module: str


@dataclass
class Result:
    entry: str = ""
    files: list[str] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    listens: list[int] = field(default_factory=list)
    error_pages: set[int] = field(default_factory=set)
    refusals: list[Refusal] = field(default_factory=list)
    missing: list[MissingModule] = field(default_factory=list)


@dataclass
class _Line:
    words: list[str]
    loc: Loc


@dataclass
class _Pass:
    path: str | None
    url: str
    loc: Loc
    directive: str
    hosts: tuple[str, ...]
    entry: tuple[str, ...]
    match_loc: Loc


_VAR = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


class _Reader:
    def __init__(self, tree: ConfigTree, fallback: Mapping[str, bytes], env: Mapping[str, str], debian: bool):
        self.tree = tree
        self.fallback = fallback
        self.env = {**(_DEBIAN_ENV if debian else {}), **env}
        self.defines: dict[str, str] = {}
        self.modules: set[str] = set()
        self.server_root = "/etc/apache2" if debian else "/usr/local/apache2"
        self.result = Result()
        self.passes: list[_Pass] = []
        self.balancers: dict[str, list[tuple[str, Loc]]] = {}
        self.listen_entries: list[str] = []
        self.vhost: tuple[tuple[str, ...], list[str], Loc] | None = None
        self.location: tuple[str, Loc] | None = None
        self.proxy_section: str | None = None
        self.nfiles = 0

    def _open(self, path: str) -> tuple[str, bytes] | None:
        found = self.tree.read(path)
        if found is not None:
            return found
        if path in self.fallback:
            return (path, self.fallback[path])
        return None

    def _glob(self, pattern: str) -> list[str]:
        found = self.tree.glob(pattern)
        if found is None:
            found = sorted(p for p in self.fallback if _fnmatch(p, pattern))
        return found

    def _resolve(self, path: str) -> str:
        return path if path.startswith("/") else posixpath.join(self.server_root, path)

    def _lines(self, display: str, data: bytes) -> list[_Line]:
        out: list[_Line] = []
        text = data.decode("utf-8", "replace").splitlines()
        i = 0
        while i < len(text):
            start = i
            line = text[i]
            while line.endswith("\\") and i + 1 < len(text):
                i += 1
                line = line[:-1] + text[i]
            i += 1
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            s = _VAR.sub(lambda m: self.defines.get(m.group(1), self.env.get(m.group(1), m.group(0))), s)
            try:
                words = shlex.split(s, comments=False, posix=True)
            except ValueError:
                words = s.split()
            out.append(_Line(words, Loc(display, start + 1)))
        return out

    def include(self, path: str, loc: Loc | None, optional: bool, depth: int) -> None:
        path = self._resolve(path)
        if any(c in path for c in "*?["):
            names = self._glob(path)
            if not names and not optional and loc is not None:
                self.refuse(
                    loc, f"Include {path}", f"No matches for the wildcard '{posixpath.basename(path)}'"
                )
            for name in names:
                self.read_file(name, loc, optional, depth)
            return
        self.read_file(path, loc, optional, depth)

    def refuse(self, loc: Loc, written: str, reason: str) -> None:
        self.result.refusals.append(Refusal(loc, written, reason))

    def read_file(self, path: str, loc: Loc | None, optional: bool, depth: int) -> None:
        if depth > MAX_DEPTH or self.nfiles >= MAX_FILES:
            return
        try:
            found = self._open(path)
        except IsADirectoryError:
            names = self._glob(path.rstrip("/") + "/*")
            for name in names:
                self.read_file(name, loc, optional, depth + 1)
            return
        except OSError:
            found = None
        if found is None:
            if loc is None:
                raise NotVisible(f"{path} is not visible (it is in the image, which dockernet cannot read)")
            if not optional:
                self.refuse(loc, f"Include {path}", f"Could not open configuration file {path}")
            return
        display, data = found
        self.nfiles += 1
        self.result.files.append(display)
        if loc is None:
            self.result.entry = display
        self.block(self._lines(display, data), depth)

    def block(self, lines: list[_Line], depth: int) -> None:
        i = 0
        while i < len(lines):
            line = lines[i]
            head = line.words[0]
            if head.startswith("</"):
                i += 1
                continue
            if head.startswith("<"):
                name = head[1:].rstrip(">").lower()
                args = " ".join(line.words[1:]).rstrip(">").split()
                if head.endswith(">") and len(line.words) == 1:
                    args = []
                end = _section_end(lines, i, name)
                if end is None:
                    self.refuse(
                        line.loc, head, f"{head} directive missing closing '</{head[1:].rstrip('>')}>'"
                    )
                    end = len(lines)
                self.section(name, args, lines[i + 1 : end], line.loc, depth)
                i = end + 1
                continue
            self.directive(line, depth)
            i += 1

    def section(self, name: str, args: list[str], body: list[_Line], loc: Loc, depth: int) -> None:
        arg = args[0] if args else ""
        if name == "ifmodule":
            neg = arg.startswith("!")
            mod = arg.lstrip("!")
            have = mod in self.modules or _module_of_file(mod) in self.modules
            if have != neg:
                self.block(body, depth)
        elif name == "ifdefine":
            neg = arg.startswith("!")
            if (arg.lstrip("!") in self.defines) != neg:
                self.block(body, depth)
        elif name == "virtualhost":
            saved = self.vhost
            self.vhost = (tuple(args), [], loc)
            self.block(body, depth)
            self.vhost = saved
        elif name in ("location", "locationmatch"):
            saved_loc = self.location
            path = (
                arg if name == "location" and not arg.startswith("~") else "~ " + " ".join(args).lstrip("~ ")
            )
            self.location = (path, loc)
            self.block(body, depth)
            self.location = saved_loc
        elif name in _PROXY_SECTIONS:
            if "proxy_module" not in self.modules:
                self.refuse(loc, f"<{name}", _invalid(f"<{name.capitalize()}"))
            saved_p = self.proxy_section
            self.proxy_section = arg
            self.block(body, depth)
            self.proxy_section = saved_p
        else:
            self.block(body, depth)

    def directive(self, line: _Line, depth: int) -> None:
        words = line.words
        name = words[0].lower()
        args = words[1:]
        if name in ("include", "includeoptional") and args:
            self.include(args[0], line.loc, name == "includeoptional", depth + 1)
        elif name == "serverroot" and args:
            self.server_root = args[0].rstrip("/")
        elif name == "define" and args:
            self.defines[args[0]] = args[1] if len(args) > 1 else ""
        elif name == "undefine" and args:
            self.defines.pop(args[0], None)
        elif name == "loadmodule" and args:
            self.modules.add(args[0])
        elif name == "listen" and args and self.vhost is None:
            self.listen_entries.append(args[0])
            port = args[0].rsplit(":", 1)[-1]
            if port.isdigit():
                self.result.listens.append(int(port))
        elif name in ("servername", "serveralias") and self.vhost is not None:
            self.vhost[1].extend(a.split(":")[0] for a in args)
        elif name == "errordocument" and args and args[0].isdigit():
            self.result.error_pages.add(int(args[0]))
        elif name in _PROXY_DIRECTIVES:
            if "proxy_module" not in self.modules:
                self.refuse(line.loc, " ".join(words), _invalid(words[0]))
            self.proxy(name, words[0], args, line)

    def proxy(self, name: str, written: str, args: list[str], line: _Line) -> None:
        if name == "balancermember":
            target = self.proxy_section if self.proxy_section else (args[0] if args else None)
            url = args[0] if self.proxy_section else (args[1] if len(args) > 1 else None)
            if target and url:
                self.balancers.setdefault(_balancer_key(target), []).append((url, line.loc))
            return
        if name not in ("proxypass", "proxypassmatch"):
            return
        positional = [a for a in args if "=" not in a or a.startswith("!")]
        if self.location is not None and len(positional) == 1:
            path, url = self.location[0], positional[0]
            match_loc = self.location[1]
        elif len(positional) >= 2:
            path, url = positional[0], positional[1]
            if name == "proxypassmatch":
                path = "~ " + path
            match_loc = line.loc
        else:
            return
        if url == "!":
            return
        hosts = tuple(self.vhost[1]) if self.vhost else ()
        entry = tuple(_entry(a) for a in self.vhost[0]) if self.vhost else ()
        self.passes.append(_Pass(path, url, line.loc, written, hosts, entry, match_loc))

    def finish(self, service: tuple[str, str]) -> None:
        entry_all = tuple(_entry(a) for a in self.listen_entries) or (":80",)
        for p in self.passes:
            forward = self.upstream(p.url, p.loc, p.directive)
            key = _balancer_key(p.url) if p.url.lower().startswith("balancer://") else None
            if key is not None:
                members = tuple(
                    self.upstream(u, loc, "BalancerMember") for u, loc in self.balancers.get(key, [])
                )
                forward = Upstream(
                    raw=p.url, loc=p.loc, directive=p.directive, group=key, lookup=Lookup.PER_CONNECTION
                )
                upstreams = members
            else:
                upstreams = (forward,)
            route = Route(
                proxy=service,
                title=f"ProxyPass {p.path}",
                match=Match(hosts=p.hosts, path=p.path, entry=p.entry or entry_all, loc=p.match_loc),
                forward=forward,
                upstreams=upstreams,
            )
            self.result.routes.append(route)
            self.result.refusals = [
                Refusal(r.loc, r.written, r.reason, route.id) if r.loc == p.loc and r.route is None else r
                for r in self.result.refusals
            ]
            if "proxy_module" not in self.modules:
                continue  # httpd does not start at all (a refusal)
            for u in upstreams if key is None else (forward, *upstreams):
                scheme = (u.scheme or "").lower()
                needed = (
                    "proxy_balancer_module" if scheme == "balancer" else _SCHEMES.get(scheme, ("", 0, ""))[2]
                )
                if needed and needed not in self.modules:
                    self.result.missing.append(MissingModule(u.loc, route.id, scheme, needed))
                    break

    def upstream(self, url: str, loc: Loc, directive: str) -> Upstream:
        unix_path = None
        text = url
        if text.lower().startswith("unix:"):
            sock, _, text = text[5:].partition("|")
            unix_path = sock
        scheme, sep, rest = text.partition("://")
        if not sep:
            return Upstream(
                raw=url, loc=loc, directive=directive, unix_path=unix_path, lookup=Lookup.PER_CONNECTION
            )
        scheme_l = scheme.lower()
        protocol, default, _ = _SCHEMES.get(scheme_l, ("http", 80, ""))
        hostport, slash, path = rest.partition("/")
        m = re.match(r"^(\[[^\]]*\]|[^:]*)(?::(\d+))?$", hostport)
        host, port = (m.group(1), m.group(2)) if m else (hostport, None)
        host = host[1:-1] if host.startswith("[") else host
        variables = tuple(re.findall(r"\$(\d)", host))
        return Upstream(
            raw=url,
            loc=loc,
            directive=directive,
            protocol=protocol,
            scheme=scheme_l,
            host=None if unix_path or not host else host,
            port=None if unix_path else (int(port) if port else default),
            port_written=port is not None,
            path=("/" + path) if slash else None,
            unix_path=unix_path,
            variables=variables,
            dynamic=bool(variables),
            lookup=Lookup.PER_CONNECTION,
        )


def _invalid(word: str) -> str:
    return (
        f"Invalid command '{word}', perhaps misspelled or defined by a module not included in the server "
        "configuration"
    )


def _balancer_key(url: str) -> str:
    return url.split("://", 1)[-1].strip("/").split("/")[0].lower()


def _module_of_file(name: str) -> str:
    """``mod_proxy.c`` names ``proxy_module``."""
    if name.startswith("mod_") and name.endswith(".c"):
        return name[4:-2] + "_module"
    return name


def _entry(address: str) -> str:
    """``*:80`` -> ``:80``; ``80`` -> ``:80``."""
    host, _, port = address.rpartition(":")
    if not host:
        return f":{address}" if address.isdigit() else address
    return f":{port}" if host in ("*", "_default_", "0.0.0.0", "[::]") else f"{host}:{port}"


def _section_end(lines: list[_Line], start: int, name: str) -> int | None:
    depth = 0
    for j in range(start + 1, len(lines)):
        head = lines[j].words[0].lower()
        if head.startswith("</") and head[2:].rstrip(">") == name:
            if depth == 0:
                return j
            depth -= 1
        elif head.startswith("<") and not head.startswith("</") and head[1:].rstrip(">") == name:
            depth += 1
    return None


def _fnmatch(path: str, pattern: str) -> bool:
    import fnmatch

    return posixpath.dirname(path) == posixpath.dirname(pattern) and fnmatch.fnmatchcase(path, pattern)


def load(
    entry: str,
    tree: ConfigTree,
    fallback: Mapping[str, bytes],
    env: Mapping[str, str],
    service: tuple[str, str],
) -> Result:
    """The configuration from ``entry``; the image's ``fallback`` files where ``tree`` cannot see."""
    reader = _Reader(tree, fallback, env, entry == DEBIAN_MAIN)
    reader.read_file(entry, None, False, 0)
    reader.finish(service)
    return reader.result
