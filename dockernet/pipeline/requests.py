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
    nginx_overrides: Mapping[str, str] = field(default_factory=dict)
    """``--nginx SERVICE=PATH``: service -> the nginx config to read for it."""

    @classmethod
    def of(
        cls,
        dirs: Iterable[object] = (),
        files: Iterable[object] = (),
        project_name: str | None = None,
        env_files: Iterable[object] = (),
        profiles: Iterable[str] = (),
        environ: Mapping[str, str] | None = None,
        nginx: Iterable[str] = (),
    ) -> ComposeRequest:
        """The request that the command-line options spell (paths as ``str``; ``nginx`` as ``SERVICE=PATH``
        values, a :class:`~dockernet.errors.UsageError` when one is not)."""
        return cls(
            dirs=tuple(str(d) for d in dirs),
            files=tuple(str(f) for f in files),
            project_name=project_name,
            env_files=tuple(str(e) for e in env_files),
            profiles=tuple(profiles),
            environ=dict(environ or {}),
            nginx_overrides=_parse_overrides(nginx),
        )


def _parse_overrides(values: Iterable[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        service, sep, path = value.partition("=")
        if not sep or not service or not path:
            raise UsageError(f'--nginx takes SERVICE=PATH, got "{value}"')
        out[service] = path
    return out
