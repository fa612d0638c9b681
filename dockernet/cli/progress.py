"""The progress bar of ``dockernet scan`` on stderr."""

from __future__ import annotations

import threading
from typing import Any

PROGRESS_AFTER = 1.0
"""Seconds before the progress bar appears (quick scans print nothing but their report)."""


class ProgressBar:
    """A rich progress bar on stderr that appears only when the work takes longer than a second, and only
    on a terminal. Callable as the engine source's ``progress(phase, done, total)``, from any thread."""

    def __init__(self, enabled: bool, delay: float = PROGRESS_AFTER) -> None:
        self._enabled = enabled
        self._lock = threading.Lock()
        self._state: tuple[str, int, int] = ("connecting to the engine", 0, 0)
        self._bar: Any = None
        self._task: Any = None
        self._closed = False
        self._timer: threading.Timer | None = None
        if enabled:
            self._timer = threading.Timer(delay, self._show)
            self._timer.daemon = True
            self._timer.start()

    def _show(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with self._lock:
            if self._closed or self._bar is not None:
                return
            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            phase, done, total = self._state
            self._task = self._bar.add_task(phase, total=total or None, completed=done)
            self._bar.start()

    def __call__(self, phase: str, done: int, total: int) -> None:
        with self._lock:
            self._state = (phase, done, total)
            if self._bar is not None:
                self._bar.update(self._task, description=phase, completed=done, total=total or None)

    def close(self) -> None:
        """Remove the bar (it is transient) and stop the timer."""
        with self._lock:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
            if self._bar is not None:
                self._bar.stop()
