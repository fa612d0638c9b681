"""nginx error-log lines -> what they mean, and which route they came from.

When a site answers 502 or 504, nginx has already written the reason into its error log, one line per failed
attempt. This module reads those lines (from ``docker logs`` of a proxy container, or from any error log) and
turns each one into a :class:`LogEvent`: a stable code (``connect-refused``), the status the client saw, what
it means inside Docker, the dockernet rules that describe the usual mistakes behind it, and the route it
belongs to. Everything here is a pure function of its arguments: no I/O, no engine.

The line format is nginx's ``ngx_log_error_core``::

    2024/05/01 10:00:00 [error] 29#29: *3 connect() failed (111: Connection refused) while connecting to
    upstream, client: 127.0.0.1, server: _, request: "GET /api/ HTTP/1.1", upstream:
    "http://172.19.0.4:8000/api/", host: "localhost"

(one line): time, ``[level]``, ``pid#tid:``, ``*connection`` for lines about a request, the message, then
the context that ``ngx_http_log_error`` appends in this order: ``client``, ``server`` (the first
``server_name`` of the matched server block, empty when it has none), ``request``, ``upstream`` (the peer's
address as nginx connected to it, or the upstream group's name when no peer was left), ``host``,
``referrer``. Before nginx has opened its error log (while it parses the configuration) it writes to stderr
as ``nginx: [emerg] message``.

Route attribution is :mod:`.attribution`.

errno texts differ between C libraries: glibc (Debian-based images) writes ``No route to host`` and
``Connection timed out`` where musl (Alpine-based images) writes ``Host is unreachable`` and ``Operation timed
out``; the patterns match on the errno number and accept both texts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LEVELS = ("debug", "info", "notice", "warn", "error", "crit", "alert", "emerg")
"""nginx's log levels, least severe first."""

_DOCKER_TS = r"(?:\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})\s+)?"
"""``docker logs --timestamps`` puts an RFC 3339 time in front of every line."""

_LEVEL = "|".join(LEVELS)
_LOG_LINE = re.compile(
    "^" + _DOCKER_TS + r"(?P<ts>\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}) \[(?P<level>" + _LEVEL + r")\] "
    r"(?P<pid>\d+)#(?P<tid>\d+): (?:\*(?P<cid>\d+) )?(?P<rest>.*)$"
)
_STDERR_LINE = re.compile("^" + _DOCKER_TS + r"nginx: \[(?P<level>" + _LEVEL + r")\] (?P<rest>.*)$")
# The context fields nginx appends to a request's error line, in the order it writes them.
_CONTEXT = re.compile(
    r"^(?P<msg>.*?)"
    r"(?:, client: (?P<client>[^,]*))?"
    r"(?:, server: (?P<server>[^,]*))?"
    r'(?:, request: "(?P<request>(?:[^"\\]|\\.)*)")?'
    r'(?:, subrequest: "(?P<subrequest>[^"]*)")?'
    r'(?:, upstream: "(?P<upstream>[^"]*)")?'
    r'(?:, host: "(?P<host>[^"]*)")?'
    r'(?:, referrer: "(?P<referrer>[^"]*)")?$'
)
_IN_FILE = re.compile(r" in (?P<file>/\S+|\S+\.conf\S*):(?P<line>\d+)$")


@dataclass(frozen=True)
class LogLine:
    """One nginx error-log line, split into nginx's fields. Fields nginx did not write are None."""

    text: str
    """The line as read, without the trailing newline."""
    level: str
    """``debug`` ... ``emerg``."""
    message: str
    """The message without the time/level prefix and the context fields."""
    time: str | None = None
    """``YYYY/MM/DD HH:MM:SS`` (nginx's cached time, the container's zone); None on ``nginx: [..]`` lines."""
    pid: int | None = None
    connection: int | None = None
    """The connection number (``*3``) of lines about a request."""
    client: str | None = None
    server: str | None = None
    """The first ``server_name`` of the server block that handled the request (``""`` when it has none)."""
    request: str | None = None
    """The request line, e.g. ``GET /api/ HTTP/1.1``."""
    upstream: str | None = None
    host: str | None = None
    """The request's Host header."""
    referrer: str | None = None
    config_file: str | None = None
    """For configuration-time lines ending ``in FILE:LINE``: the file."""
    config_line: int | None = None

    @property
    def path(self) -> str | None:
        """The request path without the query string, or None when the line has no request."""
        if not self.request:
            return None
        parts = self.request.split(" ")
        if len(parts) < 2:
            return None
        return parts[1].split("?", 1)[0]

    @property
    def startup(self) -> bool:
        """True for lines written while nginx loads its configuration (no request involved)."""
        return self.connection is None and self.request is None and self.level in ("emerg", "alert")


def parse_line(text: str) -> LogLine | None:
    """Split an error-log line into its fields; None for anything else (access-log lines, blank lines).

    Accepts nginx's error-log format, the ``nginx: [level] message`` form written to stderr before the log
    file is open, and either one prefixed with ``docker logs --timestamps``' time.
    """
    text = text.rstrip("\r\n")
    m = _LOG_LINE.match(text)
    if m is not None:
        level, rest = m.group("level"), m.group("rest")
        time: str | None = m.group("ts")
        pid: int | None = int(m.group("pid"))
        cid = int(m.group("cid")) if m.group("cid") else None
    else:
        m = _STDERR_LINE.match(text)
        if m is None:
            return None
        level, rest, time, pid, cid = m.group("level"), m.group("rest"), None, None, None
    ctx = _CONTEXT.match(rest)
    assert ctx is not None  # every group is optional; "msg" takes the rest
    message = ctx.group("msg")
    config_file: str | None = None
    config_line: int | None = None
    if cid is None and ctx.group("request") is None:
        at = _IN_FILE.search(message)
        if at is not None:
            config_file, config_line = at.group("file"), int(at.group("line"))
            message = message[: at.start()]
    return LogLine(
        text=text,
        level=level,
        message=message,
        time=time,
        pid=pid,
        connection=cid,
        client=ctx.group("client"),
        server=ctx.group("server"),
        request=ctx.group("request"),
        upstream=ctx.group("upstream"),
        host=ctx.group("host"),
        referrer=ctx.group("referrer"),
        config_file=config_file,
        config_line=config_line,
    )


# ------------------------------------------------------------------------------------------ classify


@dataclass(frozen=True)
class Pattern:
    """One kind of error-log message."""

    code: str
    """Stable kebab-case code, e.g. ``connect-refused``."""
    regex: re.Pattern[str]
    """Matched against :attr:`LogLine.message` (context fields and ``in FILE:LINE`` already removed)."""
    status: int | None
    """What the client gets: 502, 504, 499 (nginx's code for "client went away"); None when no request
    fails because of this line alone (warnings) or when nginx does not start."""
    meaning: str
    """What the line means in a Docker setup, for people."""
    rules: tuple[str, ...] = ()
    """dockernet rules that describe the usual mistakes behind it, most likely first."""
    startup: bool = False
    """True when the line means nginx refused to start (or to reload)."""
    short: str = ""
    """One short line for people, with the message's named parts as ``{name}``, ``{path}``,
    ``{resolver}``: ``host not found in upstream "{name}"``."""

    def short_message(self, details: tuple[tuple[str, str], ...]) -> str:
        """The short line with the parts of one log line filled in (``?`` for a part it lacks)."""
        values = dict(details)
        try:
            return self.short.format(**{k: values.get(k, "?") for k in ("name", "path", "resolver")})
        except (KeyError, IndexError, ValueError):
            return self.short


def _p(
    code: str,
    short: str,
    regex: str,
    status: int | None,
    meaning: str,
    rules: tuple[str, ...] = (),
    *,
    startup: bool = False,
) -> Pattern:
    return Pattern(code, re.compile(regex), status, meaning, rules, startup, short)


_UPSTREAM_READ = r"(?:reading response header from upstream|reading upstream|sending request to upstream)"

PATTERNS: tuple[Pattern, ...] = (
    # ---- TCP connect() failures: ngx_event_connect_peer() logs the errno of connect() or of the
    # asynchronous connect's SO_ERROR, "while connecting to upstream".
    _p(
        "connect-refused",
        "connect() refused",
        r"^connect\(\) failed \(111: [^)]*\) while connecting to upstream$",
        502,
        "The address answered with a TCP reset: nothing listens on that port there. In Docker: the "
        "proxy's own loopback (localhost is the proxy container), the host side of a published port used "
        "between containers, a port the app does not listen on, an app bound to 127.0.0.1 inside its "
        "container, or an app that is not (yet) listening.",
        ("DN101", "DN104", "DN105", "DN111", "DN203"),
    ),
    _p(
        "no-route",
        "connect() failed: no route to host",
        r"^connect\(\) failed \(113: (?:No route to host|Host is unreachable)\) "
        r"while connecting to upstream$",
        502,
        "No host on the network owns that address (ARP got no answer): the IP of a removed or stopped "
        "container, an address on a network the proxy is not attached to, or a firewall REJECT.",
        ("DN108", "DN110", "DN103"),
    ),
    _p(
        "network-unreachable",
        "connect() failed: network unreachable",
        r"^connect\(\) failed \(101: Network (?:is )?unreachable\) while connecting to upstream$",
        502,
        "The proxy's container has no route to that address at all: an IPv6 address without an IPv6 "
        "network, or an address outside every network of a proxy with no default route (internal network).",
        ("DN108", "DN203"),
    ),
    _p(
        "connect-timeout",
        "connect() timed out",
        r"^upstream timed out \(110: (?:Connection|Operation) timed out\) while connecting to upstream$",
        504,
        "The TCP handshake got no answer within proxy_connect_timeout: packets are dropped on the way "
        "(isolated bridge networks, a firewall DROP, an internal network, a wrong host address).",
        ("DN108", "DN107"),
    ),
    _p(
        "read-timeout",
        "upstream timed out reading the response",
        r"^upstream timed out \(110: (?:Connection|Operation) timed out\) while " + _UPSTREAM_READ + "$",
        504,
        "The upstream accepted the connection but did not answer within proxy_read_timeout (or did not "
        "read the request within proxy_send_timeout): a slow or hung app, or a protocol the port does not "
        "speak (HTTP sent to a database port).",
    ),
    _p(
        "no-live-upstreams",
        "no live upstreams",
        r"^no live upstreams while connecting to upstream$",
        502,
        "Every server of the upstream group is marked failed (max_fails within fail_timeout), so nginx did "
        "not even try: the cause is in the earlier lines about that group's servers.",
    ),
    _p(
        "server-disabled",
        "upstream server temporarily disabled",
        r"^upstream server temporarily disabled while (?:connecting to upstream|"
        r"reading response header from upstream|reading upstream|sending request to upstream)$",
        None,
        "A server of an upstream group just reached max_fails and is skipped for fail_timeout.",
    ),
    # ---- nginx's own resolver (variables in *_pass, "server ... resolve"): ngx_resolver.c.
    _p(
        "resolve-not-found",
        "{name} could not be resolved (host not found)",
        r"^(?P<name>\S+) could not be resolved \(3: Host not found\)$",
        502,
        "nginx's resolver asked its DNS server per request and the name does not exist there: a resolver "
        "other than Docker's 127.0.0.11, a name only in /etc/hosts (nginx's resolver never reads it), a "
        "container on no network the proxy shares, a stopped container, or a typo.",
        ("DN115", "DN102", "DN103", "DN110"),
    ),
    _p(
        "resolve-timeout",
        "{name} could not be resolved (timed out)",
        r"^(?P<name>\S+) could not be resolved \(110: Operation timed out\)$",
        502,
        "nginx's resolver got no DNS answer within resolver_timeout: 127.0.0.11 in a container that has "
        "no embedded DNS (default bridge, host network) or a resolver address nobody serves.",
        ("DN115", "DN106"),
    ),
    _p(
        "resolve-failed",
        "{name} could not be resolved",
        r"^(?P<name>\S+) could not be resolved \((?P<rcode>\d+): (?P<why>[^)]*)\)$",
        502,
        "nginx's resolver got an error answer (server failure, refused, format error) for the name.",
        ("DN115",),
    ),
    _p(
        "resolver-unreachable",
        "resolver {resolver} unreachable",
        r"^(?:send|recv|sendmsg|recvmsg)\(\) failed \((?P<errno>\d+): [^)]*\) while resolving, "
        r"resolver: (?P<resolver>\S+)$",
        None,
        "The address given to `resolver` has no DNS server listening; the lookups that follow time out.",
        ("DN115",),
    ),
    _p(
        "no-resolver",
        "no resolver defined to resolve {name}",
        r"^no resolver defined to resolve (?P<name>\S+)$",
        502,
        "The *_pass address contains a variable whose value names no upstream group, so nginx must look it "
        "up per request, and no `resolver` is in scope.",
        ("DN114",),
    ),
    # ---- configuration time: nginx refuses to start.
    _p(
        "host-not-found",
        'host not found in upstream "{name}"',
        r'^host not found in upstream "(?P<name>[^"]+)"$',
        None,
        "nginx resolves static upstream names once, while loading its configuration, with the system "
        "resolver (Docker's DNS plus /etc/hosts). This name did not resolve, so nginx refused to start: "
        "the container is not running yet (no depends_on), is on no network the proxy shares, the proxy "
        "has no embedded DNS (default bridge), host.docker.internal without host-gateway, or a typo.",
        ("DN102", "DN103", "DN106", "DN107", "DN201"),
        startup=True,
    ),
    _p(
        "no-port-startup",
        'no port in upstream "{name}"',
        r'^no port in upstream "(?P<name>[^"]+)"$',
        None,
        "A fastcgi_pass/uwsgi_pass/scgi_pass address has no port and names no upstream group; nginx "
        "refused to start.",
        startup=True,
    ),
    _p(
        "config-error",
        "configuration error",
        r"^(?:invalid URL prefix|invalid port in upstream|upstream \S+ may not have port|invalid parameter|"
        r"unknown directive|unexpected|directive \S+ is not terminated|duplicate|invalid number of arguments|"
        r'"\S+" directive is not allowed here|"\S+" cannot have URI part|open\(\) "[^"]*" failed|'
        r"bind\(\) to \S+ failed|still could not bind)",
        None,
        "nginx could not load its configuration (or open its listen socket) and did not start.",
        startup=True,
    ),
    # ---- unix sockets: ngx_event_connect_peer() logs these at [crit].
    _p(
        "unix-missing",
        "connect() to unix:{path}: no such file",
        r"^connect\(\) to unix:(?P<path>\S+?) failed \(2: [^)]*\) while connecting to upstream$",
        502,
        "The socket file does not exist in the proxy's filesystem: its directory is not a volume shared "
        "with the app, the path differs between the two containers, or the app has not created it.",
        ("DN109", "DN110"),
    ),
    _p(
        "unix-permission",
        "connect() to unix:{path}: permission denied",
        r"^connect\(\) to unix:(?P<path>\S+?) failed \(13: [^)]*\) while connecting to upstream$",
        502,
        "The socket exists but nginx's worker user (`user`, nginx = uid 101 in the images) may not write "
        "to it: the app created it with a mode or owner that excludes that user (or SELinux denies it).",
    ),
    _p(
        "unix-refused",
        "connect() to unix:{path} refused",
        r"^connect\(\) to unix:(?P<path>\S+?) failed \(111: [^)]*\) while connecting to upstream$",
        502,
        "The socket file exists but nobody listens on it: a stale socket left by an app that stopped.",
        ("DN110",),
    ),
    _p(
        "unix-busy",
        "connect() to unix:{path}: backlog full",
        r"^connect\(\) to unix:(?P<path>\S+?) failed \(11: [^)]*\) while connecting to upstream$",
        502,
        "The app's listen backlog on the socket is full: the app is overloaded.",
    ),
    # ---- the upstream answered, but not with a usable response.
    _p(
        "premature-close",
        "upstream prematurely closed connection",
        r"^upstream prematurely closed connection while (?:reading response header from upstream|"
        r"reading upstream)$",
        502,
        "The upstream closed the connection without a (complete) response: it crashed on the request, "
        "closed a keepalive connection nginx reused, or the port speaks another protocol.",
    ),
    _p(
        "fastcgi-closed",
        "upstream prematurely closed FastCGI stdout",
        r"^upstream prematurely closed FastCGI (?:stdout|request) while reading response header from "
        r"upstream$",
        502,
        "The FastCGI worker (PHP-FPM) died while handling the request (fatal error, memory limit).",
    ),
    _p(
        "reset-by-peer",
        "connection reset by upstream",
        r"^(?:recv|readv|writev|send|sendfile|SSL_read|SSL_write)\(\) failed \(104: [^)]*\) while "
        + _UPSTREAM_READ
        + "$",
        502,
        "The upstream reset the connection: it crashed, closed a keepalive connection nginx reused, or "
        "expected TLS.",
    ),
    _p(
        "no-valid-header",
        "upstream sent no valid HTTP header",
        r"^upstream sent no valid HTTP/1\.0 header while reading response header from upstream$",
        502,
        "The upstream's reply is not HTTP: proxy_pass to a FastCGI, uwsgi, database or SSH port.",
    ),
    _p(
        "fastcgi-version",
        "upstream sent an unsupported FastCGI version",
        r"^upstream sent unsupported FastCGI protocol version: (?P<version>\d+) while reading response "
        r"header from upstream$",
        502,
        "fastcgi_pass to a port that speaks HTTP (version 72 is the 'H' of 'HTTP/1.1').",
    ),
    _p(
        "too-big-header",
        "upstream sent too big header",
        r"^upstream sent too big header while reading response header from upstream$",
        502,
        "The upstream's response headers exceed proxy_buffer_size (large cookies or tokens).",
    ),
    _p(
        "ssl-wrong-version",
        "TLS handshake to a plain-HTTP upstream",
        r"^SSL_do_handshake\(\) failed \(SSL: error:[0-9A-Fa-f]+:SSL routines:[^)]*wrong version "
        r"number[^)]*\) while SSL handshaking to upstream$",
        502,
        "proxy_pass https:// to a port that speaks plain HTTP.",
    ),
    _p(
        "http2-mismatch",
        "upstream does not speak HTTP/2",
        r"^upstream sent (?:too large http2 frame: \d+|invalid http2 [^,]*|frame for unknown stream \d+)"
        r"(?: while reading response header from upstream)?$",
        502,
        "grpc_pass to a port that does not speak HTTP/2.",
    ),
    _p(
        "no-port",
        'no port in upstream "{name}"',
        r'^no port in upstream "(?P<name>[^"]+)"$',
        502,
        "The value of a variable in fastcgi_pass/uwsgi_pass has no port and names no upstream group.",
    ),
    _p(
        "client-closed",
        "client closed the connection before the upstream answered",
        r"^(?:epoll_wait\(\) reported that )?client prematurely closed connection"
        r"(?:, so upstream connection is closed too)?(?: while .*)?$",
        499,
        "The client gave up before the upstream answered: a symptom of a slow or hung upstream.",
    ),
)
"""The catalogue, most specific first: :func:`classify` takes the first pattern that matches."""


@dataclass(frozen=True)
class Classification:
    """What one message means."""

    pattern: Pattern
    fields: tuple[tuple[str, str], ...] = ()
    """Named parts of the message: ``name`` (a host), ``path`` (a socket), ``resolver``, ``version``."""

    def get(self, name: str) -> str | None:
        """A named part of the message, if it has one."""
        return dict(self.fields).get(name)


def classify(line: LogLine) -> Classification | None:
    """The catalogue entry for a parsed line, or None when the message is not one dockernet knows.

    Configuration-time patterns (nginx refuses to start) only match ``[emerg]``/``[alert]`` lines and
    runtime patterns only the others, so ``no port in upstream`` gets the right meaning in both places.
    """
    fatal = line.level in ("emerg", "alert")
    for pattern in PATTERNS:
        if pattern.startup != fatal:
            continue
        m = pattern.regex.match(line.message)
        if m is not None:
            groups = tuple(sorted((k, v) for k, v in m.groupdict().items() if v is not None))
            return Classification(pattern, groups)
    return None


_BY_CODE = {p.code: p for p in PATTERNS}


def short_message(code: str, details: tuple[tuple[str, str], ...]) -> str:
    """``connect() refused``, ``host not found in upstream "app"``; the code itself for unknown codes."""
    pattern = _BY_CODE.get(code)
    return pattern.short_message(details) if pattern else code.replace("-", " ")
