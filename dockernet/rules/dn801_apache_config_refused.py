"""
## What it does
Flags what makes Apache httpd refuse its configuration, so that it does not start: a `ProxyPass`,
`ProxyPassMatch`, `BalancerMember` or `<Proxy>` while `mod_proxy` is not loaded, an `Include` of a file that
does not exist (or a wildcard that matches nothing), a section that is never closed.

## Why is this bad?
httpd stops before it serves anything, so every route of it is down. Measured with Debian's apache2 2.4.71:
`apache2 -t` says `Invalid command 'ProxyPass', perhaps misspelled or defined by a module not included in
the server configuration` and exits 1 (https://httpd.apache.org/docs/2.4/mod/mod_proxy.html: the proxy
directives belong to `mod_proxy`). The official `httpd` image ships its `LoadModule proxy_module` line
commented out, and Debian's package enables no proxy module.

## Example
```apache
<VirtualHost *:80>
    ProxyPass /app/ http://app:3000/
</VirtualHost>
```

## Use instead
```apache
LoadModule proxy_module modules/mod_proxy.so
LoadModule proxy_http_module modules/mod_proxy_http.so
<VirtualHost *:80>
    ProxyPass /app/ http://app:3000/
</VirtualHost>
```
(on Debian: `a2enmod proxy proxy_http`, or mount `proxy.load` and `proxy_http.load` into `mods-enabled/`).
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.dialects import apache
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, finding

META = Meta("DN801", "apache-config-refused", Severity.ERROR, dialects=frozenset({"apache"}))


def check(ctx: Context) -> Iterator[Finding]:
    """Everything httpd refuses when it reads its configuration."""
    for node, _, syntax in ctx.read_proxies("apache", apache.Syntax):
        for r in syntax.refusals:
            yield finding(
                META,
                f"Apache httpd will not start ({ctx.service(node).name}): {r.reason}; every route fails",
                _hint(r.reason),
                r.loc,
                service=ctx.service(node),
                target=r.written,
                route=r.route,
            )


def _hint(reason: str) -> str:
    if "Invalid command" in reason:
        return (
            "load mod_proxy and the module of the scheme: `LoadModule proxy_module modules/mod_proxy.so` and "
            "`LoadModule proxy_http_module modules/mod_proxy_http.so` (Debian: `a2enmod proxy proxy_http`)"
        )
    if "Could not open" in reason or "No matches" in reason:
        return "mount the included file, or use `IncludeOptional`"
    return "run `apachectl -t` to see what httpd refuses"
