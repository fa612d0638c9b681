"""The nginx configuration of each proxy container, read out of the container: through the archive
endpoint (the ``docker cp`` path), or, only with ``--exec``, through ``nginx -T``.
"""

from __future__ import annotations

import posixpath
import re
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from dockernet.errors import EngineError, InputError
from dockernet.model import ProxyConfig, Service
from dockernet.sources import tartree
from dockernet.sources.engine.client import INSPECT_THREADS, Engine, Progress

if TYPE_CHECKING:
    # Only a type here: build imports snapshot, which imports this module's NGINX_WORD and ETC_NGINX.
    from dockernet.sources.engine.build import Live

ETC_NGINX = "/etc/nginx"
MAIN = "/etc/nginx/nginx.conf"
NGINX_WORD = re.compile(r"(^|[/\s])(nginx|openresty)(\s|$|:)|(^|/)(nginx|openresty|angie|tengine)[^/]*(:|$)")


def is_proxy(service: Service) -> bool:
    """True for a container that runs nginx: by its image, or by its command line."""
    argv = " ".join(service.entrypoint + service.command)
    return bool(NGINX_WORD.search(service.image or "") or re.search(r"(^|[/\s'\"])nginx(\s|$|['\";])", argv))


def entry_file(service: Service) -> str:
    """The main config file: ``nginx -c PATH`` when the command line gives one (also inside a
    ``sh -c '... nginx -c PATH'`` script), else nginx's default."""
    import shlex

    words: list[str] = []
    for arg in service.entrypoint + service.command:
        if " " in arg:
            try:
                words.extend(shlex.split(arg))
            except ValueError:
                words.append(arg)
        else:
            words.append(arg)
    started = False
    for i, word in enumerate(words):
        if posixpath.basename(word) in ("nginx", "openresty"):
            started = True
        elif word in ("&&", ";", "||", "|"):
            started = False
        elif started and word == "-c" and i + 1 < len(words):
            path = words[i + 1]
            return path if path.startswith("/") else posixpath.join(ETC_NGINX, path)
    return MAIN


@dataclass(frozen=True)
class ProxyRead:
    """The configs read from proxy containers, the bytes behind them, and what went wrong."""

    configs: tuple[ProxyConfig, ...]
    files: Mapping[tuple[str, str], Mapping[str, bytes]]
    """(project, service) -> container path -> contents, for inline suppressions and messages."""
    partial: tuple[str, ...] = ()


def read_proxies(
    engine: Engine,
    live: Live,
    progress: Progress | None = None,
    prefetched: Mapping[str, tartree.Fetched | None] | None = None,
) -> ProxyRead:
    """Each proxy container's nginx configuration, read out of the container (using the archives that
    :func:`snapshot` fetched already)."""
    ready = dict(prefetched or {})
    report = progress or (lambda phase, done, total: None)
    proxies = [
        svc
        for project in live.topology.projects
        for svc in project.services.values()
        if svc.key in live.checked and is_proxy(svc)
    ]
    lock = threading.Lock()
    done = 0

    def one(svc: Service) -> tuple[ProxyConfig, Mapping[str, bytes], list[str]]:
        nonlocal done
        result = _read_one(engine, live.ids[svc.key], svc, live.containers[svc.key], ready)
        with lock:
            done += 1
            report("reading proxy configs", done, len(proxies))
        return result

    report("reading proxy configs", 0, len(proxies))
    results: list[tuple[ProxyConfig, Mapping[str, bytes], list[str]]] = []
    if proxies:
        # The engine spends about 100-200 ms per archive (it mounts the container's file system): overlap.
        with ThreadPoolExecutor(max_workers=min(INSPECT_THREADS, len(proxies))) as pool:
            results = list(pool.map(one, proxies))
    configs = tuple(cfg for cfg, _, _ in results)
    files = {svc.key: read for svc, (_, read, _) in zip(proxies, results, strict=True)}
    partial = tuple(p for _, _, problems in results for p in problems)
    return ProxyRead(configs, files, partial)


def _read_one(
    engine: Engine, cid: str, svc: Service, cname: str, ready: Mapping[str, tartree.Fetched | None]
) -> tuple[ProxyConfig, Mapping[str, bytes], list[str]]:
    entry = entry_file(svc)

    def fetch(path: str) -> tartree.Fetched | None:
        if path == ETC_NGINX and cid in ready:
            return ready[cid]
        return engine.archive(cid, path)

    tree = tartree.TarTree(fetch, label=cname)
    problems: list[str] = []
    config_dir = ETC_NGINX if entry.startswith(ETC_NGINX + "/") else posixpath.dirname(entry)
    hidden = _tmpfs_over(svc, config_dir)
    read: Mapping[str, bytes] = {}
    if hidden is not None:
        # The archive endpoint reads the image and volumes, not a tmpfs: it would answer with the image's
        # files under the mount, silently (seen on Engine 20.10), so do not ask it.
        cfg = _unknown(svc, f"the config is on a tmpfs mount ({hidden}), which docker cp cannot read")
    else:
        try:
            tree.prefetch(config_dir if config_dir != "/" else entry)
            cfg = load_config(svc, entry, tree, "container archive")
        except EngineError as e:
            cfg = _unknown(svc, f"the archive endpoint failed: {e}")
        problems.extend(tree.problems)
        read = tree.read_files
    if cfg.root is None and engine.allow_exec and svc.state == "running":
        dumped, dump_files, why = _read_dump(engine, cid, svc, entry)
        if dumped is not None:
            return dumped, dump_files, problems
        cfg = replace(cfg, unknown_reason=f"{cfg.unknown_reason}; nginx -T: {why}")
    if cfg.root is None:
        problems.append(f"{cname}: nginx configuration not read ({cfg.unknown_reason})")
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
    engine: Engine, cid: str, svc: Service, entry: str
) -> tuple[ProxyConfig | None, Mapping[str, bytes], str]:
    argv = ["nginx", "-T"] + (["-c", entry] if entry != MAIN else [])
    try:
        code, out, err = engine.exec_output(cid, argv)
    except EngineError as e:
        return None, {}, str(e)
    files = tartree.parse_dump(out)
    if code != 0 or not files:
        first = next((line for line in err.decode("utf-8", "replace").splitlines() if line.strip()), "")
        return None, {}, f"exit {code}: {first[:200]}" if first else f"exit {code}"
    tree = tartree.DumpTree(files)
    entry = entry if entry in files else next(iter(files))
    cfg = load_config(svc, entry, tree, "nginx -T (exec)")
    return (cfg if cfg.root is not None else None), tree.read_files, cfg.unknown_reason or ""


def _unknown(svc: Service, reason: str) -> ProxyConfig:
    return ProxyConfig(proxy=svc.key, root=None, how="container", unknown_reason=reason)


def load_config(svc: Service, entry: str, tree: tartree.TarTree | tartree.DumpTree, how: str) -> ProxyConfig:
    """A proxy's config and routes from a tree of container files; unknown (with the reason) when nginx
    would not load it."""
    from dockernet.dialects.nginx import routes as nginx_routes
    from dockernet.dialects.nginx import syntax as nginx

    try:
        found = tree.read(entry)
    except OSError as e:
        return _unknown(svc, f"{entry}: {e.strerror or e}")
    if found is None:
        return _unknown(svc, f"{entry} could not be read from the container")
    try:
        conf = nginx.load(entry, tree)
    except InputError as e:
        where = f"{e.file}:{e.line}" if e.line else e.file
        return _unknown(svc, f"{where}: {e.message}")
    # The files in a running container are final: templates were rendered at start, so the environment is
    # not substituted again.
    routes = nginx_routes.extract(conf.directives, svc.key, environment={})
    return ProxyConfig(
        proxy=svc.key,
        root=found[0],
        how=how,
        directives=conf.directives,
        files=conf.files,
        routes=routes.routes,
        listens=routes.listens,
        error_pages=routes.error_pages,
    )
