"""
## What it does
Notes an upstream name that is not a container dockernet can see and looks like a public DNS name
(`example.org`, `api.example.com`).

## Why is this bad?
It may be intended (an external API, a placeholder you still have to edit); dockernet cannot check it. If
it was meant to be a container, the name is wrong: use the service name.

## Example
```nginx
location / { proxy_pass http://example.org; }
```

## Use instead
Nothing, if the target really is outside Docker. Otherwise the service name: `proxy_pass http://app:3000;`.
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.analysis.resolve import Kind
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, route_finding, where

META = Meta("DN304", "upstream-outside-graph", Severity.NOTE)


def check(ctx: Context) -> Iterator[Finding]:
    """Names resolved outside Docker."""
    for res in ctx.resolutions(Kind.EXTERNAL):
        yield route_finding(
            META,
            ctx,
            res,
            f'"{res.host}" ({where(res)} of {ctx.service(res.proxy).name}) is not a container dockernet can '
            f"see; it will be resolved by public DNS",
            "nothing to do if it is outside Docker; otherwise use the service name",
        )
