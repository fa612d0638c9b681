"""A :class:`~dockernet.sources.engine.snapshot.Snapshot` turned into model objects (:func:`build`). Pure:
no requests, tested against recorded answers of real engines (tests/data/engine/).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from dockernet.model import (
    NOWHERE,
    Attachment,
    ExtraHost,
    IpamConfig,
    Link,
    Loc,
    Mount,
    Network,
    NetworkMode,
    PortMapping,
    Project,
    Service,
    Topology,
    frozen_map,
)
from dockernet.sources.engine import api, labellines
from dockernet.sources.engine.api import (
    CONFIG_FILES_LABEL,
    DEPENDS_ON_LABEL,
    ONEOFF_LABEL,
    PROJECT_LABEL,
    SERVICE_LABEL,
    STANDALONE,
    WORKING_DIR_LABEL,
)
from dockernet.sources.engine.snapshot import Scope, Snapshot, select


@dataclass(frozen=True)
class Live:
    """What :func:`build` made of a snapshot."""

    topology: Topology
    """Projects (live), engine networks, host gateway, partial reasons; no proxy configs yet."""
    containers: Mapping[tuple[str, str], str]
    """(project, service) -> container name."""
    ids: Mapping[tuple[str, str], str]
    """(project, service) -> container ID."""
    checked: frozenset[tuple[str, str]]
    """The services the scope checks (the others are context)."""


def _env(values: Iterable[str]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for item in values:
        key, sep, val = item.partition("=")
        out[key] = val if sep else None
    return out


def _extra_hosts(values: Iterable[str], loc: Loc) -> tuple[ExtraHost, ...]:
    out: list[ExtraHost] = []
    for item in values:
        # "host:ip" (the engine's form; an IPv6 address keeps its colons) or "host=ip" (CLI 25+).
        sep = "=" if "=" in item else ":"
        host, _, ip = item.partition(sep)
        if host and ip:
            out.append(ExtraHost(host=host, ip=ip.strip("[]"), loc=loc))
    return tuple(out)


def _links(values: Iterable[str], loc: Loc) -> tuple[Link, ...]:
    out: list[Link] = []
    for item in values:
        # Engine form: "/target:/linking-container/alias".
        target, _, alias_path = item.partition(":")
        out.append(Link(target=target.lstrip("/"), alias=alias_path.rsplit("/", 1)[-1], loc=loc))
    return tuple(out)


def _ports(c: Mapping[str, Any], inspect: Mapping[str, Any], loc: Loc) -> tuple[PortMapping, ...]:
    seen: dict[tuple[int, int | None, str, str | None], PortMapping] = {}
    entries = c.get("Ports")
    if entries is None:
        entries = []
        for key, binds in ((inspect.get("NetworkSettings") or {}).get("Ports") or {}).items():
            port, _, proto = str(key).partition("/")
            for b in binds or []:
                entries.append(
                    {
                        "PrivatePort": int(port),
                        "PublicPort": int(b.get("HostPort") or 0) or None,
                        "IP": b.get("HostIp"),
                        "Type": proto or "tcp",
                    }
                )
    for p in entries:
        public = p.get("PublicPort")
        private = p.get("PrivatePort")
        if not public or private is None:
            continue
        ip = p.get("IP") or None
        if ip == "::":  # the engine lists the IPv6 twin of a 0.0.0.0 binding separately
            ip = "0.0.0.0"
        key = (int(private), int(public), str(p.get("Type") or "tcp"), ip)
        seen.setdefault(
            key, PortMapping(target=key[0], published=key[1], host_ip=ip, protocol=key[2], loc=loc)
        )
    return tuple(seen[k] for k in sorted(seen, key=lambda k: (k[0], k[1] or 0, k[2], k[3] or "")))


def _exposed(inspect: Mapping[str, Any], c: Mapping[str, Any]) -> tuple[int, ...]:
    ports: set[int] = set()
    for key in (inspect.get("Config") or {}).get("ExposedPorts") or {}:
        num = str(key).split("/", 1)[0]
        if num.isdigit():
            ports.add(int(num))
    for p in c.get("Ports") or []:
        if p.get("PrivatePort"):
            ports.add(int(p["PrivatePort"]))
    return tuple(sorted(ports))


def _mounts(c: Mapping[str, Any], inspect: Mapping[str, Any], loc: Loc) -> tuple[Mount, ...]:
    out: list[Mount] = []
    for m in c.get("Mounts") or inspect.get("Mounts") or []:
        kind = str(m.get("Type") or "volume")
        target = str(m.get("Destination") or "")
        if not target:
            continue
        if kind == "bind":
            source = m.get("Source") or None
        elif kind == "volume":
            source = m.get("Name") or None
        else:
            source = None
        out.append(Mount(type=kind, target=target, source=source, read_only=not m.get("RW", True), loc=loc))
    # `--tmpfs` and compose's `tmpfs:` key live in HostConfig.Tmpfs, not in Mounts.
    for target in (inspect.get("HostConfig") or {}).get("Tmpfs") or {}:
        if not any(m.target == target for m in out):
            out.append(Mount(type="tmpfs", target=str(target), loc=loc))
    return tuple(out)


def _health(c: Mapping[str, Any], inspect: Mapping[str, Any]) -> str | None:
    health = (inspect.get("State") or {}).get("Health")
    if isinstance(health, Mapping) and health.get("Status"):
        return str(health["Status"])
    status = str(c.get("Status") or "")
    for word in ("unhealthy", "healthy", "health: starting"):
        if f"({word})" in status:
            return "starting" if word == "health: starting" else word
    return None


def build(snap: Snapshot, scope: Scope = Scope()) -> Live:
    """The model of what runs on the engine. Pure: no requests."""
    containers = [c for c in snap.containers if str(c.get("Id", ""))]
    by_id = {str(c["Id"]): c for c in containers}
    checked_ids, context_ids = select(containers, snap.networks, scope, strict=False)
    keep = (checked_ids | context_ids) if not scope.everything else set(by_id)
    names = {cid: api.name(c) for cid, c in by_id.items()}

    # Group by project and service; a service with more than one container (scale, one-off runs) names
    # each container by its container name, so that every (project, name) is one container.
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for cid in sorted(keep, key=lambda i: names[i]):
        labels = api.labels(by_id[cid])
        project = labels.get(PROJECT_LABEL, STANDALONE)
        service = labels.get(SERVICE_LABEL) if project != STANDALONE else None
        oneoff = str(labels.get(ONEOFF_LABEL, "False")).lower() == "true"
        groups[(project, names[cid] if (service is None or oneoff) else service)].append(cid)
    svc_name: dict[str, tuple[str, str]] = {}
    for (project, service), ids in groups.items():
        for cid in ids:
            svc_name[cid] = (project, service if len(ids) == 1 else names[cid])

    # Networks: a compose project's own networks belong to it (when it is loaded); the rest are the
    # engine's. Keys are engine names, as the model says for live networks.
    loaded_projects = {p for p, _ in svc_name.values()}
    project_nets: dict[str, dict[str, Network]] = defaultdict(dict)
    engine_nets: list[Network] = []
    existing: set[str] = set()
    host_gateway = "172.17.0.1"
    project_files: dict[str, tuple[str, ...]] = {}
    for cid, (project, _) in svc_name.items():
        files = tuple(f for f in str(api.labels(by_id[cid]).get(CONFIG_FILES_LABEL, "")).split(",") if f)
        project_files.setdefault(project, files)
    for n in snap.networks:
        name = str(n.get("Name", ""))
        if not name:
            continue
        existing.add(name)
        labels = n.get("Labels") or {}
        owner = labels.get(PROJECT_LABEL)
        files = project_files.get(owner or "", ())
        loc = Loc(files[0]) if owner in loaded_projects and files else NOWHERE
        ipam = tuple(
            IpamConfig(
                subnet=cfg.get("Subnet") or None,
                ip_range=cfg.get("IPRange") or None,
                gateway=cfg.get("Gateway") or None,
                aux_addresses=tuple(sorted((cfg.get("AuxiliaryAddresses") or {}).items())),
                loc=loc,
            )
            for cfg in ((n.get("IPAM") or {}).get("Config") or [])
        )
        net = Network(
            key=name,
            name=name,
            project=owner,
            driver=str(n.get("Driver") or "bridge"),
            internal=bool(n.get("Internal")),
            enable_ipv6=bool(n.get("EnableIPv6")),
            ipam=ipam,
            loc=loc,
            declared=owner in loaded_projects,
        )
        if (n.get("Options") or {}).get("com.docker.network.bridge.default_bridge") == "true" or (
            name == "bridge" and n.get("Driver") == "bridge"
        ):
            host_gateway = next((c.gateway for c in ipam if c.gateway and ":" not in c.gateway), host_gateway)
        if owner in loaded_projects:
            project_nets[owner][name] = net
        else:
            engine_nets.append(net)

    services: dict[str, dict[str, Service]] = defaultdict(dict)
    container_of: dict[tuple[str, str], str] = {}
    id_of: dict[tuple[str, str], str] = {}
    partial = list(snap.partial)
    for cid, key in sorted(svc_name.items(), key=lambda kv: kv[1]):
        c = by_id[cid]
        inspect = snap.inspects.get(cid) or {}
        if not inspect:
            partial.append(f"container {names[cid]} was not inspected: its aliases and health are unknown")
        svc = _service(c, inspect, key, names, by_id, svc_name, existing, project_files, project_nets)
        services[key[0]][key[1]] = svc
        container_of[key] = names[cid]
        id_of[key] = cid

    projects: list[Project] = []
    for project in sorted(services):
        labels = next(api.labels(by_id[cid]) for cid, k in svc_name.items() if k[0] == project)
        projects.append(
            Project(
                name=project,
                directory=str(labels.get(WORKING_DIR_LABEL, "")) if project else "",
                files=project_files.get(project, ()),
                services=MappingProxyType(services[project]),
                networks=MappingProxyType(project_nets.get(project, {})),
                live=True,
                # A container's environment is a secret: outputs name a value, never show it.
                secrets=tuple(
                    (value, f"<{key} of {svc.name}>")
                    for svc in services[project].values()
                    for key, value in svc.environment.items()
                    if value
                ),
            )
        )
    checked = frozenset(
        svc_name[cid] for cid in (checked_ids if not scope.everything else by_id) if cid in svc_name
    )
    topology = Topology(
        projects=tuple(projects),
        engine_networks=tuple(sorted(engine_nets, key=lambda n: n.name)),
        host_gateway=host_gateway,
        partial=tuple(dict.fromkeys(partial)),
    )
    return Live(topology=topology, containers=container_of, ids=id_of, checked=checked)


def _service(
    c: Mapping[str, Any],
    inspect: Mapping[str, Any],
    key: tuple[str, str],
    names: Mapping[str, str],
    by_id: Mapping[str, Mapping[str, Any]],
    svc_name: Mapping[str, tuple[str, str]],
    existing: set[str],
    project_files: Mapping[str, tuple[str, ...]],
    project_nets: dict[str, dict[str, Network]],
) -> Service:
    project, name = key
    cid = str(c["Id"])
    cname = names[cid]
    labels = dict(api.labels(c) or api.labels(inspect))
    config = inspect.get("Config") or {}
    host_config = inspect.get("HostConfig") or {}
    state = inspect.get("State") or {}
    files = project_files.get(project, ())
    loc = Loc(files[0]) if files else NOWHERE
    mode_raw = api.net_mode(inspect) or api.net_mode(c)
    mode = NetworkMode.NETWORKS
    mode_target: str | None = None
    if mode_raw == "host":
        mode = NetworkMode.HOST
    elif mode_raw == "none":
        mode = NetworkMode.NONE
    elif mode_raw.startswith("container:"):
        mode = NetworkMode.CONTAINER
        ref = mode_raw.split(":", 1)[1]
        target = api.find_id(by_id, ref)
        mode_target = names[target] if target else ref[:12]
    attachments: list[Attachment] = []
    if mode is NetworkMode.NETWORKS:
        endpoints = api.endpoints(inspect) or api.endpoints(c)
        for net_name in sorted(endpoints):
            ep = endpoints[net_name] or {}
            ipam = ep.get("IPAMConfig") or {}
            aliases = api.str_list(ep.get("Aliases"))
            dns = api.str_list(ep.get("DNSNames"))
            if not dns and net_name != "bridge":
                # Before API 1.44 there is no DNSNames: the container name plus the aliases (which on
                # these engines include the short ID and the hostname) are what the embedded DNS answers.
                dns = tuple(dict.fromkeys((cname, *aliases)))
            own = {cname, cid[:12], name, str(config.get("Hostname") or "")}
            attachments.append(
                Attachment(
                    network=net_name,
                    aliases=tuple(a for a in aliases if a not in own),
                    ipv4_address=ipam.get("IPv4Address") or None,
                    ipv6_address=ipam.get("IPv6Address") or None,
                    loc=loc,
                    ip=ep.get("IPAddress") or ep.get("GlobalIPv6Address") or None,
                    dns_names=dns,
                )
            )
            if net_name not in existing and project:
                # The container is attached to a network that no longer exists: `docker compose up`
                # recreates the project's own networks, so only a foreign (external) one stays missing.
                own_net = net_name.startswith(f"{project}_")
                project_nets[project].setdefault(
                    net_name,
                    Network(key=net_name, name=net_name, project=project, external=not own_net, loc=loc),
                )
    hostname = str(config.get("Hostname") or "") or None
    if hostname == cid[:12]:
        hostname = None  # the engine's default, not a name anyone chose
    health_cfg = config.get("Healthcheck") or {}
    depends = tuple(
        d.split(":", 1)[0] for d in str(labels.get(DEPENDS_ON_LABEL, "")).split(",") if d.split(":", 1)[0]
    )
    exit_code = state.get("ExitCode")
    status = str(state.get("Status") or c.get("State") or "") or None
    return Service(
        project=project,
        name=name,
        loc=loc,
        image=str(config.get("Image") or c.get("Image") or "") or None,
        container_name=cname,
        hostname=hostname,
        network_mode=mode,
        network_mode_target=mode_target,
        network_mode_loc=loc if mode_target else NOWHERE,
        networks=tuple(attachments),
        links=_links(api.str_list(host_config.get("Links")), loc),
        extra_hosts=_extra_hosts(api.str_list(host_config.get("ExtraHosts")), loc),
        ports=_ports(c, inspect, loc),
        expose=_exposed(inspect, c),
        volumes=_mounts(c, inspect, loc),
        depends_on=depends,
        command=api.str_list(config.get("Cmd")),
        entrypoint=api.str_list(config.get("Entrypoint")),
        environment=frozen_map(_env(api.str_list(config.get("Env")))),
        labels=frozen_map(labels),
        label_locs=MappingProxyType(dict(labellines.label_locs(files, labels))),
        healthcheck=bool(health_cfg) and api.str_list(health_cfg.get("Test"))[:1] != ("NONE",),
        state=status,
        health=_health(c, inspect),
        exit_code=int(exit_code) if isinstance(exit_code, int) else None,
        started_at=str(state.get("StartedAt") or "") or None,
    )
