"""Rule documentation pages, made from each rule module's docstring.

``python -m dockernet.rules.docs`` writes ``docs/rules/DNxxx.md`` and ``docs/rules/README.md``; a test fails
when the committed pages differ from what this module makes.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

from dockernet.rules import DEFAULT, RULES, Rule


def page(module: Rule) -> str:
    """The markdown page of one rule."""
    meta = module.META
    body = inspect.cleandoc(module.__doc__ or "")
    applies = f"Applies to: {', '.join(sorted(meta.dialects))} only\n\n" if meta.dialects else ""
    runs = "" if meta.id in DEFAULT else " (opt-in: `--select ALL` or `--select " + meta.id + "`)"
    return (
        f"# {meta.id} `{meta.name}`\n\nDefault severity: **{meta.severity.value}**{runs}\n\n{applies}{body}\n"
    )


def summary(module: Rule) -> str:
    """The first sentence of the rule's "What it does" section, on one line."""
    text = inspect.cleandoc(module.__doc__ or "")
    section = " ".join(text.split("## What it does", 1)[-1].split("##", 1)[0].split())
    # The sentence ends at the first ". " outside a `code span` and outside parentheses
    # (``server ... resolve`` and "(e.g. 8.8.8.8)" are no ends).
    in_code, depth = False, 0
    for i, char in enumerate(section):
        if char == "`":
            in_code = not in_code
        elif not in_code and char in "()":
            depth += 1 if char == "(" else -1
        elif char == "." and not in_code and depth <= 0 and section[i + 1 : i + 2] in (" ", ""):
            return section[: i + 1]
    return section.rstrip(".") + "."


def index() -> str:
    """The table of every rule."""
    rows = [
        f"| [{m.META.id}]({m.META.id}.md) | `{m.META.name}` | {m.META.severity.value} | "
        f"{'yes' if m.META.id in DEFAULT else 'opt-in'} | "
        f"{', '.join(sorted(m.META.dialects)) or 'every'} | {summary(m)} |"
        for m in RULES.values()
    ]
    return (
        CODES
        + "\n| ID | name | severity | default | proxies | what it flags |\n|---|---|---|---|---|---|\n"
        + "\n".join(rows)
        + "\n"
    )


CODES = """# Rules

A code is never reused, and every code has a kebab-case name that works wherever the code does. Run
`dockernet explain CODE` for a rule's page.

- DN1xx, DN2xx and DN3xx are the proxy-neutral rules: they read the routes and addresses every proxy
  reader gives, so they apply to every proxy dockernet reads. The hundreds say the default severity
  (DN1xx errors: the route fails; DN2xx warnings: it breaks under a predictable event; DN3xx notes); the
  configuration can change a severity, never a code.
- By default the errors and warnings run, and DN300 (a stale suppression comment): a clean project passes in
  silence. The other notes are advice, opt-in like ruff's opinionated rules: `--select ALL` (or
  `select = ["ALL"]` in the configuration) runs every rule, `--select DN301` one of them.
- Rules that only one proxy kind can have get codes by domain: DN4xx nginx, DN5xx Traefik, DN6xx Caddy,
  DN7xx HAProxy, DN8xx Apache httpd and nginx-proxy, DN9xx Swarm and several engines. DN202, DN302 and DN306
  read nginx's own directives and keep the codes they had before this split; their pages say so.
"""


def pages() -> dict[str, str]:
    """File name -> content of every docs page."""
    out = {f"{rule_id}.md": page(module) for rule_id, module in RULES.items()}
    out["README.md"] = index()
    return out


def write(directory: Path) -> None:
    """Write the pages into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in pages().items():
        (directory / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    write(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/rules"))
