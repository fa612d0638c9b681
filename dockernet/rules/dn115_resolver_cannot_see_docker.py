"""
## What it does
Flags a runtime lookup (a variable in `*_pass`, or `server ... resolve`) of a container name through a
`resolver` that cannot answer it: a resolver other than Docker's 127.0.0.11 (e.g. `8.8.8.8`), 127.0.0.11 in
a proxy that has no embedded DNS (default bridge, host network), or a name that exists only in the proxy's
/etc/hosts (`extra_hosts`), which nginx's resolver never reads.

## Why is this bad?
Only Docker's embedded DNS at 127.0.0.11 knows container names, and only on user-defined networks. A
public resolver answers `app could not be resolved (3: Host not found)`; 127.0.0.11 without an embedded
DNS times out (`110: Operation timed out`). Every request answers 502.

## Example
```nginx
resolver 8.8.8.8;
location / {
    set $backend app;
    proxy_pass http://$backend:3000;
}
```

## Use instead
```nginx
resolver 127.0.0.11 valid=10s ipv6=off;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.analysis.resolve import Kind
from dockernet.model import EMBEDDED_DNS
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, route_finding, where

META = Meta("DN115", "resolver-cannot-see-docker", Severity.ERROR)


def check(ctx: Context) -> Iterator[Finding]:
    """Runtime lookups through a resolver that does not know the name."""
    for res in ctx.resolutions(Kind.SERVICE, Kind.ETC_HOSTS, Kind.HOST, Kind.NOT_FOUND):
        if not res.runtime_dns or not res.route.resolvers:
            continue
        proxy = ctx.service(res.proxy)
        resolvers = res.route.resolvers
        names_container = res.kind is Kind.SERVICE and bool(res.reached) and res.host is not None
        if names_container and EMBEDDED_DNS not in resolvers and not res.no_dns:
            why = (
                f"resolver {' '.join(resolvers)} does not know container names; only Docker's {EMBEDDED_DNS} "
                "does"
            )
            fx = ctx.resolver_fix(res)
            hint, edits = fx.text, fx.edits
        elif EMBEDDED_DNS in resolvers and res.no_dns in ("default bridge", "host network"):
            why = f"{proxy.name} is on the {res.no_dns}, where no DNS server listens on {EMBEDDED_DNS}"
            edits = ()
            hint = (
                f"put {proxy.name} on a user-defined network, or use a static name (resolved from /etc/hosts)"
            )
        elif any(e.host == res.host for e in proxy.extra_hosts):
            why = (
                f"the name is only in /etc/hosts (extra_hosts), which {ctx.dialect(res.proxy).title}'s "
                "resolver never reads"
            )
            edits = ()
            hint = "use the name without a variable (static names are resolved from /etc/hosts at start)"
        else:
            continue
        yield route_finding(
            META,
            ctx,
            res,
            f'"{res.host}" ({where(res)} of {proxy.name}) is looked up per request, but {why}',
            hint,
            edits,
        )
