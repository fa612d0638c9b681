"""Errors that end a run with a one-line message. The CLI catches only these base classes."""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """Process exit codes; stable, documented in docs/json.md."""

    OK = 0
    FINDINGS = 1
    """Findings at or above ``--fail-on``."""
    BAD_INPUT = 2
    """A file could not be read: missing, YAML or nginx syntax error, too large, not text."""
    USAGE = 3
    """Wrong command-line arguments or configuration."""
    ENGINE = 4
    """The Docker engine could not be reached or answered an error."""
    GRAPHVIZ_MISSING = 5
    """A picture format (PNG, SVG, PDF) needs Graphviz's ``dot`` and it is not installed."""
    INTERNAL = 70
    """A bug in dockernet (printed with a traceback only under --debug)."""


class DockernetError(Exception):
    """Base of every error dockernet reports as one line."""

    exit_status = ExitStatus.INTERNAL


class InputError(DockernetError):
    """An input file cannot be read. The message names the file and, where known, the line."""

    exit_status = ExitStatus.BAD_INPUT

    def __init__(self, file: str, message: str, line: int = 0) -> None:
        self.file = file
        self.line = line
        self.message = message
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: error: {message}")


class UsageError(DockernetError):
    """The command line or the configuration is wrong."""

    exit_status = ExitStatus.USAGE


class EngineError(DockernetError):
    """The Docker engine could not be reached or refused a request."""

    exit_status = ExitStatus.ENGINE
