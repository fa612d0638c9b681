"""DOT source -> PNG, SVG or PDF, through the ``graphviz`` package and Graphviz's own programs.

The Python package only runs the ``dot`` (or ``sfdp``) binary; when Graphviz is not installed, the error
says how to install it. ``.dot``, ``.mmd``, ``.json`` and ``.html`` never need it.
"""

from __future__ import annotations

import shutil

from dockernet.errors import DockernetError, ExitStatus

IMAGE_FORMATS = ("png", "svg", "pdf")
INSTALL_HINT = (
    "install Graphviz: apt-get install graphviz (Debian, Ubuntu), brew install graphviz (macOS), "
    "choco install graphviz (Windows); .dot, .mmd, .json and .html need no Graphviz"
)


class GraphvizMissing(DockernetError):
    """Graphviz's programs are not on PATH."""

    # A status of its own, so scripts can tell "install Graphviz" from bad input.
    exit_status = ExitStatus.GRAPHVIZ_MISSING

    def __init__(self, program: str) -> None:
        self.program = program
        super().__init__(f"Graphviz's `{program}` program was not found on PATH; {INSTALL_HINT}")


class GraphvizFailed(DockernetError):
    """Graphviz ran and failed (a bug in the DOT we wrote, or a graph too large for it)."""

    exit_status = ExitStatus.INTERNAL


def available(program: str = "dot") -> bool:
    """True when Graphviz's ``program`` is on PATH."""
    return shutil.which(program) is not None


def render(source: str, fmt: str, engine: str = "dot") -> bytes:
    """The DOT ``source`` drawn as ``fmt`` (``png``, ``svg``, ``pdf``) by Graphviz's ``engine``."""
    import graphviz  # type: ignore[import-untyped]

    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"not an image format: {fmt}")
    try:
        out: bytes = graphviz.Source(source, engine=engine).pipe(format=fmt, quiet=True)
    except graphviz.ExecutableNotFound as e:
        raise GraphvizMissing(engine) from e
    except graphviz.CalledProcessError as e:
        stderr = e.stderr.decode(errors="replace").strip() if isinstance(e.stderr, bytes) else str(e.stderr)
        raise GraphvizFailed(f"Graphviz `{engine}` failed: {stderr.splitlines()[-1] if stderr else e}") from e
    return out
