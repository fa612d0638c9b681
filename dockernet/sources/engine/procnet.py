"""The listening sockets of the containers that proxy routes target, from ``/proc/net/tcp`` and ``tcp6``:
through the archive endpoint where the engine serves /proc, else, only with ``--exec``, through ``cat``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from types import MappingProxyType

from dockernet.errors import EngineError
from dockernet.model import EMBEDDED_DNS, AnyProxy, Proxy, Topology
from dockernet.sources import tartree
from dockernet.sources.engine.build import Live
from dockernet.sources.engine.client import INSPECT_THREADS, Engine, NotFound
from dockernet.sources.engine.proxies import is_proxy

PROC_NET = ("/proc/net/tcp", "/proc/net/tcp6")
LISTEN_STATE = "0A"
MAX_PROC = 1024 * 1024
"""Most bytes of one /proc/net/tcp* read."""


def _proc_address(hexaddr: str) -> str | None:
    """``0100007F`` -> ``127.0.0.1``; a 32-digit tcp6 address (four little-endian words) -> IPv6 text."""
    import ipaddress

    try:
        raw = bytes.fromhex(hexaddr)
    except ValueError:
        return None
    if len(raw) not in (4, 16):
        return None
    host = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    ip = ipaddress.ip_address(host)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ip)


def parse_proc_net_tcp(text: str) -> tuple[tuple[str, int], ...]:
    """The listening sockets (state ``0A``) of ``/proc/net/tcp`` and/or ``tcp6`` contents, as sorted unique
    (address, port); header lines, anything unparsable and the embedded DNS's own TCP socket on
    127.0.0.11 are skipped."""
    found: set[tuple[str, int]] = set()
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 4 or parts[3] != LISTEN_STATE or ":" not in parts[1]:
            continue
        hexaddr, _, hexport = parts[1].rpartition(":")
        address = _proc_address(hexaddr)
        try:
            port = int(hexport, 16)
        except ValueError:
            continue
        if address == EMBEDDED_DNS:
            continue  # Docker's embedded DNS listens in every namespace on a user-defined network
        if address is not None and 0 < port < 65536:
            found.add((address, port))
    return tuple(sorted(found, key=lambda a: (a[1], a[0])))


@dataclass(frozen=True)
class Listening:
    """Listening sockets read from target containers, and how."""

    sockets: Mapping[tuple[str, str], tuple[tuple[str, int], ...]]
    """(project, service) -> listening sockets, for the containers that could be read."""
    how: str = ""
    """``archive`` or ``exec``; empty when nothing was read."""
    notes: tuple[str, ...] = ()


def route_targets(live: Live, configs: Iterable[AnyProxy]) -> list[tuple[str, str]]:
    """The running, non-proxy services that a proxy route names (by service, container name, alias, DNS
    name or IP), in a stable order: the containers whose listening sockets matter."""
    hosts = {
        host
        for cfg in configs
        if isinstance(cfg, Proxy)
        for route in cfg.routes
        for t in route.upstreams
        for host in t.hosts
    }
    out: list[tuple[str, str]] = []
    for project in live.topology.projects:
        for svc in project.services.values():
            if svc.state != "running" or is_proxy(svc) or svc.key not in live.ids:
                continue
            names = {svc.name, svc.container_name or ""}
            for att in svc.networks:
                names.update(att.aliases)
                names.update(att.dns_names)
                if att.ip:
                    names.add(att.ip)
            if names & hosts:
                out.append(svc.key)
    return sorted(out)


def _proc_by_archive(engine: Engine, cid: str) -> str | None:
    """/proc/net/tcp and tcp6 through the archive endpoint; None when the engine cannot give them (Engine
    20.10 answers 404: the archive reads the container's file system, where /proc is not mounted)."""
    texts: list[str] = []
    for path in PROC_NET:
        try:
            got = engine.archive(cid, path)
        except (EngineError, NotFound):
            got = None
        if got is None or not got.data:
            continue
        # The archive is untrusted: tartree keeps member names inside the requested path, follows links in
        # container space only (never back to the engine here) and caps sizes.
        tree = tartree.TarTree(lambda _path: None, label=cid[:12])
        tree.add_archive(path, got)
        try:
            found = tree.read(path)
        except OSError:
            continue
        if found is not None and 0 < len(found[1]) <= MAX_PROC:
            texts.append(found[1].decode("ascii", "replace"))
    text = "\n".join(texts)
    return text if LISTEN_STATE in text or "local_address" in text else None


def read_listening(engine: Engine, live: Live, configs: Iterable[AnyProxy]) -> Listening:
    """The listening sockets of every container a route targets: through the archive endpoint where the
    engine serves /proc (asked once; when it does not, not again), else, only with ``--exec``, through
    ``cat /proc/net/tcp /proc/net/tcp6`` in the container (two POSTs each)."""
    targets = route_targets(live, configs)
    if not targets:
        return Listening({})
    first = _proc_by_archive(engine, live.ids[targets[0]])
    if first is not None:
        sockets = {targets[0]: parse_proc_net_tcp(first)}
        for key in targets[1:]:
            text = _proc_by_archive(engine, live.ids[key])
            if text is not None:
                sockets[key] = parse_proc_net_tcp(text)
        return Listening(sockets, "archive")
    if not engine.allow_exec:
        return Listening(
            {},
            notes=(
                "listening sockets not read: the archive endpoint does not serve /proc "
                "(use --exec to read /proc/net/tcp with cat)",
            ),
        )
    sockets = {}
    notes: list[str] = []

    def one(key: tuple[str, str]) -> tuple[tuple[str, str], tuple[tuple[str, int], ...] | None, str]:
        try:
            code, out, err = engine.exec_output(live.ids[key], ["cat", *PROC_NET])
        except EngineError as e:
            return key, None, str(e)
        text = out[:MAX_PROC].decode("ascii", "replace")
        if "local_address" not in text:
            first_err = err.decode("utf-8", "replace").strip().splitlines()[:1]
            return key, None, f"exit {code}: {first_err[0][:200]}" if first_err else f"exit {code}"
        return key, parse_proc_net_tcp(text), ""

    with ThreadPoolExecutor(max_workers=min(INSPECT_THREADS, len(targets))) as pool:
        for key, found, why in pool.map(one, targets):
            if found is not None:
                sockets[key] = found
            else:
                notes.append(f"{live.containers.get(key, key[1])}: /proc/net/tcp not read ({why})")
    return Listening(sockets, "exec", tuple(notes))


def with_listening(topology: Topology, listening: Listening) -> Topology:
    """The topology with each read service's ``listening`` set."""
    if not listening.sockets:
        return topology
    projects = []
    for p in topology.projects:
        services = {
            name: replace(svc, listening=listening.sockets[svc.key]) if svc.key in listening.sockets else svc
            for name, svc in p.services.items()
        }
        projects.append(replace(p, services=MappingProxyType(services)))
    return replace(topology, projects=tuple(projects))
