"""
## What it does
Notes a `# dockernet: ignore[...]` comment that suppresses nothing: no finding of the named rules is on its
line or, for a comment alone on its line, on the next line.

## Why is this bad?
A stale suppression hides the next real problem on that line, and misleads readers into thinking the line
is known to be broken. It usually stays behind after the mistake was fixed.

## Example
```yaml
    ports: ["8080:3000"]  # dockernet: ignore[DN105]   (nginx now uses app:3000)
```

## Use instead
Remove the comment.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from dockernet.model.findings import Finding, Severity, Suppression
from dockernet.rules.base import Context, Meta, finding

META = Meta("DN300", "unused-suppression", Severity.NOTE)


def check(ctx: Context) -> Iterator[Finding]:
    """Nothing while the other rules run: whether a comment is used is known only after them, so the
    suppression stage of the pipeline calls :func:`unused` with the comments that matched nothing."""
    yield from ()


def unused(suppressions: Iterable[Suppression]) -> Iterator[Finding]:
    """One note per comment that suppressed no finding."""
    for s in suppressions:
        what = ", ".join(s.codes) if s.codes else "every rule"
        yield finding(META, f"suppression of {what} matches no finding", "remove the comment", s.loc)
