"""What the commands share besides their options: errors as one line, colour, writing a report or a
drawing to a file or stdout."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import typer

from dockernet.cli.options import Format
from dockernet.errors import DockernetError, ExitStatus, InputError, UsageError

if TYPE_CHECKING:
    from dockernet.model.findings import Report
    from dockernet.model.logs import ProxyLog

T = TypeVar("T")


def colour(stream: object) -> bool:
    """Whether to colour what goes to ``stream``: never with ``NO_COLOR`` set (https://no-color.org), always
    with ``FORCE_COLOR`` set (https://force-color.org; CI logs that show colour), else on a terminal."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


def fail(e: DockernetError) -> typer.Exit:
    """Print the error as one line; the Exit to raise."""
    from dockernet.model.loc import relpath

    if isinstance(e, InputError):
        where = relpath(e.file) + (f":{e.line}" if e.line else "")
        typer.echo(f"{where}: error: {e.message}", err=True)
    else:
        typer.echo(f"dockernet: error: {e}", err=True)
    return typer.Exit(e.exit_status)


def warn(notices: Sequence[str]) -> None:
    """Print what the sources read only in part, one ``file:line: warning: text`` line each, on stderr
    (where compose prints its own warnings), the path relative like the findings'."""
    from dockernet.model import safe
    from dockernet.model.loc import relpath

    for notice in notices:
        head, _, text = notice.partition(": ")
        path, colon, line = head.rpartition(":")
        where = relpath(path) + colon + line if colon and line.isdigit() else relpath(head)
        typer.echo(safe.visible(f"{where}: warning: {text}"), err=True)


def guarded(work: Callable[[], T], debug: bool, output: Path | None = None) -> T:
    """Run ``work``; known errors become one line and their exit status, bugs one line unless --debug. A run
    that ends so writes no report, and leaves none behind: an old report at ``output`` is removed, so
    that CI never uploads the previous run's verdict as this one's."""
    try:
        return work()
    except DockernetError as e:
        _remove_stale(output)
        raise fail(e) from None
    except Exception as e:
        _remove_stale(output)
        if debug:
            raise
        typer.echo(
            f"dockernet: internal error: {type(e).__name__}: {e} (run with --debug for details)", err=True
        )
        raise typer.Exit(ExitStatus.INTERNAL) from None


def _remove_stale(output: Path | None) -> None:
    if output is not None and output.is_file() and not output.is_symlink():
        output.unlink(missing_ok=True)


def write(output: Path | None, data: str | bytes) -> None:
    """Write a report (text) or a drawing (bytes) to ``output``, or to stdout when it is None; a file that
    cannot be written is one line and exit status 3. The file is written beside its place and renamed
    over it, so a reader never sees half a report; a symlink at the path is refused, not followed (in CI
    the path is in a checkout that a pull request controls)."""
    if output is None:
        if isinstance(data, str):
            sys.stdout.write(data)
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        return
    if output.is_symlink():
        raise fail(UsageError(f"cannot write {output}: it is a symbolic link (remove it first)"))
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent or Path("."))
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
            os.replace(temporary, output)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as e:
        raise fail(UsageError(f"cannot write {output}: {e.strerror}")) from None


def render(
    report: Report,
    fmt: Format,
    colour: bool,
    logs: Sequence[ProxyLog] | None = None,
    container_files: Mapping[str, frozenset[str]] | None = None,
) -> str:
    """The report in the asked format; a scan's error-log diagnosis (``logs``) goes into text and JSON, the
    names of files read out of containers into text and GitHub annotations."""
    from dockernet.model import safe
    from dockernet.output import github, junit, sarif, text
    from dockernet.output import json as json_out

    report = safe.deep(report)
    logs = safe.deep(tuple(logs)) if logs is not None else None

    if fmt is Format.json:
        return json_out.render(report, logs)
    if fmt is Format.sarif:
        return sarif.render(report)
    if fmt is Format.github:
        return github.render(report, container_files)
    if fmt is Format.junit:
        return junit.render(report, files=report.files)
    return text.render(report, colour=colour, logs=logs, container_files=container_files)


def emit(
    report: Report,
    fmt: Format,
    output: Path | None,
    logs: Sequence[ProxyLog] | None = None,
    container_files: Mapping[str, frozenset[str]] | None = None,
) -> None:
    """Write the report to ``output`` or stdout (in colour on a terminal)."""
    write(output, render(report, fmt, output is None and colour(sys.stdout), logs, container_files))
