"""The command line. Known errors are one line on stderr with a distinct exit code; a traceback only with
``--debug``. Compose environments hold secrets, so typer's crash output never shows local variables."""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from dockernet import __version__
from dockernet.errors import DockernetError, ExitStatus, InputError, UsageError
from dockernet.findings import Severity

app = typer.Typer(
    name="dockernet",
    help="Find out why a site behind a reverse proxy in Docker answers 502 Bad Gateway, before the users do.",
    pretty_exceptions_show_locals=False,
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode=None,
)


class Format(str, Enum):
    """Output formats of ``check``."""

    text = "text"
    json = "json"


class FailOn(str, Enum):
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
    """dockernet reads compose files, nginx configs and the live Docker engine into one graph."""


def _parse_overrides(values: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        service, sep, path = value.partition("=")
        if not sep or not service or not path:
            raise UsageError(f'--nginx takes SERVICE=PATH, got "{value}"')
        out[service] = path
    return out


def _colour(stream: object) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)()) and "NO_COLOR" not in os.environ


@app.command()
def check(
    dirs: Annotated[
        Optional[list[Path]],  # noqa: UP045 - typer needs Optional here
        typer.Argument(help="Project directories (default: the current directory).", show_default=False),
    ] = None,
    file: Annotated[
        Optional[list[Path]],  # noqa: UP045
        typer.Option("-f", "--file", help="Compose file; repeat to merge several into one project."),
    ] = None,
    project_name: Annotated[Optional[str], typer.Option("-p", "--project-name", help="Project name.")] = None,  # noqa: UP045
    env_file: Annotated[
        Optional[list[Path]], typer.Option("--env-file", help="Alternative environment file.")  # noqa: UP045
    ] = None,
    profile: Annotated[
        Optional[list[str]], typer.Option("--profile", help="Enable a compose profile.")  # noqa: UP045
    ] = None,
    nginx: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--nginx", metavar="SERVICE=PATH", help="Read SERVICE's nginx config from PATH."),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.text,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="Exit 1 when a finding is at least this severe.")
    ] = FailOn.error,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of internal errors.")] = False,
) -> None:
    """Check compose projects and the nginx configs they mount, without a Docker engine.

    Examples:

      dockernet check                              # the project in the current directory

      dockernet check -f compose.yml -f compose.prod.yml --format json

      dockernet check ./frontend ./api             # two projects checked together
    """
    from dockernet import pipeline
    from dockernet.output import json as json_out
    from dockernet.output import text as text_out

    try:
        topology = pipeline.load_static(
            dirs=[str(d) for d in dirs or []],
            files=[str(f) for f in file or []],
            project_name=project_name,
            env_files=[str(e) for e in env_file or []],
            profiles=list(profile or []),
            environ=dict(os.environ),
            nginx_overrides=_parse_overrides(list(nginx or [])),
        )
        analysis = pipeline.analyse(topology)
    except DockernetError as e:
        raise _fail(e) from None
    except Exception as e:  # a bug: one line unless --debug
        if debug:
            raise
        typer.echo(
            f"dockernet: internal error: {type(e).__name__}: {e} (run with --debug for details)", err=True
        )
        raise typer.Exit(ExitStatus.INTERNAL) from None
    report = analysis.report()
    if fmt is Format.json:
        sys.stdout.write(json_out.render(report))
    else:
        sys.stdout.write(text_out.render(report, colour=_colour(sys.stdout)))
    threshold = Severity(fail_on.value).rank
    failing = any(f.severity.rank >= threshold for f in report.findings)
    raise typer.Exit(ExitStatus.FINDINGS if failing else ExitStatus.OK)


def _fail(e: DockernetError) -> typer.Exit:
    from dockernet.output.common import relpath

    if isinstance(e, InputError):
        where = relpath(e.file) + (f":{e.line}" if e.line else "")
        typer.echo(f"{where}: error: {e.message}", err=True)
    else:
        typer.echo(f"dockernet: error: {e}", err=True)
    return typer.Exit(e.exit_status)


def _register_commands() -> None:
    """Commands that live in their own modules (one line each)."""


def main() -> None:
    """Console-script entry point."""
    _register_commands()
    app()


if __name__ == "__main__":
    main()
