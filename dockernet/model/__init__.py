"""The one model that every source fills and every later stage reads.

Sources (compose files, proxy configurations, the live engine) build these objects; the graph, the resolver
and the rules only read them. Everything is a frozen dataclass, so that a stage cannot change what an
earlier stage saw, and every object that a finding can point at carries a :class:`Loc`.

* :mod:`.loc`: :class:`Loc`, where things are written;
* :mod:`.docker`: networks, services, mounts, ports, projects, Dockerfile facts;
* :mod:`.proxy`: proxies, routes and upstream addresses, the same for every proxy kind;
* :mod:`.topology`: all of it together;
* :mod:`.findings`: what the rules report.

This module re-exports the names every stage uses.
"""

from dockernet.model.docker import (
    EMBEDDED_DNS,
    HOST_PROJECT,
    LOOPBACK_NAMES,
    MAX_REPLICA_NAMES,
    Attachment,
    Build,
    ExtraHost,
    ImageFacts,
    IpamConfig,
    Link,
    Mount,
    Network,
    NetworkMode,
    PortMapping,
    Project,
    Service,
    Volume,
)
from dockernet.model.loc import NOWHERE, Loc, frozen_map
from dockernet.model.proxy import (
    AnyProxy,
    Candidate,
    Lookup,
    Match,
    Proxy,
    Role,
    Route,
    UnreadProxy,
    Upstream,
)
from dockernet.model.topology import Topology

__all__ = [
    "EMBEDDED_DNS",
    "HOST_PROJECT",
    "LOOPBACK_NAMES",
    "MAX_REPLICA_NAMES",
    "NOWHERE",
    "AnyProxy",
    "Attachment",
    "Build",
    "Candidate",
    "ExtraHost",
    "ImageFacts",
    "IpamConfig",
    "Link",
    "Loc",
    "Lookup",
    "Match",
    "Mount",
    "Network",
    "NetworkMode",
    "PortMapping",
    "Project",
    "Proxy",
    "Role",
    "Route",
    "Service",
    "Topology",
    "UnreadProxy",
    "Upstream",
    "Volume",
    "frozen_map",
]
