"""Which containers a scan checks (:class:`Scope`, :func:`select`) and the engine's raw answers about them
(:func:`snapshot`), kept as a :class:`Snapshot`, which is also the recording format of tests/data/engine/.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from dockernet.dialects.base import Located
from dockernet.errors import EngineError, UsageError
from dockernet.model import NOWHERE, Mount, Service
from dockernet.sources import tartree
from dockernet.sources.engine import api
from dockernet.sources.engine.api import PROJECT_LABEL, STANDALONE
from dockernet.sources.engine.client import INSPECT_THREADS, Engine, NotFound, Progress
from dockernet.sources.engine.proxies import claimant


@dataclass(frozen=True)
class Scope:
    """Which containers a scan checks; empty sets mean everything. Different kinds are combined with AND,
    names of one kind with OR (like ``docker ps --filter``)."""

    projects: frozenset[str] = frozenset()
    networks: frozenset[str] = frozenset()
    containers: frozenset[str] = frozenset()

    @property
    def everything(self) -> bool:
        """True when nothing narrows the scan."""
        return not (self.projects or self.networks or self.containers)


@dataclass(frozen=True)
class Snapshot:
    """The engine's raw answers, as the API gave them (recorded in tests/data/engine/)."""

    api_version: str
    containers: tuple[Mapping[str, Any], ...]
    """``GET /containers/json?all=1``, every container."""
    networks: tuple[Mapping[str, Any], ...]
    """``GET /networks``."""
    inspects: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """``GET /containers/{id}/json`` by container ID, for the containers in scope and their neighbours."""
    partial: tuple[str, ...] = ()
    archives: Mapping[str, tartree.Fetched | None] = field(default_factory=dict)
    """Archives of ``/etc/nginx`` fetched during the snapshot, by container ID (None: no such path);
    not recorded."""

    def to_json(self) -> dict[str, Any]:
        """The snapshot as a JSON-ready dict (the recording format of tests/data/engine/)."""
        return {
            "api_version": self.api_version,
            "containers": list(self.containers),
            "networks": list(self.networks),
            "inspects": dict(self.inspects),
            "partial": list(self.partial),
        }

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Snapshot:
        """A snapshot from :meth:`to_json`'s form."""
        return cls(
            api_version=str(doc.get("api_version", "")),
            containers=tuple(doc.get("containers") or ()),
            networks=tuple(doc.get("networks") or ()),
            inspects=dict(doc.get("inspects") or {}),
            partial=tuple(doc.get("partial") or ()),
        )


def _match(name: str, cid: str, wanted: Iterable[str]) -> bool:
    return any(w == name or (len(w) >= 3 and cid.startswith(w)) for w in wanted)


def select(
    snap_containers: Sequence[Mapping[str, Any]],
    networks: Sequence[Mapping[str, Any]],
    scope: Scope,
    strict: bool = True,
) -> tuple[set[str], set[str]]:
    """(IDs of the containers the scope checks, IDs of the containers to read for context).

    Context: every container on a network a checked container's namespace is on (their names are what the
    embedded DNS answers), and the containers whose namespace a checked one shares. With ``strict``, a
    scope name that matches nothing is a UsageError.
    """
    by_id = {str(c.get("Id", "")): c for c in snap_containers}
    net_names = {str(n.get("Name", "")): str(n.get("Id", "")) for n in networks}

    def owner(cid: str) -> str:
        seen = {cid}
        while True:
            mode = api.net_mode(by_id[cid])
            if not mode.startswith("container:"):
                return cid
            target = api.find_id(by_id, mode.split(":", 1)[1])
            if target is None or target in seen:
                return cid
            seen.add(target)
            cid = target

    def nets_of(cid: str) -> set[str]:
        return set(api.endpoints(by_id[owner(cid)]))

    checked: set[str] = set()
    for cid, c in by_id.items():
        labels = api.labels(c)
        if scope.projects and labels.get(PROJECT_LABEL, STANDALONE) not in scope.projects:
            continue
        if scope.containers and not _match(api.name(c), cid, scope.containers):
            continue
        if scope.networks and not any(_match(n, net_names.get(n, ""), scope.networks) for n in nets_of(cid)):
            continue
        checked.add(cid)
    if strict:
        _check_scope_names(by_id, networks, scope)
    if scope.everything:
        return checked, set()
    wanted_nets = {n for cid in checked for n in nets_of(cid)}
    context = {cid for cid in by_id if cid not in checked and nets_of(cid) & wanted_nets}
    context |= {owner(cid) for cid in checked} - checked
    owners = {owner(cid) for cid in checked | context}
    context |= {cid for cid in by_id if owner(cid) in owners and cid not in checked}
    return checked, context


def _check_scope_names(
    by_id: Mapping[str, Mapping[str, Any]], networks: Sequence[Mapping[str, Any]], scope: Scope
) -> None:
    projects = sorted({api.labels(c).get(PROJECT_LABEL, "") for c in by_id.values()} - {""})
    for p in sorted(scope.projects):
        if p not in projects:
            known = ", ".join(projects) or "none"
            raise UsageError(f'no compose project "{p}" on this engine (projects: {known})')
    for n in sorted(scope.networks):
        if not any(_match(str(x.get("Name", "")), str(x.get("Id", "")), [n]) for x in networks):
            raise UsageError(f'no network "{n}" on this engine')
    for name in sorted(scope.containers):
        if not any(_match(api.name(c), cid, [name]) for cid, c in by_id.items()):
            raise UsageError(f'no container "{name}" on this engine')


def snapshot(
    engine: Engine,
    scope: Scope = Scope(),
    progress: Progress | None = None,
    strict: bool = True,
    configs: bool = False,
) -> Snapshot:
    """Read the engine: two list calls, then one inspect per container in scope or context.

    With ``configs``, the archives of ``/etc/nginx`` of the checked containers that look like proxies in
    the list (image or command) are fetched meanwhile, on one more thread: the engine takes 100-200 ms per
    archive and serves them one at a time, so they overlap the inspects instead of following them.
    """
    report = progress or (lambda phase, done, total: None)
    report("listing containers and networks", 0, 2)
    containers = engine.get("/containers/json", {"all": "1"})
    networks = engine.get("/networks")
    report("listing containers and networks", 2, 2)
    if not isinstance(containers, list) or not isinstance(networks, list):
        raise EngineError(f"{engine.host}: the engine's container or network list is not a list")
    checked, context = select(containers, networks, scope, strict)
    wanted = sorted(checked | context)
    archives: dict[str, Any] = {}
    fetcher = ThreadPoolExecutor(max_workers=1) if configs else None
    if fetcher is not None:
        for c in containers:
            cid = str(c.get("Id", ""))
            if cid in checked and (located := _listed_as_proxy(c)) is not None:
                archives[cid] = fetcher.submit(_prefetch, engine, cid, located.directory)
    inspects: dict[str, Mapping[str, Any]] = {}
    partial: list[str] = []
    lock = threading.Lock()
    done = 0
    names = {str(c.get("Id", "")): api.name(c) for c in containers}

    def one(cid: str) -> None:
        nonlocal done
        try:
            data = engine.get(f"/containers/{cid}/json")
        except NotFound:
            with lock:
                partial.append(f"container {names.get(cid, cid[:12])} disappeared during the scan")
            data = None
        except EngineError as e:
            with lock:
                partial.append(f"container {names.get(cid, cid[:12])} could not be inspected: {e}")
            data = None
        with lock:
            if isinstance(data, dict):
                inspects[cid] = data
            done += 1
            report("inspecting containers", done, len(wanted))

    if wanted:
        with ThreadPoolExecutor(max_workers=min(INSPECT_THREADS, len(wanted))) as pool:
            for _ in pool.map(one, wanted):
                pass
    fetched: dict[str, tartree.Fetched | None] = {}
    if fetcher is not None:
        fetcher.shutdown(wait=True)
        fetched = {cid: future.result() for cid, future in archives.items() if future.result() is not _FAILED}
    # A container that vanished between the list and its inspect is not part of the result.
    gone = {cid for cid in wanted if cid not in inspects}
    kept = tuple(c for c in containers if str(c.get("Id", "")) not in gone)
    return Snapshot(
        api_version=engine.api_version,
        containers=kept,
        networks=tuple(networks),
        inspects=inspects,
        partial=tuple(sorted(partial)),
        archives=fetched,
    )


_FAILED = tartree.Fetched(b"", truncated=True)
"""Marks a prefetch that failed: the proxy reader asks again and reports the error itself."""


def _prefetch(engine: Engine, cid: str, directory: str) -> tartree.Fetched | None:
    try:
        return engine.archive(cid, directory)
    except EngineError:
        return _FAILED


def _listed_as_proxy(c: Mapping[str, Any]) -> Located | None:
    """Where the configuration is, for a container that runs a proxy judged from the list alone (image,
    command line, bind mounts), with the same claims as everywhere else."""
    listed = Service(
        project="",
        name="",
        loc=NOWHERE,
        image=str(c.get("Image") or "") or None,
        command=(str(c.get("Command") or ""),),
        volumes=tuple(
            Mount(type="bind", target=str(m.get("Destination") or ""))
            for m in c.get("Mounts") or ()
            if isinstance(m, Mapping) and m.get("Type") == "bind"
        ),
    )
    found = claimant(listed)
    return found[1] if found else None
