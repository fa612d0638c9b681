"""Traefik's static configuration: which of its three sources is used, and what the readers need from it
(entry points, the Docker and file providers).

Traefik takes its static configuration from exactly one source, in this order: a configuration file
(``--configFile``, else ``traefik.yml``/``.yaml``/``.toml`` in ``/etc/traefik/``), else the command-line
flags, else the ``TRAEFIK_*`` environment variables; the others are ignored (measured on Traefik 3.7.15,
docs/proxy-behaviour.md; https://doc.traefik.io/traefik/getting-started/configuration-overview/).
Option names are the same in v2 and v3 for everything read here
(https://doc.traefik.io/traefik/providers/docker/, https://doc.traefik.io/traefik/providers/file/).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from dockernet.dialects.base import ConfigTree
from dockernet.dialects.traefik import settings
from dockernet.dialects.traefik.settings import Settings
from dockernet.model import Loc, Service

CONFIG_DIR = "/etc/traefik"
CANDIDATES = tuple(f"{CONFIG_DIR}/traefik.{ext}" for ext in ("yml", "yaml", "toml"))
DEFAULT_RULE = "Host(`{{ normalize .Name }}`)"
"""The Docker provider's ``defaultRule`` (https://doc.traefik.io/traefik/providers/docker/#defaultrule)."""
SOCKET = "/var/run/docker.sock"


@dataclass(frozen=True)
class Docker:
    """``providers.docker``."""

    loc: Loc
    exposed_by_default: bool = True
    network: str | None = None
    network_loc: Loc | None = None
    constraints: str | None = None
    endpoint: str = f"unix://{SOCKET}"
    default_rule: str = DEFAULT_RULE


@dataclass(frozen=True)
class Static:
    """What the readers use of the static configuration."""

    source: str
    """``file /etc/traefik/traefik.yml`` (its path as shown), ``command`` or ``environment``."""
    settings: Settings
    docker: Docker | None
    file_paths: tuple[tuple[str, bool, Loc], ...]
    """The file provider's ``filename`` (False) or ``directory`` (True), as container paths."""
    entrypoints: tuple[str, ...]
    files: tuple[str, ...] = ()
    """The static file read, if any (as shown)."""


def traefik_args(service: Service) -> tuple[str, ...]:
    """The arguments Traefik gets: the image's entrypoint passes a command that starts with ``-`` to
    ``traefik`` (https://github.com/traefik/traefik-library-image, ``entrypoint.sh``)."""
    argv = (*service.entrypoint, *service.command)
    for i, word in enumerate(argv):
        if posixpath.basename(word) == "traefik":
            return argv[i + 1 :]
    return argv


def config_file(service: Service) -> str | None:
    """The path given with ``--configFile``, if any."""
    args = settings.from_args(traefik_args(service), service.loc)
    for key, value in args.items():
        if key.lower() == "configfile":
            return value.text
    return None


def read(service: Service, tree: ConfigTree) -> Static | None:
    """The static configuration; None when the file ``--configFile`` names cannot be seen."""
    given = config_file(service)
    for path in (given,) if given else CANDIDATES:
        found = _read(tree, path, must=bool(given))
        if found is not None:
            shown, data = found
            items = settings.from_file(path, shown, data)
            return _static(Settings(items, f"file {shown}"), service.loc, (shown,))
        if given:
            return None
    args = settings.from_args(traefik_args(service), service.loc)
    if args:
        return _static(Settings(args, "command"), service.loc)
    return _static(Settings(settings.from_env(service.environment, service.loc), "environment"), service.loc)


def _read(tree: ConfigTree, path: str, *, must: bool) -> tuple[str, bytes] | None:
    """A candidate file that is not there (a visible directory without it) is no configuration file;
    the one ``--configFile`` names must be there (Traefik stops: raised as OSError)."""
    try:
        return tree.read(path)
    except OSError:
        if must:
            raise
        return None


def _static(s: Settings, where: Loc, files: tuple[str, ...] = ()) -> Static:
    docker = None
    if s.has("providers.docker") and _bool(s, "providers.docker", True):
        net = s.get("providers.docker.network")
        constraints = s.get("providers.docker.constraints")
        endpoint = s.get("providers.docker.endpoint")
        rule = s.get("providers.docker.defaultrule")
        docker = Docker(
            loc=s.loc("providers.docker", where),
            exposed_by_default=_bool(s, "providers.docker.exposedbydefault", True),
            network=net.text if net and net.text else None,
            network_loc=net.loc if net else None,
            constraints=constraints.text if constraints and constraints.text else None,
            endpoint=endpoint.text if endpoint and endpoint.text else f"unix://{SOCKET}",
            default_rule=rule.text if rule and rule.text else DEFAULT_RULE,
        )
    paths: list[tuple[str, bool, Loc]] = []
    for key, is_dir in (("providers.file.filename", False), ("providers.file.directory", True)):
        value = s.get(key)
        if value is not None and value.text:
            paths.append((value.text, is_dir, value.loc))
    return Static(
        source=s.source,
        settings=s,
        docker=docker,
        file_paths=tuple(paths),
        entrypoints=tuple(s.children("entrypoints")),
        files=files,
    )


def _bool(s: Settings, key: str, default: bool) -> bool:
    value = s.get(key)
    if value is None or value.text == "":
        return default
    return value.text.strip().lower() not in ("false", "0", "no")
