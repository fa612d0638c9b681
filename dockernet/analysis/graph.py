"""The topology as one networkx graph, and the queries that answer "what can this container see".

Nodes (ids are strings, so that output is deterministic and diffable):

* ``service:<project>/<name>`` — ``kind="service"``, ``obj`` the :class:`~dockernet.model.Service`
* ``network:<engine name>`` — ``kind="network"``, ``obj`` the :class:`~dockernet.model.Network`; two projects
  that name the same engine network (``external``, or ``name:``) share the node, so a shared network is a
  shared node. ``network:bridge`` is the engine's default bridge.
* ``volume:<engine name>`` — ``kind="volume"``; ``bind:<host path>`` — ``kind="bind"``.
* ``host`` — the Docker host itself.

Edges (``kind`` attribute): ``attach`` service->network (``att`` the Attachment), ``netns``
service->service or
service->host (shares that network namespace), ``mount`` service->volume/bind (``mount``), ``publish``
host->service (``port``). The graph is built once and never changed afterwards; routes are not edges of it
(:mod:`dockernet.analysis.resolve` gives them as resolutions).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

import networkx as nx

from dockernet.model import MAX_REPLICA_NAMES, Attachment, Network, NetworkMode, Service, Topology

HOST = "host"
DEFAULT_BRIDGE = "network:bridge"
_BRIDGE_NET = Network(key="bridge", name="bridge", project=None, declared=False)


def service_id(service: Service) -> str:
    """Node id of a service."""
    return f"service:{service.project}/{service.name}"


def network_id(name: str) -> str:
    """Node id of an engine network."""
    return f"network:{name}"


def container_name(service: Service) -> str:
    """The container's name as compose v2 makes it: ``container_name`` or ``<project>-<service>-1``."""
    return service.container_name or f"{service.project}-{service.name}-1"


def dns_names(service: Service, network_key: str) -> tuple[str, ...]:
    """Names the embedded DNS answers with this service's address on one of its networks.

    Compose registers the service name, the container name and the aliases as the endpoint's aliases
    (https://docs.docker.com/compose/how-tos/networking/); Engine 20.10 answers the container's custom
    ``hostname`` too (docs/docker-facts.md, "Embedded DNS"). ``<name>.<network>`` is handled by
    :meth:`Topo.lookup`.
    """
    att = service.attachment(network_key)
    if att is None:
        return ()
    if att.dns_names:
        return att.dns_names
    if service.stack is not None:
        # Swarm: the service (its VIP, or its tasks with dnsrr) and its tasks; no container names
        # (docs/swarm.md, measured on a single-node swarm).
        full = f"{service.stack}_{service.name}"
        names = [service.name, full, f"tasks.{service.name}", f"tasks.{full}", *att.aliases]
        return tuple(dict.fromkeys(names))
    names = [service.name, container_name(service), *att.aliases]
    if service.replicas > 1 and not service.container_name:
        last = min(service.replicas, MAX_REPLICA_NAMES)
        names.extend(f"{service.project}-{service.name}-{i}" for i in range(2, last + 1))
    if service.hostname:
        names.append(service.hostname)
    return tuple(dict.fromkeys(names))


@dataclass
class Topo:
    """The graph plus the indexes the resolver needs; built once per run."""

    topology: Topology
    graph: nx.MultiDiGraph[str] = field(default_factory=nx.MultiDiGraph)
    services: dict[str, Service] = field(default_factory=dict)
    """By node id."""
    by_key: dict[tuple[str, str], str] = field(default_factory=dict)
    """(project, service) -> node id."""
    networks: dict[str, Network] = field(default_factory=dict)
    """By node id."""
    names: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    """network node id -> DNS name, lower-cased -> service node ids answering to it (DNS names match
    whatever their case, RFC 4343; seen on the engine: tests/live/test_docker_facts.py)."""
    _owner: dict[str, str | None] = field(default_factory=dict)
    _networks: dict[str, list[str]] = field(default_factory=dict)
    _all_names: list[str] = field(default_factory=list)
    _visible: dict[str, dict[str, list[tuple[str, str]]]] = field(default_factory=dict)

    def service(self, node: str) -> Service:
        """The service behind a node id."""
        return self.services[node]

    def out(self, node: str, kind: str) -> list[str]:
        """Targets of the node's outgoing edges of one kind."""
        return [str(v) for _, v, data in self.graph.out_edges(node, data=True) if data.get("kind") == kind]

    def namespace_owner(self, node: str) -> str | None:
        """The node whose network namespace this service uses: itself, another service, ``host``; None
        for ``network_mode: none`` or a ``container:`` target dockernet cannot see."""
        if node not in self._owner:
            self._owner[node] = self._find_owner(node)
        return self._owner[node]

    def _find_owner(self, node: str) -> str | None:
        seen = {node}
        while True:
            svc = self.services[node]
            if svc.network_mode is NetworkMode.HOST:
                return HOST
            if svc.network_mode is NetworkMode.NONE:
                return None
            if svc.network_mode in (NetworkMode.SERVICE, NetworkMode.CONTAINER):
                nxt = self.out(node, "netns")
                if not nxt or nxt[0] in seen:
                    return None
                if nxt[0] == HOST:
                    return HOST
                node = nxt[0]
                seen.add(node)
                continue
            return node

    def namespace_members(self, owner: str) -> list[str]:
        """Every service that lives in the namespace of ``owner`` (owner included)."""
        return sorted(n for n in self.services if self.namespace_owner(n) == owner)

    def networks_of(self, node: str) -> list[str]:
        """Network node ids the service's namespace is attached to (the graph's attachments do not change
        after it is built, so this is cached)."""
        if node not in self._networks:
            owner = self.namespace_owner(node)
            self._networks[node] = [] if owner is None or owner == HOST else sorted(self.out(owner, "attach"))
        return self._networks[node]

    def attachment_network(self, service: Service, network_node: str) -> str | None:
        """The compose key under which ``service`` is attached to that network node."""
        for _, v, data in self.graph.out_edges(service_id(service), data=True):
            if v == network_node and data.get("kind") == "attach":
                key: str = data["att"].network
                return key
        return None

    def has_embedded_dns(self, node: str) -> bool:
        """True when the container resolves through 127.0.0.11 (it is on a user-defined network)."""
        return any(n != DEFAULT_BRIDGE for n in self.networks_of(node))

    def visible_names(self, node: str) -> dict[str, list[tuple[str, str]]]:
        """Every name the embedded DNS answers for this service, with the (service, network) pairs behind
        it: the name tables of its networks merged (cached per service)."""
        if node not in self._visible:
            table: dict[str, list[tuple[str, str]]] = defaultdict(list)
            for net in self.networks_of(node):
                if net != DEFAULT_BRIDGE:
                    for name, targets in self.names.get(net, {}).items():
                        table[name].extend((target, net) for target in targets)
            self._visible[node] = dict(table)
        return self._visible[node]

    def lookup(self, node: str, name: str) -> list[tuple[str, str]]:
        """What the embedded DNS answers for ``name`` asked from this service: (service, network) pairs."""
        name = name.lower()
        found = list(self.visible_names(node).get(name, []))
        if "." in name:
            # libnetwork also answers `<name>.<network name>` (moby/libnetwork#888).
            for net in self.networks_of(node):
                suffix = "." + self.networks[net].name.lower()
                if net != DEFAULT_BRIDGE and name.endswith(suffix):
                    found.extend((t, net) for t in self.names.get(net, {}).get(name[: -len(suffix)], []))
        # links: the alias resolves in the linking container only, and only over a shared network.
        svc = self.services[node]
        shared = set(self.networks_of(node))
        for link in svc.links:
            if name in (link.alias.lower(), link.target.lower()):
                for target in self._link_targets(svc, link.target):
                    for net in sorted(shared & set(self.networks_of(target))):
                        if net != DEFAULT_BRIDGE:
                            found.append((target, net))
        return sorted(set(found))

    def _link_targets(self, svc: Service, target: str) -> list[str]:
        own = self.by_key.get((svc.project, target))
        if own:
            return [own]
        return [n for n, s in self.services.items() if container_name(s) == target]

    def all_names(self) -> list[str]:
        """Every name any container answers to anywhere, service names and container names (cached)."""
        if not self._all_names:
            names = {n for table in self.names.values() for n in table}
            names |= {s.name for s in self.services.values()} | {
                container_name(s) for s in self.services.values()
            }
            self._all_names = sorted(names)
        return self._all_names

    def lookup_anywhere(self, name: str) -> list[tuple[str, str]]:
        """Every (service, network) where some container answers to ``name``, whoever asks."""
        name = name.lower()
        found = [(target, net) for net, table in self.names.items() for target in table.get(name, [])]
        found += [
            (n, net)
            for n, s in self.services.items()
            if s.network_mode is NetworkMode.BRIDGE and name in (s.name.lower(), container_name(s).lower())
            for net in [DEFAULT_BRIDGE]
        ]
        return sorted(set(found))


def build(topology: Topology) -> Topo:
    """Build the graph and its indexes from the model."""
    topo = Topo(topology)
    g = topo.graph
    g.add_node(HOST, kind="host", label="host")
    for net in topology.engine_networks:
        _add_network(topo, net)
    for project in topology.projects:
        for net in project.networks.values():
            _add_network(topo, net)
        for svc in project.services.values():
            node = service_id(svc)
            topo.services[node] = svc
            topo.by_key[svc.key] = node
            g.add_node(node, kind="service", obj=svc)
    for project in topology.projects:
        for svc in project.services.values():
            _add_service_edges(topo, project.networks, svc)
    for net_node in topo.networks:
        table: dict[str, list[str]] = defaultdict(list)
        for svc_node, _, data in g.in_edges(net_node, data=True):
            if data.get("kind") != "attach":
                continue
            for name in dns_names(topo.services[svc_node], data["att"].network):
                table[name.lower()].append(svc_node)
        topo.names[net_node] = dict(table)
    return topo


def _add_network(topo: Topo, net: Network) -> None:
    node = network_id(net.name)
    old = topo.networks.get(node)
    # An external declaration only names a network that another project creates: keep the creator's.
    if old is None or (old.external and not net.external):
        topo.networks[node] = net
        topo.graph.add_node(node, kind="network", obj=net)


def _add_service_edges(topo: Topo, nets: Mapping[str, Network], svc: Service) -> None:
    g = topo.graph
    node = service_id(svc)
    for att in svc.networks:
        net = nets.get(att.network)
        engine_name = net.name if net is not None else att.network
        net_node = network_id(engine_name)
        if net_node not in topo.networks:
            _add_network(topo, net or Network(key=att.network, name=engine_name, project=svc.project))
        g.add_edge(node, net_node, kind="attach", att=att)
    mode = svc.network_mode
    if mode is NetworkMode.BRIDGE:
        if DEFAULT_BRIDGE not in topo.networks:
            _add_network(topo, _BRIDGE_NET)
        g.add_edge(node, DEFAULT_BRIDGE, kind="attach", att=Attachment(network="bridge"))
    elif mode is NetworkMode.HOST:
        g.add_edge(node, HOST, kind="netns")
    elif mode is NetworkMode.SERVICE and svc.network_mode_target:
        target = topo.by_key.get((svc.project, svc.network_mode_target))
        if target:
            g.add_edge(node, target, kind="netns")
    elif mode is NetworkMode.CONTAINER and svc.network_mode_target:
        for other_node, other in topo.services.items():
            if svc.network_mode_target in (container_name(other), other.name):
                g.add_edge(node, other_node, kind="netns")
                break
    for mount in svc.volumes:
        if mount.source is None or mount.type == "tmpfs":
            continue
        vol_node = f"{'bind' if mount.type == 'bind' else 'volume'}:{mount.source}"
        g.add_node(vol_node, kind=mount.type if mount.type == "bind" else "volume", label=mount.source)
        g.add_edge(node, vol_node, kind="mount", mount=mount)
    for port in svc.ports:
        if port.published is not None:
            g.add_edge(HOST, node, kind="publish", port=port)
