"""
## What it does
Warns about a variable that a compose file uses while it is set nowhere (not in the environment, not in
`.env` or `--env-file`), once per run, at the first place it is used: compose substitutes an empty string
and says `The "APP_ENV" variable is not set. Defaulting to a blank string.`

## Why is this bad?
An empty value changes what is checked and what runs: `dockerfile: nginx.${APP_ENV}.dockerfile` names a
file that does not exist, `${DATA}:/var/www` is no volume at all, `${UPSTREAM}` in a template makes the
proxy's config name no host. dockernet checks what compose would run, so every verdict about that service
depends on the value you meant. Only the variable's name is printed, never a value.

## Example
```yaml
services:
  proxy:
    build:
      context: .
      dockerfile: nginx.${APP_ENV}.dockerfile
```

## Use instead
Set it where the run gets it (`.env`, `--env-file`, the CI job's environment), or give a default:
```yaml
      dockerfile: nginx.${APP_ENV:-prod}.dockerfile
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, finding

META = Meta("DN208", "unset-variable", Severity.WARNING)


def check(ctx: Context) -> Iterator[Finding]:
    """The first use of each unset variable, over every project of the run."""
    seen: set[str] = set()
    for project in ctx.topo.topology.projects:
        for name, loc in project.unset_variables:
            if name in seen:
                continue
            seen.add(name)
            yield finding(
                META,
                f'the "{name}" variable is not set: compose substitutes an empty string here',
                f"set {name} in the environment, .env or --env-file, or write a default: ${{{name}:-value}}",
                loc,
            )
