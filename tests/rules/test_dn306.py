"""DN306: nginx time values."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("60s", 60), ("1m30s", 90), ("500ms", 0.5), ("60", 60), ("2h", 7200), ("x", None), ("1m 30s", None)],
)
def test_nginx_time_syntax(value: str, seconds: float | None) -> None:
    from dockernet.rules.dn306_upstream_timeout import seconds as parse

    assert parse(value) == seconds
