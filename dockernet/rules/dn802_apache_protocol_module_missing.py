"""
## What it does
Flags an Apache httpd route whose upstream scheme needs a proxy module that is not loaded:
`mod_proxy_http` for `http://` and `https://`, `mod_proxy_fcgi` for `fcgi://`, `mod_proxy_wstunnel` for
`ws://`, `mod_proxy_balancer` for `balancer://`, and so on.

## Why is this bad?
httpd starts and looks healthy, but every request of the route answers **500**: measured with Debian's
apache2 2.4.71, the error log says `AH01144: No protocol handler was valid for the URL /app/ (scheme
'http'). If you are using a DSO version of mod_proxy, make sure the proxy submodules are included in the
configuration using LoadModule.` `mod_proxy` alone only provides the directives
(https://httpd.apache.org/docs/2.4/mod/mod_proxy.html, "the proxy module ... requires one or more of the
protocol modules").

## Example
```apache
LoadModule proxy_module modules/mod_proxy.so
ProxyPass /app/ http://app:3000/
```

## Use instead
```apache
LoadModule proxy_module modules/mod_proxy.so
LoadModule proxy_http_module modules/mod_proxy_http.so
ProxyPass /app/ http://app:3000/
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.dialects import apache
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, finding

META = Meta("DN802", "apache-protocol-module-missing", Severity.ERROR, dialects=frozenset({"apache"}))


def check(ctx: Context) -> Iterator[Finding]:
    """Routes whose scheme has no handler loaded."""
    for node, _, syntax in ctx.read_proxies("apache", apache.Syntax):
        for m in syntax.missing:
            short = m.module.removesuffix("_module")
            yield finding(
                META,
                f"{m.module} is not loaded in {ctx.service(node).name}, so httpd has no handler for "
                f"{m.scheme}://: every request of the route answers 500 (AH01144)",
                f"add `LoadModule {m.module} modules/mod_{short}.so` (Debian: `a2enmod {short}`)",
                m.loc,
                service=ctx.service(node),
                route=m.route,
            )
