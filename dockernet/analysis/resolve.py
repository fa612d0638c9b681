"""Resolve every proxy upstream inside the graph, the way the proxy and Docker will at run time.

For each address a route can connect to, answer from inside the proxy's network namespace: what does this
name or address reach? The answer is a :class:`Resolution` (facts only); the rules decide which facts are
mistakes. Sources of truth for each step:

* how a name is looked up is the upstream's :class:`~dockernet.model.Lookup`, which its reader knows: a
  name resolved at start or per connection by the system resolver sees ``/etc/hosts`` (``extra_hosts``,
  links on the default bridge); a name resolved per request by the proxy's own DNS client (nginx's
  ``resolver``) never reads it (https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass);
* the embedded DNS (127.0.0.11) exists only on user-defined networks and answers service names, container
  names and aliases of containers on the networks the asker is on
  (https://docs.docker.com/engine/network/drivers/bridge/#differences-between-user-defined-bridges-and-the-default-bridge,
  https://docs.docker.com/compose/how-tos/networking/).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from enum import Enum

import netaddr

from dockernet.analysis.graph import DEFAULT_BRIDGE, HOST, Topo, network_id, service_id
from dockernet.model import LOOPBACK_NAMES, Lookup, PortMapping, Proxy, Role, Route, Service, Upstream

HOST_GATEWAY_NAMES = frozenset({"host.docker.internal", "gateway.docker.internal"})
VOLUMES_DIR = "/var/lib/docker/volumes"
"""Where the engine keeps named volumes on the host (``docker volume inspect`` ``Mountpoint``: ``<data-root>/
volumes/NAME/_data``, https://docs.docker.com/engine/storage/volumes/)."""
LOOPBACK_REACH = {"127.0.0.1": ("0.0.0.0",), "::1": ("::",)}
"""The host addresses of a ``ports`` entry that a loopback address reaches besides itself: the wildcard of
its family (Docker publishes an entry without an address on both 0.0.0.0 and ``::``)."""


class Kind(Enum):
    """What an upstream address turned out to be."""

    SERVICE = "service"
    """A name or address that reaches one or more services on a shared network."""
    LOOPBACK = "loopback"
    """127.0.0.0/8, ::1, localhost, 0.0.0.0: the proxy's own namespace."""
    HOST = "host"
    """The Docker host (host-gateway / host.docker.internal / a gateway address)."""
    ETC_HOSTS = "etc-hosts"
    """A name from the proxy's /etc/hosts (``extra_hosts``) with an address."""
    IP = "ip"
    """An IP literal that matches no known container."""
    UNIX = "unix"
    EXTERNAL = "external"
    """A dotted name that is not in the graph: public DNS, outside dockernet's view."""
    NOT_FOUND = "not-found"
    """A name that the proxy cannot resolve."""
    DYNAMIC = "dynamic"
    """Variables whose values dockernet cannot know."""


@dataclass(frozen=True)
class Resolution:
    """The facts about one address of one route, seen from the proxy."""

    route: Route
    upstream: Upstream
    proxy: str
    """The proxy's service node id."""
    kind: Kind
    host: str | None
    """The host actually looked up (after variable substitution)."""
    port: int | None
    """The port the proxy connects to (after variable substitution)."""
    runtime_dns: bool
    """True when the proxy resolves the name per request through its own resolver (nginx variables and
    ``resolve``): ``/etc/hosts`` does not count, and a miss fails requests instead of the start."""
    reached: tuple[tuple[str, str], ...] = ()
    """(service node, network node) pairs the address reaches; network ``""`` for a shared namespace."""
    elsewhere: tuple[tuple[str, str], ...] = ()
    """(service node, network node) pairs that answer to the name on networks the proxy is not on."""
    no_dns: str | None = None
    """Why the proxy has no embedded DNS (``default bridge``, ``host network``), when it has none."""
    suggestion: str | None = None
    """The closest name the proxy can resolve, for typos."""
    hosts_entry: str | None = None
    """The /etc/hosts address the name maps to (``extra_hosts``), when it does."""
    in_subnet_of: tuple[str, ...] = ()
    """For IP literals: network nodes whose subnet holds the address."""
    open_networks: tuple[str, ...] = ()
    """For a name nobody answers to: the proxy's ``external`` networks that no checked project creates and
    no engine was asked about. Containers of other projects can be attached there under that name, so
    the name is undetermined rather than unknown."""
    published: tuple[tuple[str, PortMapping], ...] = ()
    """For a loopback address asked in the host's network namespace (a proxy on the host, or under
    ``network_mode: host``): every (service node, ``ports`` entry) that publishes the port on a host address
    this loopback address reaches (all addresses, or that very one). The connection goes to the entry's
    container port, through docker-proxy."""


@dataclass(frozen=True)
class Resolved:
    """All resolutions of a run."""

    resolutions: tuple[Resolution, ...] = ()


def is_loopback(host: str) -> bool:
    """True for addresses and names that mean "this network namespace"."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    ip = ip_literal(host)
    return ip is not None and (bool(ip.is_loopback()) or str(ip) in ("0.0.0.0", "::"))


_MAYBE_IP = re.compile(r"^(?:[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)$")


def ip_literal(host: str) -> netaddr.IPAddress | None:
    """The address if ``host`` is an IP literal (as inet_pton reads it: no ``127.1`` shorthand)."""
    if not _MAYBE_IP.match(host):
        return None  # a name: skip netaddr's slow failing parse
    try:
        return netaddr.IPAddress(host, flags=netaddr.INET_PTON)
    except (netaddr.AddrFormatError, ValueError):
        return None


def subnets(topo: Topo, net_node: str) -> list[netaddr.IPNetwork]:
    """Declared subnets of a network (the default bridge is 172.17.0.0/16 unless reconfigured)."""
    out: list[netaddr.IPNetwork] = []
    for cfg in topo.networks[net_node].ipam:
        if cfg.subnet:
            try:
                out.append(netaddr.IPNetwork(cfg.subnet))
            except (netaddr.AddrFormatError, ValueError):
                continue
    if not out and net_node == DEFAULT_BRIDGE:
        out.append(netaddr.IPNetwork("172.17.0.0/16"))
    return out


def gateways(topo: Topo, net_node: str) -> list[str]:
    """Gateway addresses of a network: declared, else the first host of each declared subnet."""
    out: list[str] = []
    for cfg in topo.networks[net_node].ipam:
        if cfg.gateway:
            out.append(cfg.gateway)
        elif cfg.subnet:
            try:
                out.append(str(netaddr.IPNetwork(cfg.subnet)[1]))
            except (netaddr.AddrFormatError, ValueError, IndexError):
                continue
    if net_node == DEFAULT_BRIDGE and not out:
        out.append(topo.topology.host_gateway)
    return out


def resolve_all(topo: Topo) -> Resolved:
    """Resolve every address of every route of every proxy whose configuration was read."""
    out: list[Resolution] = []
    for proxy in topo.topology.proxies:
        node = topo.by_key.get(proxy.service)
        if node is None or not isinstance(proxy, Proxy):
            continue
        for route in proxy.routes:
            for upstream in route.upstreams:
                if upstream.role is not Role.DISABLED:
                    out.extend(_resolve_upstream(topo, node, route, upstream))
    return Resolved(tuple(out))


def _lookups(upstream: Upstream) -> Iterator[tuple[str | None, int | None]]:
    """The (host, port) pairs to look up: the address's own, or each value its variables can take (values
    naming a group of the proxy need no DNS); an unknown host when the values cannot be listed."""
    if not upstream.dynamic:
        yield upstream.host, upstream.port
    elif not upstream.candidates:
        yield None, upstream.port if upstream.port_written else None
    else:
        yield from ((c.host, c.port) for c in upstream.candidates if not c.group)


def _resolve_upstream(topo: Topo, node: str, route: Route, upstream: Upstream) -> Iterator[Resolution]:
    for host, port in _lookups(upstream):
        base = Resolution(
            route=route,
            upstream=upstream,
            proxy=node,
            kind=Kind.DYNAMIC,
            host=host,
            port=port,
            runtime_dns=upstream.lookup is Lookup.PER_REQUEST,
        )
        if upstream.lookup is Lookup.PROVIDER and upstream.service is not None:
            yield _resolve_provider(topo, node, base, upstream.service, upstream.network)
        elif upstream.unix_path is not None:
            yield _resolve_unix(topo, node, base, upstream.unix_path)
        elif host is None:
            yield base
        else:
            yield _resolve_host(topo, node, base, host)


def _resolve_provider(
    topo: Topo, node: str, base: Resolution, key: tuple[str, str], network: str | None
) -> Resolution:
    """A provider takes the container's address itself, on the network it is told to use when the
    container is on it, else on any of the container's networks (Traefik: a random one). The address is
    reached over the networks the proxy shares with it; ``elsewhere`` lists the ones it could pick that the
    proxy is not on."""
    target = topo.by_key.get(key)
    if target is None:
        return replace(base, kind=Kind.NOT_FOUND)
    theirs = topo.networks_of(target)
    wanted = network_id(network) if network else None
    candidates = [wanted] if wanted in theirs else theirs
    mine = set(topo.networks_of(node))
    reached = tuple((target, n) for n in candidates if n in mine)
    elsewhere = tuple((target, n) for n in candidates if n not in mine)
    return replace(
        base, kind=Kind.SERVICE if reached else Kind.NOT_FOUND, reached=reached, elsewhere=elsewhere
    )


def _resolve_unix(topo: Topo, node: str, base: Resolution, path: str) -> Resolution:
    """A socket is reachable when its directory is a volume (or bind) that another service mounts too; from
    a proxy on the host, when a container bind-mounts a host directory that holds the path (or the path
    is in a named volume's directory on the host, ``/var/lib/docker/volumes/NAME/_data``)."""
    reached: list[tuple[str, str]] = []
    if topo.service(node).on_host:
        for other, vol, data in topo.graph.edges(data=True):
            if data.get("kind") != "mount" or other == node:
                continue
            mount = data["mount"]
            host_dir = mount.source if mount.type == "bind" else f"{VOLUMES_DIR}/{mount.source}/_data"
            if mount.source and _covers(host_dir, path):
                reached.append(
                    (str(other), str(vol) + "|" + mount.target.rstrip("/") + path[len(host_dir) :])
                )
        return replace(base, kind=Kind.UNIX, reached=tuple(sorted(set(reached))))
    for _, vol, data in topo.graph.out_edges(node, data=True):
        if data.get("kind") != "mount" or not _covers(data["mount"].target, path):
            continue
        # The same path inside the other container: translate through both mounts.
        rel = path[len(data["mount"].target.rstrip("/")) :]
        for other, _, odata in topo.graph.in_edges(vol, data=True):
            if other != node and odata.get("kind") == "mount":
                reached.append((other, vol + "|" + odata["mount"].target.rstrip("/") + rel))
    return replace(base, kind=Kind.UNIX, reached=tuple(sorted(set(reached))))


def _covers(mount_target: str, path: str) -> bool:
    prefix = mount_target.rstrip("/") + "/"
    return path.startswith(prefix) or path == mount_target


def _resolve_host(topo: Topo, node: str, base: Resolution, host: str) -> Resolution:
    owner = topo.namespace_owner(node)
    if is_loopback(host):
        return _resolve_loopback(topo, node, owner, base)
    no_dns = None
    if owner == HOST:
        no_dns = "host network"
    elif owner is None:
        no_dns = "no network"
    elif not topo.has_embedded_dns(node):
        no_dns = "default bridge"
    base = replace(base, no_dns=no_dns)
    ip = ip_literal(host)
    if ip is not None:
        return _resolve_ip(topo, node, base, ip)
    svc = topo.service(node)
    entry = next((e for e in svc.extra_hosts if e.host == host), None)
    etc_hosts = base.upstream.lookup.reads_etc_hosts
    if entry is not None and etc_hosts:
        addr = topo.topology.host_gateway if entry.ip == "host-gateway" else entry.ip
        kind = Kind.HOST if entry.ip == "host-gateway" or addr in _all_gateways(topo) else Kind.ETC_HOSTS
        return replace(base, kind=kind, hosts_entry=entry.ip)
    if no_dns == "default bridge" and etc_hosts:
        # Legacy links on the default bridge are written into /etc/hosts.
        for link in svc.links:
            if host in (link.alias, link.target):
                targets = topo.lookup_anywhere(link.target)
                return replace(base, kind=Kind.SERVICE, reached=tuple(targets))
    found = topo.lookup(node, host) if no_dns is None else []
    if found:
        return replace(base, kind=Kind.SERVICE, reached=tuple(found))
    elsewhere = tuple(f for f in topo.lookup_anywhere(host) if f[0] != node)
    if host.lower() in HOST_GATEWAY_NAMES:
        return replace(base, kind=Kind.NOT_FOUND, elsewhere=elsewhere)
    if not elsewhere and "." in host and entry is None:
        return replace(base, kind=Kind.EXTERNAL)
    return replace(
        base,
        kind=Kind.NOT_FOUND,
        elsewhere=elsewhere,
        suggestion=_closest(topo, node, host),
        open_networks=_open_networks(topo, node),
    )


def _open_networks(topo: Topo, node: str) -> tuple[str, ...]:
    """The proxy's external networks that nobody checked creates, when no engine was consulted."""
    if topo.topology.engine_networks or any(p.live for p in topo.topology.projects):
        return ()
    return tuple(
        topo.networks[n].name
        for n in topo.networks_of(node)
        if n != DEFAULT_BRIDGE and topo.networks[n].external
    )


def _all_gateways(topo: Topo) -> set[str]:
    return {gw for net in topo.networks for gw in gateways(topo, net)} | {topo.topology.host_gateway}


def _resolve_loopback(topo: Topo, node: str, owner: str | None, base: Resolution) -> Resolution:
    """Loopback reaches whatever shares the proxy's namespace (or the host, under ``network_mode: host``)."""
    if owner == HOST:
        published = _published(topo, base.host or "", base.port)
        return replace(base, kind=Kind.LOOPBACK, reached=((HOST, ""),), published=published)
    if owner is None:
        return replace(base, kind=Kind.LOOPBACK)
    members = topo.namespace_members(owner)
    return replace(base, kind=Kind.LOOPBACK, reached=tuple((m, "") for m in members))


def loopback_addresses(host: str) -> tuple[str, ...]:
    """The addresses a loopback upstream connects to: ``localhost`` is both 127.0.0.1 and ::1 (the proxy
    tries each), ``0.0.0.0`` and ``::`` connect to the local host (Linux takes them as 127.0.0.1 and ::1)."""
    if host.lower() in LOOPBACK_NAMES:
        return ("127.0.0.1", "::1")
    ip = ip_literal(host)
    if ip is None:
        return ()
    if str(ip) == "0.0.0.0":
        return ("127.0.0.1",)
    if str(ip) == "::":
        return ("::1",)
    return (str(ip),)


def accepts(mapping: PortMapping, address: str) -> bool:
    """True when a connection from the host to ``address`` (a loopback address) reaches a ``ports`` entry:
    its host address is that one, the wildcard of its family, or none (both wildcards)."""
    host_ip = (mapping.host_ip or "").strip("[]")
    if not host_ip:
        return True
    wanted = ip_literal(address)
    got = ip_literal(host_ip)
    if wanted is None or got is None:
        return False
    return got == wanted or str(got) in LOOPBACK_REACH.get(str(wanted), ())


def _published(topo: Topo, host: str, port: int | None) -> tuple[tuple[str, PortMapping], ...]:
    """The containers' ``ports`` entries that a connection from the host to ``host:port`` reaches."""
    if port is None:
        return ()
    addresses = loopback_addresses(host)
    return tuple(
        (node, m)
        for node, svc in sorted(topo.services.items())
        for m in svc.ports
        if m.protocol == "tcp" and m.published == port and any(accepts(m, a) for a in addresses)
    )


def _host_reaches(topo: Topo, net_node: str) -> bool:
    """True when the host itself reaches containers' addresses on a network: a bridge network has an
    address on the host (its gateway) and a route to the subnet; overlay and macvlan networks have none
    (https://docs.docker.com/engine/network/drivers/macvlan/), an internal network is cut off."""
    net = topo.networks.get(net_node)
    return net is not None and net.driver == "bridge" and not net.internal


def _resolve_ip(topo: Topo, node: str, base: Resolution, ip: netaddr.IPAddress) -> Resolution:
    mine = topo.networks_of(node)
    if topo.namespace_owner(node) == HOST:
        mine = [n for n in topo.networks if _host_reaches(topo, n)]
    addr = str(ip)
    # A static address of a container: reached only over a network both are on.
    reached: list[tuple[str, str]] = []
    elsewhere: list[tuple[str, str]] = []
    for other_node, svc in topo.services.items():
        for att in svc.networks:
            if addr not in (att.ipv4_address, att.ipv6_address, att.ip):
                continue
            net_node = _net_node_of(topo, svc, att.network)
            (reached if net_node in mine else elsewhere).append((other_node, net_node))
    if reached or elsewhere:
        return replace(base, kind=Kind.SERVICE, reached=tuple(reached), elsewhere=tuple(elsewhere))
    holders = tuple(n for n in topo.networks if any(ip in s for s in subnets(topo, n)))
    if addr in _all_gateways(topo):
        return replace(base, kind=Kind.HOST, in_subnet_of=holders)
    return replace(base, kind=Kind.IP, in_subnet_of=holders)


def _net_node_of(topo: Topo, svc: Service, key: str) -> str:
    for _, v, data in topo.graph.out_edges(service_id(svc), data=True):
        if data.get("kind") == "attach" and data["att"].network == key:
            return str(v)
    return ""


def _closest(topo: Topo, node: str, name: str) -> str | None:
    """The most similar name the proxy could resolve (or any known name), for typo hints."""
    visible = sorted({n for net in topo.networks_of(node) for n in topo.names.get(net, {})})
    for pool in (visible, topo.all_names()):
        match = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
        if match:
            return match[0]
    return None
