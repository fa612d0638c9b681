"""
## What it does
Warns about a Caddy site address with a host name that can get a public certificate (`shop.example.com`)
while automatic HTTPS is on: no `http://` in front, no `auto_https off`, no `tls internal`.

## Why is this bad?
For such a site Caddy listens on 443, answers plain HTTP with a redirect to HTTPS, and at start asks a
public ACME CA (Let's Encrypt, ZeroSSL) for a certificate (https://caddyserver.com/docs/automatic-https).
That works only when the name points at this machine and ports 80 and 443 reach the container. Behind another
proxy, on a laptop or in CI it does not: the issuance fails and retries, and until it succeeds TLS
handshakes for the site fail, while requests on port 80 only get the redirect. `caddy adapt` shows the site
on `:443`.

## Example
```caddyfile
shop.example.com {
        reverse_proxy app:3000
}
```

## Use instead
```caddyfile
http://shop.example.com {
        reverse_proxy app:3000
}
```
(or `tls internal` for a local certificate, or the global option `auto_https off`, when TLS ends elsewhere)
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.dialects import caddy
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, finding

META = Meta("DN603", "caddy-automatic-https", Severity.WARNING, dialects=frozenset({"caddy"}))


def check(ctx: Context) -> Iterator[Finding]:
    """Sites that make Caddy ask a public CA for a certificate."""
    for node, _, syntax in ctx.read_proxies("caddy", caddy.Syntax):
        service = ctx.service(node)
        for site in syntax.sites:
            if not site.acme:
                continue
            yield finding(
                META,
                f"site {site.address} of {service.name} turns on automatic HTTPS: Caddy listens on "
                f"{site.port}, redirects HTTP there and asks a public ACME CA for a certificate of "
                "it at start",
                f"write `http://{site.address}` when TLS ends elsewhere, or add `tls internal` to the site",
                site.loc,
                service=service,
            )
