"""``dockernet check``: compose projects and the nginx configs they mount, without a Docker engine (or with
it as context: ``--engine``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from dockernet.cli.common import emit, guarded, warn
from dockernet.cli.options import (
    ArgDirs,
    Format,
    OptApache,
    OptCaddy,
    OptConfig,
    OptDebug,
    OptEngineHost,
    OptEnvFile,
    OptFailOn,
    OptFile,
    OptFormat,
    OptHAProxy,
    OptHostNginx,
    OptHostProxy,
    OptIgnore,
    OptNginx,
    OptOutput,
    OptProfile,
    OptProjectName,
    OptSelect,
    OptTraefik,
)

if TYPE_CHECKING:
    from dockernet.model.findings import Report, Severity


def check(
    dirs: ArgDirs = None,
    file: OptFile = None,
    project_name: OptProjectName = None,
    env_file: OptEnvFile = None,
    profile: OptProfile = None,
    nginx: OptNginx = None,
    caddy: OptCaddy = None,
    traefik: OptTraefik = None,
    haproxy: OptHAProxy = None,
    apache: OptApache = None,
    host_nginx: OptHostNginx = None,
    host_proxy: OptHostProxy = None,
    fmt: OptFormat = Format.text,
    output: OptOutput = None,
    fail_on: OptFailOn = None,
    select: OptSelect = None,
    ignore: OptIgnore = None,
    config_file: OptConfig = None,
    baseline: Annotated[
        Optional[Path],
        typer.Option("--baseline", help="Report only findings not in this file; create it if missing."),
    ] = None,
    engine: Annotated[
        bool,
        typer.Option(
            "--engine",
            help="Also ask the Docker engine (read-only): its networks and the containers on shared ones.",
        ),
    ] = False,
    host: OptEngineHost = None,
    stack: Annotated[
        bool,
        typer.Option(
            "--stack",
            help="Read the files as 'docker stack deploy' does: Swarm services on overlay networks "
            "(the stack name is -p or the directory's name).",
        ),
    ] = False,
    stack_files: Annotated[
        Optional[list[Path]],
        typer.Option("-c", "--compose-file", help="A stack file (like docker stack deploy -c); repeatable."),
    ] = None,
    debug: OptDebug = False,
) -> None:
    """Check compose projects and the nginx configs they mount, without a Docker engine.

    Examples:

      dockernet check                              # the project in the current directory

      dockernet check -f compose.yml -f compose.prod.yml --format json

      dockernet check ./frontend ./api             # two projects checked together

      dockernet check --format sarif -o dockernet.sarif --fail-on warning

      dockernet check --stack -c stack.yml -p shop   # as docker stack deploy -c stack.yml shop
      dockernet check --host-nginx /etc/nginx/nginx.conf   # nginx on the host, the apps in Docker
    """
    from dockernet import pipeline
    from dockernet.pipeline import baseline as known
    from dockernet.pipeline.config import for_run
    from dockernet.pipeline.requests import ComposeRequest

    def work() -> tuple[Report, Severity]:
        cfg = for_run(Path.cwd(), config_file, select or (), ignore or ())
        request = ComposeRequest.of(
            dirs or (),
            [*(file or ()), *(stack_files or ())],
            project_name,
            env_file or (),
            profile or (),
            os.environ,
            {
                "nginx": nginx or (),
                "caddy": caddy or (),
                "traefik": traefik or (),
                "haproxy": haproxy or (),
                "apache": apache or (),
            },
            stack=stack or bool(stack_files),
            host_proxies=host_proxy or (),
            host_nginx=host_nginx or (),
        )
        topology = pipeline.load_static(request)
        warn(topology.notices)
        if engine or host:
            from dockernet.pipeline.scan import engine_context

            topology = engine_context(topology, host)
        report = pipeline.analyse(topology, cfg).report()
        if baseline is not None:
            filtered = known.against(report, str(baseline), os.getcwd())
            if filtered.written is not None:
                typer.echo(
                    f"dockernet: baseline written to {baseline}: {filtered.written} findings", err=True
                )
            report = filtered.report
        return report, pipeline.fail_threshold(fail_on, cfg)

    report, threshold = guarded(work, debug, output)
    emit(report, fmt, output)
    raise typer.Exit(pipeline.exit_status(report.findings, threshold))
