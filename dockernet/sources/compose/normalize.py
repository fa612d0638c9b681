"""Step 5 of the compose loader: profiles, then the merged model normalised into a
:class:`~dockernet.model.Project`.

The implicit ``default`` network, engine names, paths made absolute, sequences made unique the way
compose-go's ``EnforceUnicity`` does, and the consistency checks of ``docker compose config`` (undefined
networks, volumes and services, ``network_mode`` with ``networks``, dependency cycles). Resources that no
active service uses are left out, as ``docker compose config`` and ``up`` do. The fields that need only the
service's own YAML are read by :mod:`.fields`; what stays here needs the project.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from dockernet.errors import InputError
from dockernet.model import (
    MAX_REPLICA_NAMES,
    Attachment,
    Build,
    IpamConfig,
    Link,
    Loc,
    Mount,
    Network,
    NetworkMode,
    Project,
    Service,
    Volume,
    frozen_map,
)
from dockernet.sources.compose import stack as _stack
from dockernet.sources.compose.common import _abs_path, _err, _expand_home, _is_remote, _kv_map, _scalar_str
from dockernet.sources.compose.discover import read_env_file
from dockernet.sources.compose.fields import (
    _argv,
    _bool,
    _clean_container_path,
    _expose,
    _extra_hosts,
    _healthcheck,
    _kv_items,
    _labels,
    _list,
    _map,
    _parse_volume_spec,
    _ports,
    _replicas,
    _str,
)
from dockernet.sources.compose.yamlsafe import Pos, YMap, YSeq

_SERVICE_PREFIX = "service:"
_CONTAINER_PREFIX = "container:"


class _Normalizer:
    """The merged model -> Project: profiles, implicit default network, engine names, short syntaxes."""

    def __init__(
        self,
        model: YMap,
        name: str,
        project_dir: str,
        env: Mapping[str, str],
        profiles: set[str],
        files: list[str],
        warnings: list[str],
        *,
        stack: bool = False,
    ) -> None:
        self.stack = stack
        """``docker stack deploy`` semantics (:mod:`.stack`): overlay networks, task services."""
        self.warnings = warnings
        self.secrets: dict[str, str] = {}
        """Values from env files or the environment, and how to name them instead (never printed)."""
        self.model = model
        self.name = name
        self.dir = project_dir
        self.env = env
        self.profiles = profiles
        self.files = files
        self.first = files[0]
        self.used_networks: dict[str, Loc] = {}
        self.used_volumes: set[str] = set()
        self.extra_networks: dict[str, Network] = {}

    def _is_active(self, svc: Any) -> bool:
        """Whether the active profiles enable the service (one without ``profiles`` always is)."""
        if not isinstance(svc, YMap):
            return True
        profiles = svc.get("profiles")
        if not profiles:
            return True
        if not isinstance(profiles, YSeq):
            raise _err(svc.where("profiles"), "profiles must be a list")
        return "*" in self.profiles or any(_scalar_str(p) in self.profiles for p in profiles)

    # ---------------------------------------------------------------------------------------- project

    def project(self) -> Project:
        """The Project: the active services, then the networks and volumes they use."""
        model = self.model
        services_y = _map(model, "services", "services")
        if services_y is None:
            services_y = YMap((self.first, 0))
        self.networks_y = _map(model, "networks", "networks") or YMap((self.first, 0))
        self.volumes_y = _map(model, "volumes", "volumes") or YMap((self.first, 0))
        self.all_services = set(services_y)
        self.active = [n for n in services_y if self._is_active(services_y[n])]
        self.active_set = set(self.active)
        services: dict[str, Service] = {}
        for name in self.active:
            services[name] = self.service(name, services_y[name], services_y.where(name))
        for name, svc in services.items():
            target = svc.network_mode_target
            if (
                svc.network_mode is NetworkMode.SERVICE
                and target is not None
                and target not in self.all_services
            ):
                raise _loc_err(
                    svc.network_mode_loc, f'service "{name}" depends on undefined service "{target}"'
                )
        _check_cycles(services)
        networks: dict[str, Network] = {}
        for key in self.networks_y:
            if key in self.used_networks:
                networks[key] = self.network(key)
        if "default" in self.used_networks and "default" not in networks:
            networks["default"] = Network(
                key="default",
                name=f"{self.name}_default",
                project=self.name,
                # Not declared anywhere: point at the first service that made compose create it.
                loc=self.used_networks["default"],
                driver="overlay" if self.stack else "bridge",
                declared=False,
            )
        networks.update(self.extra_networks)
        volumes: dict[str, Volume] = {}
        for key in self.volumes_y:
            if key in self.used_volumes:
                volumes[key] = self.volume(key)
        return Project(
            name=self.name,
            directory=self.dir,
            files=tuple(self.files),
            services=MappingProxyType(services),
            networks=MappingProxyType(networks),
            volumes=MappingProxyType(volumes),
            secrets=tuple(self.secrets.items()),
        )

    def network(self, key: str) -> Network:
        """Network ``key`` of the top-level ``networks``; engine name ``<project>_<key>`` unless set."""
        cfg = self.networks_y.get(key)
        pos = self.networks_y.where(key)
        loc = Loc(*pos)
        default_driver = "overlay" if self.stack else "bridge"
        if cfg is None:
            return Network(
                key=key, name=f"{self.name}_{key}", project=self.name, loc=loc, driver=default_driver
            )
        if not isinstance(cfg, YMap):
            raise _err(pos, f"networks.{key} must be a mapping")
        what = f"networks.{key}"
        ext = cfg.get("external")
        legacy_name: str | None = None
        if isinstance(ext, YMap):
            # The deprecated ``external: {name: x}`` form (compose-go ``relocateExternalName``).
            external = True
            legacy_name = _str(ext, "name", f"{what}.external.name")
        else:
            external = _bool(cfg, "external", f"{what}.external")
        name = _str(cfg, "name", f"{what}.name") or legacy_name
        engine_name = name or (key if external else f"{self.name}_{key}")
        ipam: list[IpamConfig] = []
        ipam_y = _map(cfg, "ipam", f"{what}.ipam")
        if ipam_y is not None:
            configs = _list(ipam_y, "config", f"{what}.ipam.config")
            for i, item in enumerate(configs):
                ipos = configs.where(i)
                if not isinstance(item, YMap):
                    raise _err(ipos, f"{what}.ipam.config entries must be mappings")
                aux = _map(item, "aux_addresses", f"{what}.ipam.config.aux_addresses") or YMap()
                ipam.append(
                    IpamConfig(
                        subnet=_str(item, "subnet", "subnet"),
                        ip_range=_str(item, "ip_range", "ip_range"),
                        gateway=_str(item, "gateway", "gateway"),
                        aux_addresses=tuple((str(k), _scalar_str(v)) for k, v in aux.items()),
                        loc=Loc(*ipos),
                    )
                )
        return Network(
            key=key,
            name=engine_name,
            project=self.name,
            driver=_str(cfg, "driver", f"{what}.driver") or default_driver,
            attachable=_stack.attachable(cfg, what),
            external=external,
            internal=_bool(cfg, "internal", f"{what}.internal"),
            enable_ipv6=_bool(cfg, "enable_ipv6", f"{what}.enable_ipv6"),
            ipam=tuple(ipam),
            loc=loc,
        )

    def volume(self, key: str) -> Volume:
        """Volume ``key`` of the top-level ``volumes``; engine name ``<project>_<key>`` unless set."""
        cfg = self.volumes_y.get(key)
        pos = self.volumes_y.where(key)
        if cfg is None:
            return Volume(key=key, name=f"{self.name}_{key}", loc=Loc(*pos))
        if not isinstance(cfg, YMap):
            raise _err(pos, f"volumes.{key} must be a mapping")
        ext = cfg.get("external")
        legacy_name: str | None = None
        if isinstance(ext, YMap):
            external = True
            legacy_name = _str(ext, "name", f"volumes.{key}.external.name")
        else:
            external = _bool(cfg, "external", f"volumes.{key}.external")
        name = _str(cfg, "name", f"volumes.{key}.name") or legacy_name
        return Volume(
            key=key,
            name=name or (key if external else f"{self.name}_{key}"),
            external=external,
            loc=Loc(*pos),
        )

    # ---------------------------------------------------------------------------------------- service

    def service(self, name: str, svc: Any, pos: Pos) -> Service:
        """One active service, its fields read and checked against the rest of the project."""
        if not isinstance(svc, YMap):
            raise _err(pos, f"services.{name} must be a mapping")
        what = f"services.{name}"
        loc = Loc(*pos)
        if self.stack:
            _stack.refuse(svc, what)
        image = _str(svc, "image", f"{what}.image") or None
        build = self.build(svc, what)
        if image is None and build is None:
            raise _err(pos, f'service "{name}" has neither an image nor a build context specified')

        mode, mode_target, mode_loc, attachments = self.networking(name, svc, what, loc)
        links = self.links(name, svc, what, "links", external=False)
        external_links = self.links(name, svc, what, "external_links", external=True)
        depends_on = self.depends_on(name, svc, what)
        implicit = [link.target for link in links]
        if mode is NetworkMode.SERVICE and mode_target:
            implicit.append(mode_target)
        for dep in implicit:
            # Links and ``network_mode: service:x`` imply ``depends_on`` (compose-go ``normalize``).
            if dep not in depends_on and dep in self.active_set:
                depends_on.append(dep)

        expose, expose_loc = _expose(svc, what)
        labels, label_locs = _labels(svc, what)
        env_locs: dict[str, Loc] = {}
        environment = self.environment(svc, what, env_locs)
        profiles = svc.get("profiles")
        replicas = _replicas(svc, what)
        if replicas > MAX_REPLICA_NAMES:
            deploy = svc.get("deploy")
            file, line = deploy.where("replicas") if isinstance(deploy, YMap) else svc.where("scale")
            self.warnings.append(
                f"{file}:{line}: {what} has {replicas} replicas; only the container names of the first "
                f"{MAX_REPLICA_NAMES} are resolved"
            )
        service = Service(
            project=self.name,
            name=name,
            loc=loc,
            image=image,
            build=build,
            container_name=_str(svc, "container_name", f"{what}.container_name") or None,
            hostname=_str(svc, "hostname", f"{what}.hostname") or None,
            network_mode=mode,
            network_mode_target=mode_target,
            network_mode_loc=mode_loc,
            networks=tuple(attachments),
            links=(*links, *external_links),
            extra_hosts=_extra_hosts(svc, what),
            ports=_ports(svc, what),
            expose=expose,
            expose_loc=expose_loc,
            volumes=self.mounts(name, svc, what),
            depends_on=tuple(depends_on),
            command=_argv(svc, "command", what),
            entrypoint=_argv(svc, "entrypoint", what),
            environment=frozen_map(environment),
            labels=frozen_map(labels),
            label_locs=MappingProxyType(label_locs),
            env_locs=MappingProxyType(env_locs),
            profiles=tuple(_scalar_str(p) for p in profiles) if isinstance(profiles, YSeq) else (),
            healthcheck=_healthcheck(svc, what),
            replicas=replicas,
        )
        return _stack.as_task_service(service, svc, what, self.name) if self.stack else service

    def build(self, svc: YMap, what: str) -> Build | None:
        """``build`` as an absolute context and Dockerfile path (a remote context as it is); None if unset."""
        raw = svc.get("build")
        if raw is None:
            return None
        pos = svc.where("build")
        if isinstance(raw, YMap):
            context = _str(raw, "context", f"{what}.build.context") or "."
            dockerfile = _str(raw, "dockerfile", f"{what}.build.dockerfile")
            inline = raw.get("dockerfile_inline") is not None
        elif isinstance(raw, YSeq):
            raise _err(pos, f"{what}.build must be a string or a mapping")
        else:
            context, dockerfile, inline = _scalar_str(raw), None, False
        if _is_remote(context):
            return Build(context=context, dockerfile=dockerfile or "Dockerfile", loc=Loc(*pos))
        context = _abs_path(context, self.dir, self.env)
        if inline and not dockerfile:
            path = ""  # dockerfile_inline: there is no file
        else:
            path = os.path.normpath(os.path.join(context, _expand_home(dockerfile or "Dockerfile", self.env)))
        return Build(context=context, dockerfile=path, loc=Loc(*pos))

    def networking(
        self, name: str, svc: YMap, what: str, svc_loc: Loc
    ) -> tuple[NetworkMode, str | None, Loc, list[Attachment]]:
        """``network_mode`` or ``networks`` as (mode, target, location, attachments); notes networks used."""
        # docker stack deploy ignores network_mode: the task joins the networks (or the stack's default).
        raw_mode = None if self.stack else _str(svc, "network_mode", f"{what}.network_mode")
        nets = svc.get("networks")
        has_nets = isinstance(nets, (YMap, YSeq)) and len(nets) > 0
        if raw_mode:
            mode_loc = Loc(*svc.where("network_mode"))
            if has_nets:
                raise _loc_err(
                    mode_loc, f"service {name} declares mutually exclusive network_mode and networks"
                )
            if raw_mode in ("host", "none", "bridge"):
                return NetworkMode(raw_mode), None, mode_loc, []
            if raw_mode == "default":
                return NetworkMode.BRIDGE, None, mode_loc, []  # the engine's "default" is the bridge network
            if raw_mode.startswith(_SERVICE_PREFIX):
                return NetworkMode.SERVICE, raw_mode[len(_SERVICE_PREFIX) :], mode_loc, []
            if raw_mode.startswith(_CONTAINER_PREFIX):
                return NetworkMode.CONTAINER, raw_mode[len(_CONTAINER_PREFIX) :], mode_loc, []
            # Any other value is passed to the engine as a network name (Docker's --network NAME); the
            # container joins that existing network, with no service alias. Modelled as an attachment to an
            # undeclared external network of that name.
            key = raw_mode
            if key not in self.extra_networks and key not in self.networks_y:
                self.extra_networks[key] = Network(
                    key=key, name=key, project=self.name, external=True, loc=mode_loc, declared=False
                )
            self.used_networks.setdefault(key, mode_loc)
            return NetworkMode.NETWORKS, None, mode_loc, [Attachment(network=key, loc=mode_loc)]
        attachments: list[Attachment] = []
        if nets is None or (isinstance(nets, (YMap, YSeq)) and not nets):
            # The implicit default network (https://docs.docker.com/reference/compose-file/networks/).
            self.used_networks.setdefault("default", svc_loc)
            return NetworkMode.NETWORKS, None, Loc("", 0), [Attachment(network="default", loc=svc_loc)]
        if isinstance(nets, YSeq):
            entries: list[tuple[str, Any, Pos]] = [
                (_scalar_str(n), None, nets.where(i)) for i, n in enumerate(nets)
            ]
        elif isinstance(nets, YMap):
            entries = [(k, v, nets.where(k)) for k, v in nets.items()]
        else:
            raise _err(svc.where("networks"), f"{what}.networks must be a list or a mapping")
        seen: set[str] = set()
        for key, cfg, npos in entries:
            if key in seen:
                continue
            seen.add(key)
            if key not in self.networks_y and key != "default":
                raise _err(npos, f'service "{name}" refers to undefined network {key}')
            self.used_networks.setdefault(key, Loc(*npos))
            if cfg is None:
                attachments.append(Attachment(network=key, loc=Loc(*npos)))
                continue
            if not isinstance(cfg, YMap):
                raise _err(npos, f"{what}.networks.{key} must be a mapping")
            aliases = _list(cfg, "aliases", f"{what}.networks.{key}.aliases")
            attachments.append(
                Attachment(
                    network=key,
                    aliases=tuple(_unique(_scalar_str(a) for a in aliases)),
                    ipv4_address=_str(cfg, "ipv4_address", "ipv4_address") or None,
                    ipv6_address=_str(cfg, "ipv6_address", "ipv6_address") or None,
                    loc=Loc(*npos),
                )
            )
        return NetworkMode.NETWORKS, None, Loc("", 0), attachments

    def links(self, name: str, svc: YMap, what: str, key: str, *, external: bool) -> list[Link]:
        """``links`` or ``external_links``; a link to a service that profiles disable is dropped."""
        out: list[Link] = []
        seen: set[str] = set()
        items = _list(svc, key, f"{what}.{key}")
        for i, item in enumerate(items):
            text = _scalar_str(item)
            if text in seen:
                continue
            seen.add(text)
            target, _, alias = text.partition(":")
            lpos = items.where(i)
            if not external:
                if target not in self.all_services:
                    raise _err(lpos, f'service "{name}" depends on undefined service "{target}"')
                if target not in self.active_set:
                    continue  # disabled by profiles: ignored
            out.append(Link(target=target, alias=alias or target, external=external, loc=Loc(*lpos)))
        return out

    def depends_on(self, name: str, svc: YMap, what: str) -> list[str]:
        """``depends_on`` in either syntax, kept to active services; an undefined service is an InputError."""
        raw = svc.get("depends_on")
        if raw is None:
            return []
        out: list[str] = []
        if isinstance(raw, YSeq):
            entries: list[tuple[str, Any, Pos]] = [
                (_scalar_str(d), None, raw.where(i)) for i, d in enumerate(raw)
            ]
        elif isinstance(raw, YMap):
            entries = [(k, v, raw.where(k)) for k, v in raw.items()]
        else:
            raise _err(svc.where("depends_on"), f"{what}.depends_on must be a list or a mapping")
        for dep, _, dpos in entries:
            if dep not in self.all_services:
                # Compose 2.26 refuses this even with ``required: false``.
                raise _err(dpos, f'service "{name}" depends on undefined service "{dep}"')
            if dep in self.active_set and dep not in out:
                out.append(dep)
        return out

    def mounts(self, name: str, svc: YMap, what: str) -> tuple[Mount, ...]:
        """``volumes`` as mounts (bind sources absolute, volumes by engine name); notes the volumes used."""
        items = _list(svc, "volumes", f"{what}.volumes")
        out: dict[str, Mount] = {}
        for i, item in enumerate(items):
            vpos = items.where(i)
            create_host_path = True
            if isinstance(item, str):
                vtype, source, target, read_only = _parse_volume_spec(item, vpos)
            elif isinstance(item, YMap):
                vtype = _str(item, "type", f"{what}.volumes.type") or "volume"
                source = _str(item, "source", f"{what}.volumes.source") or None
                target = _str(item, "target", f"{what}.volumes.target") or ""
                read_only = _bool(item, "read_only", f"{what}.volumes.read_only")
                bind = item.get("bind")
                create_host_path = isinstance(bind, YMap) and _bool(
                    bind, "create_host_path", f"{what}.volumes.bind.create_host_path"
                )
                if not target:
                    raise _err(vpos, f"{what}.volumes: a long-syntax volume needs a target")
            else:
                raise _err(vpos, f"{what}.volumes entries must be strings or mappings")
            if vtype == "bind" and source is not None:
                source = _abs_path(source, self.dir, self.env)
            elif vtype == "volume" and source is not None:
                if source not in self.volumes_y:
                    raise _err(vpos, f'service "{name}" refers to undefined volume {source}')
                self.used_volumes.add(source)
                source = self.volume(source).name
            target = _clean_container_path(target)
            # compose-go ``EnforceUnicity`` keys volumes by target: a later one replaces the earlier one.
            exists = os.path.exists(source) if vtype == "bind" and source is not None else None
            out[target] = Mount(
                type=vtype,
                target=target,
                source=source,
                read_only=read_only,
                loc=Loc(*vpos),
                source_exists=exists,
                create_host_path=create_host_path,
            )
        return tuple(out.values())

    def environment(self, svc: YMap, what: str, locs: dict[str, Loc] | None = None) -> dict[str, str | None]:
        """``env_file`` variables, then ``environment`` over them (a bare ``KEY`` reads the project env);
        ``locs`` gets where each is set."""
        where: dict[str, Loc] = {} if locs is None else locs
        env: dict[str, str | None] = {}
        env_file = svc.get("env_file")
        if env_file is not None:
            entries = env_file if isinstance(env_file, YSeq) else YSeq(svc.where("env_file"))
            if not isinstance(env_file, YSeq):
                entries.put(env_file, svc.where("env_file"))
            for i, entry in enumerate(entries):
                path_raw = entry.get("path") if isinstance(entry, YMap) else entry
                if path_raw is None:
                    continue
                path = _abs_path(_scalar_str(path_raw), self.dir, self.env)
                if not os.path.isfile(path):
                    # ``docker compose`` refuses a missing env_file (unless ``required: false``). Env files
                    # are often kept out of repositories (secrets), and for the network analysis they only
                    # add environment values, so a missing one is a warning here, not an error.
                    file, line = entries.where(i)
                    if isinstance(entry, YMap) and entry.get("required") is False:
                        continue
                    self.warnings.append(
                        f"{file}:{line}: env file {os.path.relpath(path, self.dir)} not found: its "
                        "variables are unknown here, and docker compose refuses to start without it "
                        "(unless `required: false`)"
                    )
                    continue
                for k, (v, (_, line)) in read_env_file(path, self.env).items():
                    env[k] = v
                    where[k] = Loc(path, line)
                    self.secrets.setdefault(v, f"<{k} from {os.path.basename(path)}:{line}>")
        raw = svc.get("environment")
        if raw is None:
            return env
        table = _kv_map(raw) if isinstance(raw, YSeq) else raw
        for k, v in table.items() if isinstance(raw, YSeq) else _kv_items(raw, svc, what):
            if isinstance(table, YMap):
                where[k] = Loc(*table.where(k))
            if isinstance(v, (YMap, YSeq)):
                raise _err(svc.where("environment"), f"{what}.environment.{k} must be a string")
            if v is None:
                # A bare ``KEY`` takes its value from the project environment (compose-go ``Resolve``).
                env[k] = self.env.get(k)
                if env[k]:
                    self.secrets.setdefault(env[k] or "", f"<{k} from the environment>")
            else:
                env[k] = _scalar_str(v)
        return env


def _check_cycles(services: Mapping[str, Service]) -> None:
    """Refuse a ``depends_on`` cycle (implicit ones from links and ``service:`` modes included), like
    compose's "dependency cycle detected". Iterative: a chain of a thousand services is legal."""
    done: set[str] = set()
    for root in services:
        if root in done:
            continue
        path = [root]
        on_path = {root}
        stack = [iter(services[root].depends_on)]
        while stack:
            dep = next(stack[-1], None)
            if dep is None:
                stack.pop()
                finished = path.pop()
                on_path.discard(finished)
                done.add(finished)
                continue
            if dep in on_path:
                cycle = [*path[path.index(dep) :], dep]
                raise _loc_err(services[cycle[0]].loc, f"dependency cycle detected: {' -> '.join(cycle)}")
            if dep in services and dep not in done:
                path.append(dep)
                on_path.add(dep)
                stack.append(iter(services[dep].depends_on))


def _loc_err(loc: Loc, message: str) -> InputError:
    """An InputError at ``loc``."""
    return InputError(loc.file, message, loc.line)


def _unique(items: Iterable[str]) -> list[str]:
    """``items`` without repeats, in first-seen order."""
    out: list[str] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out
