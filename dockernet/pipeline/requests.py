"""What a run is asked to read: the compose inputs of ``check`` and ``graph``, one frozen value instead of
seven loose arguments (named like docker compose's own options)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from dockernet.errors import UsageError


@dataclass(frozen=True)
class ComposeRequest:
    """The compose projects to load and where their proxies' configs are."""

    dirs: tuple[str, ...] = ()
    """Project directories (none: the working directory)."""
    files: tuple[str, ...] = ()
    """Compose files (``-f``), merged into one project."""
    project_name: str | None = None
    """``-p``: the project name, for one project only."""
    env_files: tuple[str, ...] = ()
    """``--env-file``: alternative environment files."""
    profiles: tuple[str, ...] = ()
    """``--profile``: enabled compose profiles."""
    environ: Mapping[str, str] = field(default_factory=dict)
    """The environment compose interpolates from (the process's, for the CLI)."""
    overrides: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """``--nginx SERVICE=PATH`` (one option per proxy kind): service -> (reader name, the config file to
    read for it)."""
    stack: bool = False
    """``--stack``: read the files as ``docker stack deploy`` does (Swarm services, overlay networks)."""

    @classmethod
    def of(
        cls,
        dirs: Iterable[object] = (),
        files: Iterable[object] = (),
        project_name: str | None = None,
        env_files: Iterable[object] = (),
        profiles: Iterable[str] = (),
        environ: Mapping[str, str] | None = None,
        overrides: Mapping[str, Iterable[str]] | None = None,
        stack: bool = False,
    ) -> ComposeRequest:
        """The request that the command-line options spell (paths as ``str``; ``overrides`` as
        ``SERVICE=PATH`` values by reader name, from ``--nginx``..., a
        :class:`~dockernet.errors.UsageError` when one is not)."""
        return cls(
            dirs=tuple(str(d) for d in dirs),
            files=tuple(str(f) for f in files),
            project_name=project_name,
            env_files=tuple(str(e) for e in env_files),
            profiles=tuple(profiles),
            environ=dict(environ or {}),
            overrides=_parse_overrides(overrides or {}),
            stack=stack,
        )


def _parse_overrides(by_reader: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for reader, values in by_reader.items():
        for value in values:
            service, sep, path = value.partition("=")
            if not sep or not service or not path:
                raise UsageError(f'--{reader} takes SERVICE=PATH, got "{value}"')
            out[service] = (reader, path)
    return out
