"""What a service listens on, read from what it declares: ``expose``, ``ports``, its command line,
its environment and well-known image defaults.

This is static knowledge: a guess that is right for the common servers (gunicorn, uvicorn, flask,
Django's runserver, busybox httpd, node apps with PORT, ASP.NET, php-fpm images). The live scan replaces it
with the real listening sockets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dockernet.model import Service


@dataclass(frozen=True)
class Listener:
    """One listening socket a service is known to open."""

    port: int
    address: str | None
    """The bind address; None when it is all interfaces or unknown."""
    evidence: str
    """Where dockernet read it, for messages: ``command --bind``, ``expose``, ``ports``..."""

    @property
    def loopback_only(self) -> bool:
        """True when the socket accepts connections from its own container only."""
        return self.address is not None and (
            self.address.startswith("127.") or self.address in ("::1", "localhost")
        )


_ADDR_PORT = re.compile(r"^(?:(?P<addr>\[[0-9a-fA-F:]+\]|[^:\s/]+|\*|\+):)?(?P<port>\d{1,5})$")
_URL = re.compile(r"^(?:https?|tcp)://(?P<addr>\[[0-9a-fA-F:]+\]|[^:/\s]+)(?::(?P<port>\d{1,5}))?/?$")

# Options whose value is ADDR:PORT or PORT, by server: gunicorn -b/--bind, busybox httpd -p, uwsgi
# --http/--http-socket/--socket, php -S, hypercorn -b, daphne --bind (address only, see _HOST_OPTS).
_BIND_OPTS = frozenset(
    {"-b", "--bind", "-p", "--http", "--http-socket", "--socket", "-S", "--listen", "-l", "--address"}
)
_PORT_OPTS = frozenset({"--port", "-P", "--http-port", "--server.port"})
_HOST_OPTS = frozenset({"--host", "-H", "--hostname", "--server.address", "--ip"})
_ALL = ("0.0.0.0", "::", "*", "+", "")

# Servers whose default bind address is loopback when no host option is given: uvicorn
# (https://www.uvicorn.org/settings/#socket-binding), `flask run`
# (https://flask.palletsprojects.com/en/stable/cli/), Django's runserver.
_LOOPBACK_DEFAULT_SERVERS = {"uvicorn": 8000, "flask": 5000, "runserver": 8000}

# Ports that common images listen on with no configuration.
_IMAGE_PORTS = (
    (re.compile(r"(^|/)php:.*fpm"), 9000),
    (re.compile(r"(^|/)(wordpress|nextcloud):.*fpm"), 9000),
    (re.compile(r"(^|/)(nginx|httpd|caddy|traefik/whoami|containous/whoami)(:|$)"), 80),
    (re.compile(r"(^|/)redis(:|$)"), 6379),
    (re.compile(r"(^|/)postgres(:|$)"), 5432),
    (re.compile(r"(^|/)(mysql|mariadb)(:|$)"), 3306),
    (re.compile(r"(^|/)mongo(:|$)"), 27017),
)


def _norm_addr(addr: str | None) -> str | None:
    if addr is None:
        return None
    addr = addr.strip("[]")
    return None if addr in _ALL else addr


def _parse_addr_port(value: str) -> tuple[str | None, int] | None:
    m = _URL.match(value)
    if m and m.group("port"):
        return _norm_addr(m.group("addr")), int(m.group("port"))
    m = _ADDR_PORT.match(value)
    if m:
        return _norm_addr(m.group("addr")), int(m.group("port"))
    return None


def _split_opt(arg: str) -> tuple[str, str | None]:
    if arg.startswith("--") and "=" in arg:
        opt, _, value = arg.partition("=")
        return opt, value
    return arg, None


def _from_argv(argv: tuple[str, ...], source: str) -> list[Listener]:
    found: list[Listener] = []
    host: str | None = None
    host_given = False
    port: int | None = None
    # A command may be wrapped in `sh -c "..."`: split the script too (shell-like, no expansion).
    words: list[str] = []
    for arg in argv:
        words.extend(arg.split() if " " in arg else [arg])
    for i, raw in enumerate(words):
        opt, value = _split_opt(raw)
        if value is None and i + 1 < len(words):
            value = words[i + 1]
        if value is None:
            continue
        if opt in _BIND_OPTS:
            parsed = _parse_addr_port(value)
            if parsed:
                found.append(Listener(parsed[1], parsed[0], f"{source} {opt} {value}"))
        elif opt in _PORT_OPTS and value.isdigit():
            port = int(value)
        elif opt in _HOST_OPTS:
            host, host_given = _norm_addr(value), True
        elif opt == "runserver":
            parsed = _parse_addr_port(value)
            if parsed:
                found.append(Listener(parsed[1], parsed[0], f"{source} runserver {value}"))
    server = next(
        (s for s in _LOOPBACK_DEFAULT_SERVERS if any(s == w or w.endswith("/" + s) for w in words)), None
    )
    if port is not None or host_given:
        default_port = _LOOPBACK_DEFAULT_SERVERS.get(server or "", 0)
        found.append(Listener(port or default_port, host, f"{source} --host/--port"))
    elif server and not found:
        # uvicorn/flask/runserver with no address at all bind 127.0.0.1.
        found.append(Listener(_LOOPBACK_DEFAULT_SERVERS[server], "127.0.0.1", f"{source} {server} default"))
    return [f for f in found if f.port > 0]


def _from_env(env: Mapping[str, str | None]) -> list[Listener]:
    found: list[Listener] = []
    # ASP.NET Core: ASPNETCORE_URLS=http://+:8000;http://localhost:8001
    for url in (env.get("ASPNETCORE_URLS") or "").split(";"):
        parsed = _parse_addr_port(url.strip()) if url.strip() else None
        if parsed:
            found.append(Listener(parsed[1], parsed[0], "ASPNETCORE_URLS"))
    for host_var, port_var in (("FLASK_RUN_HOST", "FLASK_RUN_PORT"), ("HOST", "PORT")):
        port = env.get(port_var)
        if port and port.isdigit():
            found.append(Listener(int(port), _norm_addr(env.get(host_var)), f"environment {port_var}"))
    return found


def declared_listeners(service: Service) -> list[Listener]:
    """Every socket the service declares it listens on, from its command and environment."""
    return [
        *_from_argv(service.entrypoint + service.command, "command"),
        *_from_env(service.environment),
    ]


def declared_ports(
    service: Service,
    extra: Iterable[int] = (),
    published: bool = True,
    listeners: Iterable[Listener] | None = None,
) -> dict[int, str]:
    """TCP container ports the service is known to listen on, with the evidence for each.

    ``extra`` adds ports known from elsewhere (a Dockerfile's EXPOSE). ``published=False`` leaves out the
    container side of ``ports``: a port published for outside clients says nothing about the other ports a
    service listens on (mattermost publishes its calls port 8443 and serves nginx on 8065). Empty when
    nothing is known, in which case no port finding can be trusted. ``listeners`` saves parsing the command
    again when the caller has them.
    """
    ports: dict[int, str] = {}
    for listener in declared_listeners(service) if listeners is None else listeners:
        ports.setdefault(listener.port, listener.evidence)
    for p in service.expose:
        ports.setdefault(p, "expose")
    for mapping in service.ports if published else ():
        if mapping.protocol == "tcp":
            ports.setdefault(mapping.target, "ports")
    for p in extra:
        ports.setdefault(p, "Dockerfile EXPOSE")
    if not ports and service.image:
        for pattern, port in _IMAGE_PORTS:
            if pattern.search(service.image):
                ports[port] = f"image {service.image}"
                break
    return ports
