"""``dockernet trace`` reports: text for people (one line per hop, a mark for its verdict, the rule and the
fix of a blocked hop) and the JSON contract of docs/json.md
(``{"version": 1, "traces": [{"proxy", "project", "route", "file", "line", "target", "verdict", "hops",
"probe"}]}``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from dockernet.model.loc import relpath
from dockernet.model.trace import Hop, HopVerdict, Trace, Verdict

VERSION = 1

_MARK = {
    HopVerdict.OK: "ok",
    HopVerdict.BLOCKED: "BLOCKED",
    HopVerdict.ASSUMED: "assumed",
    HopVerdict.WARNING: "warning",
    HopVerdict.AMBIGUOUS: "ambiguous",
    HopVerdict.UNKNOWN: "unknown",
}
_COLOUR = {
    HopVerdict.OK: "32",
    HopVerdict.BLOCKED: "1;31",
    HopVerdict.WARNING: "33",
    HopVerdict.AMBIGUOUS: "33",
    HopVerdict.ASSUMED: "2",
    HopVerdict.UNKNOWN: "35",
}
_VERDICT_COLOUR = {
    Verdict.REACHABLE: "1;32",
    Verdict.UNREACHABLE: "1;31",
    Verdict.AMBIGUOUS: "1;33",
    Verdict.UNDETERMINED: "1;35",
}


def hop_dict(h: Hop) -> dict[str, Any]:
    """One hop as the JSON contract spells it."""
    return {
        "step": h.step,
        "verdict": h.verdict.value,
        "rule": h.rule,
        "detail": h.detail,
        "file": relpath(h.file) if h.file else None,
        "line": h.line or None,
        "hint": h.hint,
    }


def trace_dict(t: Trace) -> dict[str, Any]:
    """One trace as the JSON contract spells it; ``probe`` is null (no probe was sent)."""
    return {
        "request": t.request,
        "proxy": t.proxy,
        "project": t.project,
        "route": t.route,
        "title": t.title,
        "file": relpath(t.file) if t.file else None,
        "line": t.line or None,
        "target": t.target,
        "verdict": t.verdict.value,
        "rules": list(t.rules),
        "hops": [hop_dict(h) for h in t.hops],
        "probe": None,
    }


def render_json(traces: Sequence[Trace]) -> str:
    """The JSON report, keys in a stable order."""
    return json.dumps({"version": VERSION, "traces": [trace_dict(t) for t in traces]}, indent=2) + "\n"


def render_text(traces: Sequence[Trace], colour: bool = False) -> str:
    """One block per trace: the request, the route and its verdict, then each hop with its evidence."""

    def paint(code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if colour else text

    blocks: list[str] = []
    for t in traces:
        head = t.request
        if t.proxy:
            head += f"  via {t.proxy}" + (f" ({t.title})" if t.title else "")
        lines = [f"{head}: {paint(_VERDICT_COLOUR[t.verdict], t.verdict.value)}"]
        width = max((len(h.step) for h in t.hops), default=0)
        for i, h in enumerate(t.hops, 1):
            where = f"  [{relpath(h.file)}:{h.line}]" if h.file and h.line else ""
            rule = f" {h.rule}" if h.rule else ""
            mark = paint(_COLOUR[h.verdict], f"{_MARK[h.verdict]}{rule}")
            lines.append(f"  {i:>2}. {h.step:<{width}}  {mark}: {h.detail}{where}")
            if h.hint and h.verdict is not HopVerdict.OK:
                lines.append(f"      {'':<{width}}  fix: {h.hint}")
        blocks.append("\n".join(lines))
    c = {v: sum(1 for t in traces if t.verdict is v) for v in Verdict}
    summary = ", ".join(f"{n} {v.value}" for v, n in c.items() if n) or "nothing traced"
    return "\n\n".join(blocks) + ("\n\n" if blocks else "") + f"{len(traces)} traced: {summary}\n"
