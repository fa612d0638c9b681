"""Everything the sources produced, as one value: the input of the graph stage."""

from __future__ import annotations

from dataclasses import dataclass

from dockernet.model.docker import ImageFacts, Network, Project
from dockernet.model.findings import Suppression
from dockernet.model.proxy import AnyProxy


@dataclass(frozen=True)
class Topology:
    """Everything the sources produced: the input of the graph stage."""

    projects: tuple[Project, ...]
    proxies: tuple[AnyProxy, ...] = ()
    """Every proxy found, read or not."""
    images: tuple[ImageFacts, ...] = ()
    engine_networks: tuple[Network, ...] = ()
    """Live only: networks that exist on the engine outside the checked projects."""
    host_gateway: str = "172.17.0.1"
    """What ``host-gateway`` maps to (the default bridge gateway unless the daemon says otherwise)."""
    partial: tuple[str, ...] = ()
    """Reasons why the result is incomplete (live scans)."""
    suppressions: tuple[Suppression, ...] = ()
    """The ``# dockernet: ignore[...]`` comments of every file the sources read, collected once."""
    notices: tuple[str, ...] = ()
    """What the sources read only in part, as ``file:line: text`` lines (an env file not found, replicas
    past the ones resolved, several compose files in one directory): the CLI prints them as warnings."""
