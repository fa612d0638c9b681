"""DN206 stale-upstream-address: the engine's start times, as the rule reads them (its live firing case and
near-miss are in tests/live/test_scan_beyond_configs.py)."""

from __future__ import annotations


def test_dn206_started_parses_engine_times() -> None:
    from dockernet.rules.dn206_stale_upstream_address import started

    a = started("2026-11-25T14:43:27.1Z")
    b = started("2026-11-25T14:43:27.09Z")
    assert a is not None and b is not None and b < a
    assert started("0001-01-01T00:00:00Z") is None and started(None) is None and started("garbage") is None
