"""The command line: it parses the arguments, calls the pipeline, writes and exits. Known errors are one
line on stderr with a distinct exit code; a traceback only with ``--debug``. Compose environments hold
secrets, so typer's crash output never shows local variables.

One module per command (:mod:`.check`, :mod:`.scan`, :mod:`.graph`, :mod:`.trace`, :mod:`.rules`),
registered below by hand; they share :mod:`.options`, :mod:`.common` and :mod:`.progress` and never
import each other.
"""

from __future__ import annotations

import gc
import importlib.util
from typing import Annotated

import typer

from dockernet import __version__
from dockernet.cli import check, graph, rules, scan, trace
from dockernet.errors import ExitStatus

app = typer.Typer(
    name="dockernet",
    pretty_exceptions_show_locals=False,
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


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


# The commands, in the order `dockernet --help` lists them.
app.command("check")(check.check)
app.command("rules")(rules.list_rules)
app.command("explain")(rules.explain)
app.command("scan")(scan.scan)
app.command("graph")(graph.graph)
app.command("trace")(trace.trace)


def main() -> None:
    """Console-script entry point."""
    # One short run over inputs whose size is capped (20 MB per file, node budgets): the cyclic garbage
    # collector only costs time here, a third of a 1,000-service check (docs/performance.md).
    gc.disable()
    # Arguments the parser rejects are usage errors: exit 3, as docs/ci.md promises, not click's 2, which
    # is dockernet's "an input file cannot be read".
    # Recent typer releases carry their own copy of click (typer._click), older ones use click itself,
    # which is then installed.
    parsers = [getattr(typer, "_click", None)]
    if importlib.util.find_spec("click") is not None:
        import click

        parsers.append(click)
    for parser in parsers:
        if parser is not None:
            parser.exceptions.UsageError.exit_code = ExitStatus.USAGE
    app()


if __name__ == "__main__":
    main()
