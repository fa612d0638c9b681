"""The command line. Known errors are one line on stderr with a distinct exit code; a traceback only with
``--debug``. Compose environments hold secrets, so typer's crash output never shows local variables."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional, TypeVar

import typer

from dockernet import __version__
from dockernet.errors import DockernetError, ExitStatus, InputError, UsageError
from dockernet.model.findings import Severity

if TYPE_CHECKING:
    from dockernet.model import Topology
    from dockernet.model.findings import Report
    from dockernet.model.logs import ProxyLog
    from dockernet.pipeline.config import Config

T = TypeVar("T")

app = typer.Typer(
    name="dockernet",
    pretty_exceptions_show_locals=False,
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode=None,
)


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


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dockernet {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Find out why a site behind a reverse proxy in Docker answers 502 Bad Gateway, before the users do.

    dockernet reads compose files, nginx configs and the live Docker engine into one graph, resolves every
    proxy upstream the way Docker's DNS and nginx will, and reports each broken route with the fix.

    Examples:

      dockernet check                      # the compose project here, before `up`

      dockernet scan                       # what is running now

      dockernet graph -o topology.png      # a picture of who can reach whom
    """


def load_compose(
    dirs: list[Path] | None,
    files: list[Path] | None,
    project_name: str | None,
    env_files: list[Path] | None,
    profiles: list[str] | None,
    nginx: list[str] | None,
) -> Topology:
    """The compose projects and nginx configs the compose-input options name (check and graph)."""
    from dockernet import pipeline
    from dockernet.pipeline.requests import ComposeRequest

    request = ComposeRequest.of(
        dirs or (), files or (), project_name, env_files or (), profiles or (), os.environ, nginx or ()
    )
    return pipeline.load_static(request)


def _colour(stream: object) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)()) and "NO_COLOR" not in os.environ


def render(
    report: Report,
    fmt: Format,
    colour: bool,
    logs: Sequence[ProxyLog] | None = None,
    container_files: Mapping[str, frozenset[str]] | None = None,
) -> str:
    """The report in the asked format; a scan's error-log diagnosis (``logs``) goes into text and JSON, the
    names of files read out of containers into text and GitHub annotations."""
    from dockernet.output import github, junit, sarif, text
    from dockernet.output import json as json_out

    if fmt is Format.json:
        return json_out.render(report, logs)
    if fmt is Format.sarif:
        return sarif.render(report)
    if fmt is Format.github:
        return github.render(report, container_files)
    if fmt is Format.junit:
        return junit.render(report, files=report.files)
    return text.render(report, colour=colour, logs=logs, container_files=container_files)


def emit(report: Report, fmt: Format, output: Path | None) -> None:
    """Write the report to ``output`` or stdout."""
    if output is None:
        sys.stdout.write(render(report, fmt, colour=_colour(sys.stdout)))
        return
    try:
        output.write_text(render(report, fmt, colour=False), encoding="utf-8")
    except OSError as e:
        raise _fail(UsageError(f"cannot write {output}: {e.strerror}")) from None


def guarded(work: Callable[[], T], debug: bool) -> T:
    """Run ``work``; known errors become one line and their exit status, bugs one line unless --debug."""
    try:
        return work()
    except DockernetError as e:
        raise _fail(e) from None
    except Exception as e:
        if debug:
            raise
        typer.echo(
            f"dockernet: internal error: {type(e).__name__}: {e} (run with --debug for details)", err=True
        )
        raise typer.Exit(ExitStatus.INTERNAL) from None


def load_config(
    config_file: Path | None, select: list[str] | None, ignore: list[str] | None
) -> tuple[Config, Path | None]:
    """The configuration file's settings with --select/--ignore applied on top."""
    from dockernet.pipeline.config import for_run

    return for_run(Path.cwd(), config_file, select or (), ignore or ()), config_file


OptConfig = Annotated[
    Optional[Path],  # noqa: UP045 - typer needs Optional
    typer.Option("--config", help="Configuration file (default: .dockernet.toml or pyproject.toml above)."),
]
OptSelect = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option("--select", help="Only these rules (IDs, ID prefixes or names; comma-separated)."),
]
OptIgnore = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option("--ignore", help="Skip these rules (IDs, ID prefixes or names; comma-separated)."),
]
OptFormat = Annotated[Format, typer.Option("--format", help="Output format.")]
OptOutput = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option("-o", "--output", help="Write the report to this file instead of stdout."),
]
OptFailOn = Annotated[
    Optional[FailOn],  # noqa: UP045
    typer.Option("--fail-on", help="Exit 1 when a finding is at least this severe [default: error]."),
]
OptDebug = Annotated[bool, typer.Option("--debug", help="Show tracebacks of internal errors.")]
# The compose inputs, shared by check and graph (named like docker compose's own options).
ArgDirs = Annotated[
    Optional[list[Path]],  # noqa: UP045
    typer.Argument(help="Project directories (default: the current directory).", show_default=False),
]
OptFile = Annotated[
    Optional[list[Path]],  # noqa: UP045
    typer.Option("-f", "--file", help="Compose file; repeat to merge several into one project."),
]
OptProjectName = Annotated[Optional[str], typer.Option("-p", "--project-name", help="Project name.")]  # noqa: UP045
OptEnvFile = Annotated[
    Optional[list[Path]],  # noqa: UP045
    typer.Option("--env-file", help="Alternative environment file."),
]
OptProfile = Annotated[Optional[list[str]], typer.Option("--profile", help="Enable a compose profile.")]  # noqa: UP045
OptNginx = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option("--nginx", metavar="SERVICE=PATH", help="Read SERVICE's nginx config from PATH."),
]


@app.command()
def check(
    dirs: ArgDirs = None,
    file: OptFile = None,
    project_name: OptProjectName = None,
    env_file: OptEnvFile = None,
    profile: OptProfile = None,
    nginx: OptNginx = None,
    fmt: OptFormat = Format.text,
    output: OptOutput = None,
    fail_on: OptFailOn = None,
    select: OptSelect = None,
    ignore: OptIgnore = None,
    config_file: OptConfig = None,
    baseline: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--baseline", help="Report only findings not in this file; create it if missing."),
    ] = None,
    engine: Annotated[
        bool,
        typer.Option(
            "--engine",
            help="Also ask the Docker engine (read-only): its networks and the containers on shared ones.",
        ),
    ] = False,
    host: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("-H", "--host", metavar="HOST", help="Engine for --engine (default: DOCKER_HOST)."),
    ] = None,
    debug: OptDebug = False,
) -> None:
    """Check compose projects and the nginx configs they mount, without a Docker engine.

    Examples:

      dockernet check                              # the project in the current directory

      dockernet check -f compose.yml -f compose.prod.yml --format json

      dockernet check ./frontend ./api             # two projects checked together

      dockernet check --format sarif -o dockernet.sarif --fail-on warning
    """
    from dockernet import pipeline
    from dockernet.pipeline import baseline as known

    def work() -> tuple[Report, Severity]:
        cfg, _ = load_config(config_file, select, ignore)
        topology = load_compose(dirs, file, project_name, env_file, profile, nginx)
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

    report, threshold = guarded(work, debug)
    emit(report, fmt, output)
    raise typer.Exit(pipeline.exit_status(report.findings, threshold))


@app.command("rules")
def list_rules() -> None:
    """List every rule: ID, name, default severity and what it flags.

    Examples:

      dockernet rules

      dockernet rules | grep error
    """
    from dockernet.rules import RULES
    from dockernet.rules.docs import summary

    for rule_id, module in RULES.items():
        meta = module.META
        typer.echo(f"{rule_id}  {meta.name:<28} {meta.severity.value:<8} {summary(module)}")


@app.command()
def explain(
    rule: Annotated[str, typer.Argument(help="Rule ID or name, e.g. DN103 or no-shared-network.")],
) -> None:
    """Print a rule's documentation: what it does, why it breaks, an example and the fix.

    Examples:

      dockernet explain DN103

      dockernet explain no-shared-network
    """
    from dockernet.rules import get
    from dockernet.rules.docs import page

    module = guarded(lambda: get(rule), debug=False)
    typer.echo(page(module), nl=False)


def _fail(e: DockernetError) -> typer.Exit:
    """Print the error as one line; the Exit to raise."""
    from dockernet.model.loc import relpath

    if isinstance(e, InputError):
        where = relpath(e.file) + (f":{e.line}" if e.line else "")
        typer.echo(f"{where}: error: {e.message}", err=True)
    else:
        typer.echo(f"dockernet: error: {e}", err=True)
    return typer.Exit(e.exit_status)


def _register_commands() -> None:
    """Commands that live in their own modules (one line each)."""
    __import__("dockernet.cli.scan", fromlist=["register"]).register(app)
    __import__("dockernet.cli.graph", fromlist=["register"]).register(app)


def main() -> None:
    """Console-script entry point."""
    # One short run over inputs whose size is capped (20 MB per file, node budgets): the cyclic garbage
    # collector only costs time here, a third of a 1,000-service check (docs/performance.md).
    gc.disable()
    _register_commands()
    app()


if __name__ == "__main__":
    main()
