"""The scan command's progress bar (dockernet.cli.scan.ProgressBar)."""

from __future__ import annotations

import time

from dockernet.cli.scan import ProgressBar


def test_progress_bar_appears_only_after_its_delay() -> None:
    quiet = ProgressBar(enabled=False)
    quiet("inspecting containers", 1, 2)
    quiet.close()
    assert quiet._bar is None
    fast = ProgressBar(enabled=True, delay=60)
    fast("inspecting containers", 1, 2)
    fast.close()
    assert fast._bar is None  # a quick scan never shows it
    slow = ProgressBar(enabled=True, delay=0.01)
    for _ in range(200):
        if slow._bar is not None:
            break
        time.sleep(0.01)
    slow("inspecting containers", 5, 10)
    assert slow._bar is not None
    slow.close()
