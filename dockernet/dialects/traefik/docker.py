"""Traefik's Docker provider: routers and servers from the labels of the containers it sees.

What Traefik 3.7 does with a container, measured (docs/proxy-behaviour.md, t01-t19) and read in its
source (``pkg/provider/docker/config.go``, ``shared.go``; ``pkg/provider/configuration.go``,
https://github.com/traefik/traefik):

* it keeps a container when ``traefik.enable`` (else ``exposedByDefault``, default true) says so and the
  ``constraints`` expression matches (``keepContainer``);
* its services are the ``traefik.http.services.<s>`` labels, else one service named after the compose
  service and project (``app_proj`` normalized: ``app-proj``); its routers the ``traefik.http.routers.<r>``
  labels, else one router of that name when there is at most one service; a router without ``rule``
  gets the ``defaultRule``, one without ``service`` the container's only service;
* a service's port is ``loadbalancer.server.port`` (the container side), else the lowest exposed port by
  number, else the container is skipped: ``port is missing`` (t05, t06);
* the address is the container's on ``traefik.docker.network`` (else ``providers.docker.network``), else
  on any of its networks, picked at random (t08-t11); the resolver (``Lookup.PROVIDER``) decides that.

Label names are case-insensitive (https://doc.traefik.io/traefik/routing/providers/docker/). Label values
are secrets in general (basic-auth hashes live there): only the routing values are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dockernet.dialects.base import Peers
from dockernet.dialects.traefik.facts import NetworkSetting, Router, Skipped, Why, error_statuses
from dockernet.dialects.traefik.matcher import default_rule, normalize
from dockernet.dialects.traefik.static import Docker
from dockernet.model import Loc, Lookup, NetworkMode, Service, Upstream

_ROUTER = re.compile(r"^traefik\.http\.routers\.([^.]+)\.(rule|service|entrypoints)$", re.IGNORECASE)
_SERVICE = re.compile(r"^traefik\.http\.services\.([^.]+)\.(.*)$", re.IGNORECASE)
_ERRORS = re.compile(r"^traefik\.http\.middlewares\.[^.]+\.errors\.status$", re.IGNORECASE)


@dataclass
class Found:
    """The Docker provider's routers and servers (services by qualified name)."""

    routers: list[Router] = field(default_factory=list)
    servers: dict[str, list[Upstream]] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    networks: list[NetworkSetting] = field(default_factory=list)
    error_pages: set[int] = field(default_factory=set)
    """The gateway statuses (502-504) an ``errors`` middleware of some container answers with a page."""


def label_loc(svc: Service, key: str) -> Loc:
    """Where a label is written; a live container's labels have no file: the label names the place."""
    loc = svc.label_locs.get(key)
    if loc is not None:
        return loc
    return svc.loc if svc.loc.file else Loc(f"{svc.project}/{svc.name} label {key}")


def read(provider: Docker, entrypoints: tuple[str, ...], peers: Peers) -> Found:
    """Every container's routers and servers."""
    found = Found()
    for svc in peers.services:
        if svc.network_mode is NetworkMode.NONE:
            continue
        labels = {k: v or "" for k, v in svc.labels.items() if k.lower().startswith("traefik.")}
        if not labels or not _kept(svc, provider):
            continue  # no labels: Traefik routes it with defaults, nobody asked for that route
        for key, value in labels.items():
            if _ERRORS.match(key):
                found.error_pages |= error_statuses(value)
        _container(svc, labels, provider, entrypoints, peers, found)
    return found


def _kept(svc: Service, provider: Docker) -> bool:
    """The constraint expression, for the ``Label(`k`, `v`)`` terms joined by ``&&`` (anything else: kept)."""
    expr = provider.constraints
    if not expr or "||" in expr or "!" in expr:
        return True
    for term in expr.split("&&"):
        m = re.fullmatch(r"\s*Label\(\s*`([^`]*)`\s*,\s*`([^`]*)`\s*\)\s*", term)
        if m is None:
            return True
        if _compose_label(svc, m.group(1)) != m.group(2):
            return False
    return True


def _compose_label(svc: Service, key: str) -> str | None:
    if key == "com.docker.compose.project":
        return svc.project
    if key == "com.docker.compose.service":
        return svc.name
    return svc.labels.get(key)


def _get(labels: dict[str, str], key: str) -> tuple[str, str] | None:
    for k, v in labels.items():
        if k.lower() == key:
            return k, v
    return None


def _container(
    svc: Service,
    labels: dict[str, str],
    provider: Docker,
    entrypoints: tuple[str, ...],
    peers: Peers,
    found: Found,
) -> None:
    name = normalize(f"{svc.name}_{svc.project}")
    routers: dict[str, dict[str, tuple[str, str]]] = {}
    services: dict[str, dict[str, tuple[str, str]]] = {}
    for key, value in labels.items():
        if m := _ROUTER.match(key):
            routers.setdefault(m.group(1), {})[m.group(2).lower()] = (key, value)
        elif m := _SERVICE.match(key):
            services.setdefault(m.group(1), {})[m.group(2).lower()] = (key, value)
    enable = _get(labels, "traefik.enable")
    enabled = enable[1].strip().lower() == "true" if enable else provider.exposed_by_default
    first = min((label_loc(svc, k) for k in labels), default=svc.loc)
    why: Why | None = None
    if not enabled:
        found.skipped.append(
            Skipped(svc.key, Why.DISABLED, first, has_router=bool(routers), explicit=enable is not None)
        )
        if enable is not None or not routers:
            return  # traefik.enable=false is a choice; no router: nothing was meant to be served
        why = Why.DISABLED
    tcp = any(k.lower().startswith(("traefik.tcp.", "traefik.udp.")) for k in labels)
    if tcp and not routers:
        found.skipped.append(Skipped(svc.key, Why.TCP_ONLY, first))
        return
    network = _get(labels, "traefik.docker.network")
    net_name = network[1] if network else provider.network
    if net_name and why is None:
        where = label_loc(svc, network[0]) if network else (provider.network_loc or provider.loc)
        found.networks.append(NetworkSetting(svc.key, net_name, where, network is not None))
    servers: dict[str, Upstream | None] = {}
    for sname in services or {name: {}}:
        servers[sname] = _server(svc, sname, services.get(sname, {}), peers, net_name, first)
    if why is None and None in servers.values():
        # A live container's expose holds its image's EXPOSE; compose input knows it for a built
        # image whose Dockerfile was read, and for base images.
        known = not svc.loc.file or svc.key in peers.exposed or _bare_image(svc)
        found.skipped.append(Skipped(svc.key, Why.PORT_MISSING, first, bool(routers), expose_known=known))
        why = Why.PORT_MISSING
    for rname, opts in routers.items() or [(name, {})]:
        where = (
            label_loc(svc, opts["rule"][0])
            if "rule" in opts
            else (min(label_loc(svc, k) for k, _ in opts.values()) if opts else svc.loc)
        )
        target = opts.get("service")
        if target is None and len(servers) > 1:
            found.skipped.append(Skipped(svc.key, Why.TOO_MANY_SERVICES, where, True))
            continue
        service = target[1] if target else next(iter(servers))
        rule = opts["rule"][1] if "rule" in opts else default_rule(provider.default_rule, name)
        eps = opts.get("entrypoints")
        found.routers.append(
            Router(
                name=f"{rname}@docker",
                rule=rule,
                service=service if "@" in service else f"{service}@docker",
                entrypoints=tuple(e.strip() for e in eps[1].split(",")) if eps else entrypoints,
                loc=where,
                service_loc=label_loc(svc, target[0]) if target else where,
                container=svc.key,
                why=why,
            )
        )
    for sname, upstream in servers.items():
        if why is None and upstream is not None:
            found.servers.setdefault(f"{sname}@docker", []).append(upstream)


_BARE = re.compile(r"^(?:.*/)?(busybox|alpine|debian|ubuntu)(?::.*)?$")


def _bare_image(svc: Service) -> bool:
    """Images known to ``EXPOSE`` nothing (base images, and the test images built from them)."""
    return bool(svc.image and _BARE.match(svc.image))


def _server(
    svc: Service,
    sname: str,
    opts: dict[str, tuple[str, str]],
    peers: Peers,
    network: str | None,
    first: Loc,
) -> Upstream | None:
    """The address of one service of a container: its port label, else the lowest exposed port."""
    scheme_opt = opts.get("loadbalancer.server.scheme")
    scheme = scheme_opt[1].strip().lower() if scheme_opt else "http"
    port_opt = opts.get("loadbalancer.server.port")
    why: str | None = None
    if port_opt is not None and port_opt[1].strip().isdigit():
        port, loc, written = int(port_opt[1]), label_loc(svc, port_opt[0]), True
        raw = f"{port_opt[0]}={port}"
    else:
        exposed = {*svc.expose, *(p.target for p in svc.ports if p.protocol == "tcp")}
        exposed |= set(peers.exposed.get(svc.key, ()))
        if not exposed:
            return None
        port, loc, written = min(exposed), (svc.expose_loc if svc.expose_loc.file else first), False
        label = f"traefik.http.services.{sname}.loadbalancer.server.port"
        why = f"no {label} label: the lowest exposed port"
        raw = f"{svc.name}:{port} ({why})"
    return Upstream(
        raw=raw,
        loc=loc,
        directive="loadbalancer.server.port",
        protocol="https" if scheme == "https" else "http",
        scheme=scheme,
        host=svc.name,
        port=port,
        port_written=written,
        port_from=why,
        lookup=Lookup.PROVIDER,
        service=svc.key,
        network=network,
    )
