"""
## What it does
In a stack file (`dockernet check --stack`), flags the keys that `docker stack deploy` ignores and that
change how a route works: `container_name`, `links`, `network_mode`, `depends_on`, `restart` and `build`.
It says what Swarm does instead.

## Why is this bad?
The file works with `docker compose up` and deploys without an error as a stack, but the stack runs
differently. The CLI prints `Ignoring unsupported options: build, network_mode, restart` and
`container_name: Setting the container name is not supported.`, and it says nothing about `depends_on`.
Measured on a single-node swarm (Docker 20.10): a proxy that dials the `container_name` gets no DNS answer,
because tasks are named `<stack>_<service>.<slot>.<task-id>`. Links add no name. `network_mode: host` still
puts the task on the stack's overlay network. All services start at once, whatever `depends_on` says.

## Example
```yaml
services:
  app:
    image: shop/app
    container_name: shop-app
    restart: always
```

## Use instead
```yaml
services:
  app:
    image: shop/app
    deploy:
      restart_policy: {condition: any}
```
Address the service by its service name (`app`), which resolves on every network of the stack.
"""

from __future__ import annotations

from collections.abc import Iterator

from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, finding

META = Meta("DN901", "stack-option-ignored", Severity.WARNING)

_WHAT = {
    "build": (
        "every node runs the image it pulls; the build section is not used",
        "build and push the image first, and name it with image:",
    ),
    "container_name": (
        "task containers are named <stack>_<service>.<slot>.<task-id>, so nothing answers to {value}",
        "remove container_name and address the service by its name: {name}",
    ),
    "depends_on": (
        "every service of the stack starts at once, so a proxy that resolves its upstreams at start may "
        "find none yet",
        "remove depends_on and let the proxy tolerate a missing upstream (resolve at request time)",
    ),
    "links": (
        "no link name is added; only service names and aliases resolve on the stack's networks",
        "remove links and put both services on a common network",
    ),
    "network_mode": (
        "the task joins the stack's networks instead",
        "remove network_mode and list the networks the service needs",
    ),
    "restart": (
        "tasks are restarted by deploy.restart_policy (condition: any unless set)",
        "remove restart; set deploy.restart_policy if the default does not fit",
    ),
}


def check(ctx: Context) -> Iterator[Finding]:
    """Ignored stack keys, one finding each."""
    for node in sorted(ctx.topo.services):
        svc = ctx.service(node)
        if svc.stack is None:
            continue
        for key, loc in svc.stack_ignored:
            what, hint = _WHAT[key]
            value = f'"{svc.name}"' if key != "container_name" else "the container name"
            yield finding(
                META,
                f"docker stack deploy ignores {key} in service {svc.name}: {what.format(value=value)}",
                hint.format(name=svc.name),
                loc,
                service=svc,
            )
