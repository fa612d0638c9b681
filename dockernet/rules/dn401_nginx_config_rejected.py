"""
## What it does
Flags an nginx configuration that nginx refuses to load, so that the proxy does not start and every route
it serves is down. The message is nginx's own, at the file and line nginx names:

- a syntax error or an `include` of a file that is not there (`open() "/etc/nginx/x.conf" failed (2: No
  such file or directory)`);
- a directive that no module of the image's nginx defines (`unknown directive "proxy_pas"`), a directive
  in a block where it cannot stand (`"proxy_pass" directive is not allowed here`, `server` inside
  `location`), a block where a simple directive is due or the reverse, and a wrong number of arguments
  (`invalid number of arguments in "proxy_pass" directive`);
- the same setting twice in one block (`"gzip" directive is duplicate`), and a flag that is neither `on`
  nor `off` (`invalid value "yes" in "proxy_buffering" directive, it must be "on" or "off"`), for the
  directives whose value nginx stores with its generic setters;
- `daemon` in a configuration that the image starts with `nginx -g "daemon off;"` (the official image's
  command): `"daemon" directive is duplicate`;
- a main configuration without an `events` block.

Like nginx, it reports the first error only: fix it and run again. Directives are checked against the
modules of the official `nginx` image (also when a Dockerfile builds `FROM` it, and as an older tag has
them: `ssl on;` before 1.25) and of the test image, Debian's nginx; for any other image (OpenResty, a base
of one's own with extra modules) only the syntax and the includes are checked, and a config that loads
modules with `load_module` never has an unknown directive. Other values are not checked
(`proxy_read_timeout 5x;` passes here, nginx refuses it).

## Why is this bad?
`nginx -t` fails, the container exits at start (or restarts in a loop), and every route answers with a
connection error, or a 502 from a proxy in front. A config mounted into a running container breaks it at
the next reload or restart, not when it is edited.

## Example
```nginx
location / {
    proxy_pas http://app:3000;
}
```

## Use instead
```nginx
location / {
    proxy_pass http://app:3000;
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.dialects import nginx
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, finding

META = Meta("DN401", "nginx-config-rejected", Severity.ERROR, dialects=frozenset({"nginx"}))


def check(ctx: Context) -> Iterator[Finding]:
    """One finding per nginx proxy whose configuration nginx refuses."""
    for node, _, syntax in ctx.read_proxies("nginx", nginx.Syntax):
        if syntax.refusal is None:
            continue
        refusal = syntax.refusal
        table = f" (directives of {syntax.checked_with})" if syntax.checked_with else ""
        yield finding(
            META,
            f"nginx will refuse to start: {refusal.message}",
            f"check it with `nginx -t` in the image{table}; until it passes, no route of this proxy answers",
            refusal.loc,
            service=ctx.service(node),
        )
