"""What ``docker stack deploy`` makes of a compose file, on top of what ``docker compose`` reads.

The Docker CLI's stack loader (docker/cli ``cli/compose/convert`` and ``cli/compose/loader``,
https://github.com/docker/cli/blob/master/cli/compose/types/types.go ``UnsupportedProperties``,
``DeprecatedProperties``, ``ForbiddenProperties``) reads the same file with three differences that matter for
routing, each measured with the Docker 20.10 CLI on a single-node swarm (docs/swarm.md):

- **Refused** keys stop the deploy (``Compose file contains unsupported options: mem_limit: Set resource
  limits using deploy.resources``): an InputError here, at the key.
- **Ignored** keys (``Ignoring unsupported options: build, network_mode, restart``; ``container_name:
  Setting the container name is not supported.``; ``depends_on`` without a word): kept in
  ``Service.stack_ignored`` for DN901 and taken out of the model, so no rule counts on them.
- Networks default to the ``overlay`` driver; ``attachable`` says whether standalone containers may join.
  A service answers ``<service>``, ``<stack>_<service>`` and ``tasks.<service>`` (graph.dns_names); Traefik
  reads ``deploy.labels``, so they become ``Service.labels`` and the service-level ``labels`` are kept by
  key only.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

from dockernet.model import Loc, Service
from dockernet.model.loc import frozen_map
from dockernet.sources.compose.common import _err, _scalar_str
from dockernet.sources.compose.fields import _labels, _map, _str
from dockernet.sources.compose.yamlsafe import YMap

REFUSED = {
    "cpu_quota": "Set resource limits using deploy.resources",
    "cpu_shares": "Set resource limits using deploy.resources",
    "cpuset": "Set resource limits using deploy.resources",
    "mem_limit": "Set resource limits using deploy.resources",
    "memswap_limit": "Set resource limits using deploy.resources",
    "volume_driver": "Set the driver on the named volume instead",
    "volumes_from": "To share a volume between services, use a named volume",
}
"""Keys the stack loader refuses (``ForbiddenProperties``), with the CLI's advice."""

IGNORED = ("build", "container_name", "depends_on", "links", "network_mode", "restart")
"""Keys the stack loader ignores that change how a route works (the CLI's lists have more: ``ipc``,
``privileged``... which do not)."""


def refuse(svc: YMap, what: str) -> None:
    """An InputError at the first key ``docker stack deploy`` refuses."""
    for key in svc:
        if key in REFUSED:
            raise _err(
                svc.where(key),
                f"{what}.{key}: docker stack deploy refuses this option ({REFUSED[key]})",
            )


def as_task_service(service: Service, svc: YMap, what: str, stack: str) -> Service:
    """The service as a Swarm service of stack ``stack``."""
    ignored = tuple((k, Loc(*svc.where(k))) for k in IGNORED if k in svc)
    deploy = _map(svc, "deploy", f"{what}.deploy")
    endpoint_mode = "vip"
    global_mode = False
    labels: dict[str, str | None] = {}
    label_locs: dict[str, Loc] = {}
    if deploy is not None:
        endpoint_mode = (_str(deploy, "endpoint_mode", f"{what}.deploy.endpoint_mode") or "vip").lower()
        if endpoint_mode not in ("vip", "dnsrr"):
            raise _err(deploy.where("endpoint_mode"), f"{what}.deploy.endpoint_mode must be vip or dnsrr")
        global_mode = (_str(deploy, "mode", f"{what}.deploy.mode") or "replicated") == "global"
        labels, label_locs = _labels(deploy, f"{what}.deploy")
    return replace(
        service,
        stack=stack,
        container_name=None,
        links=(),
        depends_on=(),
        endpoint_mode=endpoint_mode,
        global_mode=global_mode,
        stack_ignored=ignored,
        labels=frozen_map(labels),
        label_locs=MappingProxyType(label_locs),
        container_label_locs=MappingProxyType(dict(service.label_locs)),
    )


def attachable(cfg: YMap, what: str) -> bool:
    """``attachable: true`` on a network."""
    return _scalar_str(cfg.get("attachable", False)).lower() == "true"
