"""The scope of a scan (dockernet.sources.engine.snapshot.select): which containers of the recorded engine are
checked and which are only context, and the names that match nothing."""

from __future__ import annotations

from typing import Any

import pytest

from dockernet.errors import UsageError
from dockernet.sources.engine.snapshot import Scope, select
from tests.sources.engine.recorded import recorded


def test_scope_selects_checked_and_context_containers() -> None:
    doc = recorded()
    names = {c["Id"]: c["Names"][0].lstrip("/") for c in doc["containers"]}

    def pick(**kw: Any) -> tuple[set[str], set[str]]:
        checked, context = select(doc["containers"], doc["networks"], Scope(**kw))
        return {names[i] for i in checked}, {names[i] for i in context}

    checked, context = pick(containers=frozenset({"dnrec-proxy-1"}))
    assert checked == {"dnrec-proxy-1"}
    # Everything on the proxy's networks, for the names its DNS answers.
    assert {"dnrec-app-1", "dnrec-standalone", "dnrec-crashed-1", "dnrec-sick-1"} <= context
    checked, _ = pick(networks=frozenset({"dnrec-shared"}))
    assert checked == {"dnrec-proxy-1", "dnrec-standalone"}
    checked, context = pick(containers=frozenset({"dnrec-sidecar-1"}))
    assert checked == {"dnrec-sidecar-1"} and "dnrec-app-1" in context  # the namespace it shares
    checked, _ = pick(projects=frozenset({"dnrec"}), networks=frozenset({"dnrec-shared"}))
    assert checked == {"dnrec-proxy-1"}


@pytest.mark.parametrize(
    ("scope", "message"),
    [
        (
            Scope(projects=frozenset({"nope"})),
            'no compose project "nope" on this engine (projects: dnrec)',
        ),
        (Scope(networks=frozenset({"nonet"})), 'no network "nonet" on this engine'),
        (Scope(containers=frozenset({"ghost"})), 'no container "ghost" on this engine'),
    ],
)
def test_unknown_scope_names_are_usage_errors(scope: Scope, message: str) -> None:
    doc = recorded()
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        select(doc["containers"], doc["networks"], scope)
