"""Traefik's log: the lines Traefik 3.7 writes when a proxied request fails or a router cannot be built,
what each means in a Docker setup, and the route it belongs to. Every message below was measured
(docs/proxy-behaviour.md, cases t02-t18); the status is what Traefik answers.

Refused, timed-out and unresolvable backends are DEBUG lines (``--log.level=DEBUG``); a missing port, a
router pointing at a missing service, a TLS mismatch and a missing Docker socket are ERROR lines.

Secrets: a line can carry the request. :class:`TraefikLine` keeps the level, the message's named parts (an
address, a router or service name) and the time, nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dockernet.model import LOOPBACK_NAMES, Route


@dataclass(frozen=True)
class Pattern:
    """One kind of log line."""

    code: str
    regex: re.Pattern[str]
    meaning: str
    status: int | None
    rules: tuple[str, ...] = ()
    """dockernet rules that describe the usual mistakes behind it, most likely first."""
    level: str = "debug"
    """The level Traefik logs it at (DEBUG lines appear only with ``--log.level=DEBUG``)."""
    every_route: bool = False
    """True when the line means no router of this Traefik is served."""


PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        "connect-refused",
        re.compile(r'502 Bad Gateway error="dial tcp (?P<address>[^\s"]+): connect: connection refused"'),
        "Nothing listens there: a wrong port label, the host side of ports:, or Traefik's own loopback "
        "(502).",
        502,
        ("DN104", "DN105", "DN508", "DN101"),
    ),
    Pattern(
        "dial-timeout",
        re.compile(r'504 Gateway Timeout error="dial tcp (?P<address>[^\s"]+): i/o timeout"'),
        "The container's address on a network Traefik is not on: no shared network, or the wrong one of "
        "several picked (504 after 30 s).",
        504,
        ("DN103", "DN503", "DN504"),
    ),
    Pattern(
        "lookup-failed",
        re.compile(r'50[24] [A-Za-z ]+ error="dial tcp: lookup (?P<name>[^\s:"]+)'),
        "A file-provider URL whose name does not resolve from Traefik (502, or 504 when the lookup times "
        "out).",
        502,
        ("DN102", "DN103"),
    ),
    Pattern(
        "tls-to-plain",
        re.compile(r'500 Internal Server Error error="tls: first record does not look like a TLS handshake"'),
        "loadbalancer.server.scheme=https to a server that speaks plain HTTP (500).",
        500,
        ("DN509",),
        level="error",
    ),
    Pattern(
        "service-missing",
        re.compile(r'the service \\?"(?P<service>[^"\\]+)\\?" does not exist.*routerName=(?P<router>\S+)'),
        "The router names a service no provider defines: the router is disabled (404).",
        404,
        ("DN501",),
        level="error",
    ),
    Pattern(
        "port-missing",
        re.compile(r'error: port is missing" container=(?P<container>\S+)'),
        "No port label and no exposed port: Traefik skips the container (404).",
        404,
        ("DN505",),
        level="error",
    ),
    Pattern(
        "docker-socket-missing",
        re.compile(r"failed to connect to the docker API at (?P<endpoint>\S+)"),
        "The Docker provider cannot reach the engine: the socket is not mounted (404 for every router).",
        404,
        ("DN506",),
        level="error",
        every_route=True,
    ),
)

_COLOUR = re.compile(r"\x1b\[[0-9;]*m")
_TIME = re.compile(r"^(?:\S+Z )?(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)")


@dataclass(frozen=True)
class TraefikLine:
    """What dockernet keeps of one log line."""

    pattern: Pattern
    parts: tuple[tuple[str, str], ...]
    time: str | None
    """``YYYY/MM/DD HH:MM:SS`` as nginx writes it, when the line has one."""

    def part(self, name: str) -> str | None:
        return dict(self.parts).get(name)


def parse_line(text: str) -> TraefikLine | None:
    """The catalogue entry of a line and its named parts, or None for any other line. Traefik colours its
    console log unless ``--log.nocolor``: the colours are taken out first."""
    text = _COLOUR.sub("", text)
    for p in PATTERNS:
        m = p.regex.search(text)
        if m is not None:
            t = _TIME.search(text)
            when = t.group(1).replace("-", "/").replace("T", " ") if t else None
            parts = tuple(sorted((k, v) for k, v in m.groupdict().items() if v is not None))
            return TraefikLine(p, parts, when)
    return None


def route_of(line: TraefikLine, routes: tuple[Route, ...], addresses: dict[str, set[str]]) -> Route | None:
    """The route a line belongs to: by the router it names (``routerName=app@docker``), or by the address
    Traefik dialled, mapped to the service that has that IP on the engine (``addresses``: IP -> names)."""
    router = line.part("router")
    if router is not None:
        return next((r for r in routes if r.title == f"router {router}"), None)
    address = line.part("address")
    if address is None:
        return None
    host, _, port = address.rpartition(":")
    host = host.strip("[]")
    names = addresses.get(host, set())
    for r in routes:
        for u in r.upstreams:
            if u.port is not None and str(u.port) != port:
                continue
            service = u.service[1] if u.service else u.host
            if service in names or (host in _LOOPBACK and u.host in LOOPBACK_NAMES):
                return r
    return None


_LOOPBACK = {"127.0.0.1", "::1"}
