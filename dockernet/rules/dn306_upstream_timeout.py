"""
## What it does
Notes upstream timeouts that will surprise: a `*_read_timeout` or `*_send_timeout` under 10 seconds (an
upstream that pauses that long between two reads of its response, or two writes of the request, gets a
504), and a `*_connect_timeout` over 75 seconds (which has no effect).
Covers `proxy_`, `fastcgi_`, `uwsgi_`, `scgi_` and `grpc_` timeouts.

## Why is this bad?
`proxy_read_timeout` is the longest pause nginx accepts between two reads of the response (default 60 s);
past it nginx logs `upstream timed out (110: Connection timed out) while reading response header from
upstream` and answers 504, although the backend is healthy, only slow (a report, an upload, a cold
start). The timeout is "set only between two successive read operations, not for the transmission of the
whole response": a slow response that streams is not cut, one that thinks before its first byte is.
`proxy_send_timeout` is the same for writing the request (a large upload to a busy backend):
"upstream timed out ... while sending request to upstream", 504
(https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_read_timeout, #proxy_send_timeout).
`proxy_connect_timeout` "cannot usually exceed 75 seconds"
(https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_connect_timeout): a larger value promises
a patience the kernel does not have.

## Example
```nginx
location /reports/ {
    proxy_read_timeout 5s;
    proxy_pass http://app:3000;
}
```

## Use instead
```nginx
location /reports/ {
    proxy_read_timeout 120s;   # as long as the slowest report takes
    proxy_pass http://app:3000;
}
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockernet.dialects import nginx
from dockernet.dialects.nginx.syntax import walk
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, finding

META = Meta("DN306", "upstream-timeout", Severity.NOTE, dialects=frozenset({"nginx"}))

_PREFIXES = ("proxy", "fastcgi", "uwsgi", "scgi", "grpc")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "M": 2592000, "y": 31536000}
_TIME = re.compile(r"(\d+)(ms|[smhdwMy]?)")
SHORT_READ = 10.0
CONNECT_CAP = 75.0


def seconds(value: str) -> float | None:
    """nginx's time syntax (``1m30s``, ``500ms``, ``60``) in seconds; None when it is not one."""
    parts = _TIME.findall(value)
    if not parts or "".join(n + u for n, u in parts) != value:
        return None
    return sum(int(n) * _UNITS[u or "s"] for n, u in parts)


def check(ctx: Context) -> Iterator[Finding]:
    """Read/send timeouts under 10 s, connect timeouts over 75 s."""
    for node, _, syntax in ctx.read_proxies("nginx", nginx.Syntax):
        for d, _parents in walk(syntax.directives):
            prefix, _, kind = d.name.partition("_")
            if prefix not in _PREFIXES or len(d.args) != 1:
                continue
            value = seconds(d.args[0])
            if value is None:
                continue
            if kind in ("read_timeout", "send_timeout") and value < SHORT_READ:
                what = (
                    "an upstream that sends nothing for that long (before its first byte, or between two "
                    "reads) gets a 504"
                    if kind == "read_timeout"
                    else "a request the upstream takes in no bytes for that long (between two writes of a "
                    "large body) gets a 504"
                )
                yield finding(
                    META,
                    f"{d.name} {d.args[0]}: {what}",
                    f"raise it to the slowest response you expect (the default is 60s), e.g. {d.name} 60s;",
                    d.loc,
                    service=ctx.service(node),
                )
            elif kind == "connect_timeout" and value > CONNECT_CAP:
                yield finding(
                    META,
                    f"{d.name} {d.args[0]}: a connect timeout cannot usually exceed 75 seconds, so this "
                    "one has no effect",
                    f"{d.name} 75s; (or less: a refused or unreachable upstream should fail fast)",
                    d.loc,
                    service=ctx.service(node),
                )
