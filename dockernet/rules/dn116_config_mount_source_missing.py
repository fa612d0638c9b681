"""
## What it does
Flags a bind mount of a proxy's configuration whose source does not exist on this machine:

* in the short syntax (`./nginx/default.conf:/etc/nginx/conf.d/default.conf`), Docker creates the missing
  source as an empty directory and mounts it where the proxy expects a file: nginx then stops at start
  with `pread() "/etc/nginx/conf.d/default.conf" failed (21: Is a directory)`; where the image already has
  a file at the target (`/etc/caddy/Caddyfile` in Caddy's image), Docker refuses to create the container
  ("Are you trying to mount a directory onto a file");
* in the long syntax without `bind: {create_host_path: true}`, the container is not created at all:
  `invalid mount config for type "bind": bind source path does not exist`.

## Why is this bad?
The proxy does not run, so every route answers nothing (or the port is refused). It is usually a typo in
the path or a file that was never committed; Docker leaves an empty directory behind on the host, which
hides the typo from the next `ls`.

## Example
```yaml
services:
  proxy:
    image: nginx:1.27
    volumes:
      - ./ngnix/default.conf:/etc/nginx/conf.d/default.conf:ro
```

## Use instead
```yaml
services:
  proxy:
    image: nginx:1.27
    volumes:
      - ./nginx/default.conf:/etc/nginx/conf.d/default.conf:ro
```
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from dockernet.dialects import DIALECTS
from dockernet.model import Mount
from dockernet.model.findings import Finding, Severity
from dockernet.model.loc import relpath
from dockernet.rules.base import Context, Meta, finding

META = Meta("DN116", "config-mount-source-missing", Severity.ERROR)

_CONFIG_FILE = re.compile(r"\.(conf|cfg|ya?ml|toml|json|caddy)$|^Caddyfile$", re.IGNORECASE)
"""A target that names a configuration file (not ``conf.d``, not a certificate a setup script writes)."""


def check(ctx: Context) -> Iterator[Finding]:
    """Missing sources of the mounts that carry a proxy's configuration."""
    for node, proxy in ctx.proxies():
        if proxy.dialect not in DIALECTS:
            continue
        svc = ctx.service(node)
        located = ctx.dialect(node).locate(svc)
        title = ctx.dialect(node).title
        for m in svc.volumes:
            if m.type != "bind" or m.source_exists is not False or not located.covers(m.target):
                continue
            why = _consequence(m, title)
            if why is None:
                continue
            yield finding(
                META,
                f"{svc.name} mounts {relpath(m.source or '')} on {m.target}, but it does not exist: {why}",
                "fix the source path (or add the missing file) so that the mount brings the configuration",
                m.loc,
                service=svc,
            )


def _consequence(m: Mount, title: str) -> str | None:
    """What Docker and the proxy do with the missing source; None when nothing breaks for sure."""
    if not m.create_host_path:
        return 'the container is not created ("bind source path does not exist")'
    if _CONFIG_FILE.search(posixpath.basename(m.target.rstrip("/"))):
        return (
            f"Docker creates an empty directory there and mounts it where {title} expects a file: the "
            f"container is not created when the image has a file at that path (Caddy's Caddyfile), and "
            f"otherwise {title} will not start"
        )
    return None  # an empty directory: something may fill it at run time (certbot, a start script)
