"""The configuration of each proxy container, read out of the container: through the archive endpoint (the
``docker cp`` path), or, only with ``--exec``, through ``nginx -T``. Which containers are proxies and where
their configuration is comes from :func:`dockernet.sources.proxies.claimant`, as for compose input; the
reader (:mod:`dockernet.dialects`) reads the files.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from dockernet.dialects import unread
from dockernet.dialects.base import Dialect, Located, Peers
from dockernet.errors import EngineError, InputError
from dockernet.model import AnyProxy, Service, UnreadProxy
from dockernet.model.findings import Suppression
from dockernet.sources import tartree
from dockernet.sources.engine.client import INSPECT_THREADS, Engine, Progress
from dockernet.sources.suppressions import scan_contents

if TYPE_CHECKING:
    # Only a type here: build imports snapshot, which imports this module's claimant.
    from dockernet.sources.engine.build import Live


def is_proxy(service: Service) -> bool:
    """True for a container that runs a proxy dockernet reads (:func:`dockernet.sources.proxies.claimant`)."""
    return claimant(service) is not None


def claimant(service: Service) -> tuple[Dialect, Located] | None:
    """The reader of a container's proxy and where its configuration is: by image, command or bind
    mounts, as for compose input."""
    from dockernet.sources.proxies import claimant as claim

    return claim(service, [m.target for m in service.volumes if m.type == "bind"])


@dataclass(frozen=True)
class ProxyRead:
    """The configs read from proxy containers, the bytes behind them, and what went wrong."""

    configs: tuple[AnyProxy, ...]
    files: Mapping[tuple[str, str], Mapping[str, bytes]]
    """(project, service) -> container path -> contents, for messages."""
    partial: tuple[str, ...] = ()
    suppressions: tuple[Suppression, ...] = ()
    """The ``# dockernet: ignore[...]`` comments of those files (paths inside the containers)."""


def read_proxies(
    engine: Engine,
    live: Live,
    progress: Progress | None = None,
    prefetched: Mapping[str, tartree.Fetched | None] | None = None,
) -> ProxyRead:
    """Each proxy container's configuration, read out of the container (using the archives that
    :func:`snapshot` fetched already)."""
    ready = dict(prefetched or {})
    report = progress or (lambda phase, done, total: None)
    proxies = [
        (svc, found)
        for project in live.topology.projects
        for svc in project.services.values()
        if svc.key in live.checked and (found := claimant(svc)) is not None
    ]
    lock = threading.Lock()
    done = 0
    peers = Peers(services=tuple(s for p in live.topology.projects for s in p.services.values()))

    def one(item: tuple[Service, tuple[Dialect, Located]]) -> tuple[AnyProxy, Mapping[str, bytes], list[str]]:
        nonlocal done
        svc, (dialect, located) = item
        result = _read_one(
            engine, live.ids[svc.key], svc, live.containers[svc.key], dialect, located, ready, peers
        )
        with lock:
            done += 1
            report("reading proxy configs", done, len(proxies))
        return result

    report("reading proxy configs", 0, len(proxies))
    results: list[tuple[AnyProxy, Mapping[str, bytes], list[str]]] = []
    if proxies:
        # The engine spends about 100-200 ms per archive (it mounts the container's file system): overlap.
        with ThreadPoolExecutor(max_workers=min(INSPECT_THREADS, len(proxies))) as pool:
            results = list(pool.map(one, proxies))
    # Kinds dockernet does not read are reported, never skipped in silence. (nginx-proxy's generated files
    # are final in a running container: there the nginx reader claims it first.)
    unknown = tuple(
        kind.report(svc, "container")
        for project in live.topology.projects
        for svc in project.services.values()
        if svc.key in live.checked and claimant(svc) is None and (kind := unread.recognise(svc)) is not None
    )
    configs = tuple(cfg for cfg, _, _ in results) + unknown
    files = {svc.key: read for (svc, _), (_, read, _) in zip(proxies, results, strict=True)}
    partial = tuple(p for _, _, problems in results for p in problems)
    comments = scan_contents((p, d) for read in files.values() for p, d in read.items())
    return ProxyRead(configs, files, partial, comments)


def _read_one(
    engine: Engine,
    cid: str,
    svc: Service,
    cname: str,
    dialect: Dialect,
    located: Located,
    ready: Mapping[str, tartree.Fetched | None],
    peers: Peers,
) -> tuple[AnyProxy, Mapping[str, bytes], list[str]]:
    entry, config_dir = located.entry, located.directory

    def fetch(path: str) -> tartree.Fetched | None:
        if path == config_dir and cid in ready:
            return ready[cid]
        return engine.archive(cid, path)

    tree = tartree.TarTree(fetch, label=cname)
    problems: list[str] = []
    hidden = _tmpfs_over(svc, config_dir)
    read: Mapping[str, bytes] = {}
    cfg: AnyProxy
    if hidden is not None:
        # The archive endpoint reads the image and volumes, not a tmpfs: it would answer with the image's
        # files under the mount, silently (seen on Engine 20.10), so do not ask it.
        cfg = _unknown(
            svc, dialect, f"the config is on a tmpfs mount ({hidden}), which docker cp cannot read"
        )
    else:
        try:
            tree.prefetch(config_dir if config_dir != "/" else entry)
            cfg = load_config(svc, dialect, located, tree, "container archive", peers)
        except EngineError as e:
            cfg = _unknown(svc, dialect, f"the archive endpoint failed: {e}")
        problems.extend(tree.problems)
        read = tree.read_files
    if isinstance(cfg, UnreadProxy) and engine.allow_exec and svc.state == "running":
        dumped, dump_files, why = _read_dump(engine, cid, svc, dialect, located)
        if dumped is not None:
            return dumped, dump_files, problems
        cfg = replace(
            cfg, reason=f"{cfg.reason}; {' '.join((dialect.dump_command(located) or ())[:2])}: {why}"
        )
    if isinstance(cfg, UnreadProxy):
        problems.append(f"{cname}: {dialect.title} configuration not read ({cfg.reason})")
    return cfg, read, problems


def _tmpfs_over(svc: Service, config_dir: str) -> str | None:
    """The tmpfs mount that holds the config directory or lies inside it, if any."""
    for m in svc.volumes:
        if m.type == "tmpfs" and (tartree.clean(config_dir) + "/").startswith(m.target.rstrip("/") + "/"):
            return m.target
        if m.type == "tmpfs" and m.target.startswith(config_dir.rstrip("/") + "/"):
            return m.target
    return None


def _read_dump(
    engine: Engine, cid: str, svc: Service, dialect: Dialect, located: Located
) -> tuple[AnyProxy | None, Mapping[str, bytes], str]:
    entry = located.entry
    argv = dialect.dump_command(located)
    if argv is None:
        return None, {}, f"{dialect.title} cannot dump its configuration"
    try:
        code, out, err = engine.exec_output(cid, list(argv))
    except EngineError as e:
        return None, {}, str(e)
    files = dialect.parse_dump(out)
    if code != 0 or not files:
        first = next((line for line in err.decode("utf-8", "replace").splitlines() if line.strip()), "")
        return None, {}, f"exit {code}: {first[:200]}" if first else f"exit {code}"
    tree = tartree.DumpTree(files)
    if entry not in files:
        located = replace(located, entry=next(iter(files)))
    cfg = load_config(svc, dialect, located, tree, f"{' '.join(argv[:2])} (exec)")
    if isinstance(cfg, UnreadProxy):
        return None, tree.read_files, cfg.reason
    return cfg, tree.read_files, ""


def _unknown(svc: Service, dialect: Dialect, reason: str) -> UnreadProxy:
    return UnreadProxy(service=svc.key, dialect=dialect.name, origin="container", reason=reason)


def load_config(
    svc: Service,
    dialect: Dialect,
    located: Located,
    tree: tartree.TarTree | tartree.DumpTree,
    how: str,
    peers: Peers = Peers(),
) -> AnyProxy:
    """A proxy's config and routes from a tree of container files; unread (with the reason) when the proxy
    would not load it. The files in a running container are final: templates were rendered at start."""
    try:
        return dialect.read(svc, tree, located, how, at_start=False, peers=peers)
    except OSError as e:
        return _unknown(svc, dialect, f"{located.entry}: {e.strerror or e}")
    except InputError as e:
        where = f"{e.file}:{e.line}" if e.line else e.file
        return _unknown(svc, dialect, f"{where}: {e.message}")
