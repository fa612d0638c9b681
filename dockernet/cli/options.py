"""The command-line options that several commands share, as typer annotations, and the choices they take.

Typer reads ``Optional[X]`` and not ``X | None`` in these annotations (ruff's UP045 is off for this package,
in pyproject.toml).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer


class Format(StrEnum):
    """Output formats of ``check`` and ``scan``."""

    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"
    junit = "junit"


class FailOn(StrEnum):
    """The lowest severity that makes the exit status 1."""

    error = "error"
    warning = "warning"
    note = "note"


OptConfig = Annotated[
    Optional[Path],
    typer.Option("--config", help="Configuration file (default: .dockernet.toml or pyproject.toml above)."),
]
OptSelect = Annotated[
    Optional[list[str]],
    typer.Option("--select", help="Only these rules (IDs, ID prefixes or names; comma-separated)."),
]
OptIgnore = Annotated[
    Optional[list[str]],
    typer.Option("--ignore", help="Skip these rules (IDs, ID prefixes or names; comma-separated)."),
]
OptFormat = Annotated[Format, typer.Option("--format", help="Output format.")]
OptOutput = Annotated[
    Optional[Path],
    typer.Option("-o", "--output", help="Write the report to this file instead of stdout."),
]
OptFailOn = Annotated[
    Optional[FailOn],
    typer.Option("--fail-on", help="Exit 1 when a finding is at least this severe [default: error]."),
]
OptDebug = Annotated[bool, typer.Option("--debug", help="Show tracebacks of internal errors.")]
OptEngineHost = Annotated[
    Optional[str],
    typer.Option("-H", "--host", metavar="HOST", help="Engine for --engine (default: DOCKER_HOST)."),
]
# The compose inputs, shared by check and graph (named like docker compose's own options).
ArgDirs = Annotated[
    Optional[list[Path]],
    typer.Argument(help="Project directories (default: the current directory).", show_default=False),
]
OptFile = Annotated[
    Optional[list[Path]],
    typer.Option("-f", "--file", help="Compose file; repeat to merge several into one project."),
]
OptProjectName = Annotated[Optional[str], typer.Option("-p", "--project-name", help="Project name.")]
OptEnvFile = Annotated[
    Optional[list[Path]],
    typer.Option("--env-file", help="Alternative environment file."),
]
OptProfile = Annotated[Optional[list[str]], typer.Option("--profile", help="Enable a compose profile.")]
OptNginx = Annotated[
    Optional[list[str]],
    typer.Option("--nginx", metavar="SERVICE=PATH", help="Read SERVICE's nginx config from PATH."),
]
OptHostNginx = Annotated[
    Optional[list[str]],
    typer.Option(
        "--host-nginx",
        metavar="PATH",
        help="An nginx that runs on the Docker host, not in a container: its config.",
    ),
]
OptHostProxy = Annotated[
    Optional[list[str]],
    typer.Option(
        "--host-proxy",
        metavar="KIND=PATH",
        help="A proxy of KIND (nginx, caddy, traefik...) that runs on the Docker host: its config.",
    ),
]
OptCaddy = Annotated[
    Optional[list[str]],
    typer.Option("--caddy", metavar="SERVICE=PATH", help="Read SERVICE's Caddy config from PATH."),
]
OptTraefik = Annotated[
    Optional[list[str]],
    typer.Option("--traefik", metavar="SERVICE=PATH", help="Read SERVICE's Traefik static config from PATH."),
]
OptHAProxy = Annotated[
    Optional[list[str]],
    typer.Option("--haproxy", metavar="SERVICE=PATH", help="Read SERVICE's haproxy.cfg from PATH."),
]
OptApache = Annotated[
    Optional[list[str]],
    typer.Option(
        "--apache",
        metavar="SERVICE=PATH",
        help="Read SERVICE's Apache httpd config from PATH (a <VirtualHost> file is a site).",
    ),
]
