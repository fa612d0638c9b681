"""
## What it does
Flags what `haproxy -c` refuses, so that HAProxy does not start: a `use_backend` or `default_backend` that
names no `backend` or `listen` section, a `server` line without an address, a server that names a
`resolvers` section that does not exist, and two backends (or frontends) with the same name.

## Why is this bad?
HAProxy stops before it listens, so every route of it is down (measured with HAProxy 2.6.12:
`Proxy 'web': unable to find required use_backend: 'api'.`, `Fatal errors found in configuration.`, exit 1;
https://docs.haproxy.org/2.6/configuration.html#4-use_backend).

## Example
```haproxy
frontend web
    bind :80
    use_backend api if { path_beg /api }
    default_backend app
backend app
    server app1 app:3000
```

## Use instead
```haproxy
backend api
    server api1 api:8000
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.dialects import haproxy
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, finding

META = Meta("DN701", "haproxy-config-refused", Severity.ERROR, dialects=frozenset({"haproxy"}))


def check(ctx: Context) -> Iterator[Finding]:
    """Everything ``haproxy -c`` refuses that the reader sees."""
    for node, _, syntax in ctx.read_proxies("haproxy", haproxy.Syntax):
        for r in syntax.refusals:
            yield finding(
                META,
                f"HAProxy will not start ({ctx.service(node).name}): {r.reason}",
                "define the section it names, or fix the name (`haproxy -c -f FILE` shows every refusal)",
                r.loc,
                service=ctx.service(node),
                target=r.written,
            )
