"""``dockernet rules`` and ``dockernet explain``: the rule catalogue and each rule's documentation."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from dockernet.cli.common import colour, guarded


def list_rules() -> None:
    """List every rule: ID, name, default severity, whether it runs by default and what it flags.

    Examples:

      dockernet rules

      dockernet rules | grep error
    """
    from dockernet.rules import DEFAULT, RULES
    from dockernet.rules.docs import summary

    width = max(len(module.META.name) for module in RULES.values())
    for rule_id, module in RULES.items():
        meta = module.META
        runs = "on" if rule_id in DEFAULT else "opt-in"
        typer.echo(f"{rule_id}  {meta.name:<{width}} {meta.severity.value:<8} {runs:<7} {summary(module)}")


def explain(
    rule: Annotated[str, typer.Argument(help="Rule ID or name, e.g. DN103 or no-shared-network.")],
) -> None:
    """Print a rule's documentation: what it does, why it breaks, an example and the fix.

    Examples:

      dockernet explain DN103

      dockernet explain no-shared-network
    """
    from dockernet.rules import get
    from dockernet.rules.docs import page

    module = guarded(lambda: get(rule), debug=False)
    text = page(module)
    styled = colour(sys.stdout)
    if styled:
        from dockernet.output import terminal_markdown

        text = terminal_markdown.render(text)
    typer.echo(text, nl=False, color=styled)
