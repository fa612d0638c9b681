"""The live Docker engine as a source of the model: what is running, read through the Engine API.

Three steps, each usable on its own:

* :func:`connect` opens a read-only session with the engine named by ``--host``, ``DOCKER_HOST`` or the
  current ``docker context`` (the order of the docker CLI), with the API version negotiated;
* :func:`snapshot` reads the engine's raw answers with as few calls as the data allows (see
  shared/reference/engine-knowledge.md): ``GET /containers/json?all=1`` and ``GET /networks`` carry names,
  state, labels, ports, mounts, network mode and every endpoint's address; one
  ``GET /containers/{id}/json`` per container in scope adds what the list leaves out (aliases and
  ``DNSNames``, ``ExtraHosts``, links, health, the full ``Config``), a few at a time;
* :func:`build` turns a :class:`Snapshot` into model objects. It is a pure function, tested against
  recorded answers of real engines (tests/data/engine/).

:func:`read_proxies` then reads each proxy container's nginx configuration out of the container with the
archive endpoint (the ``docker cp`` path), or, only when the user allows it, with ``nginx -T`` through
exec.

A scan is read-only: every request is a GET, except the two exec calls behind ``--exec``. Engine answers
differ between versions (``DNSNames`` from API 1.44; ``Aliases`` without the short ID from 1.45), so every
field is read with a default; a container that disappears between the list and its inspect is skipped and
the result is marked partial.

Secrets: container environments and labels are copied into the model (rules read listen addresses from
them) and never into a message.
"""

from __future__ import annotations

import json
import os
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from dockernet.dialects.base import Dialect, Located
from dockernet.errors import EngineError, InputError, UsageError
from dockernet.model import (
    NOWHERE,
    AnyProxy,
    Attachment,
    ExtraHost,
    IpamConfig,
    Link,
    Loc,
    Mount,
    Network,
    NetworkMode,
    PortMapping,
    Project,
    Proxy,
    Service,
    Topology,
    UnreadProxy,
    frozen_map,
)
from dockernet.sources import tartree

PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"
ONEOFF_LABEL = "com.docker.compose.oneoff"
CONFIG_FILES_LABEL = "com.docker.compose.project.config_files"
WORKING_DIR_LABEL = "com.docker.compose.project.working_dir"
DEPENDS_ON_LABEL = "com.docker.compose.depends_on"

STANDALONE = ""
"""The pseudo-project of containers that no compose project created (``docker run``)."""
DEFAULT_SOCKET = "unix:///var/run/docker.sock"
INSPECT_THREADS = 4
"""docker-py spends its time in Python, so more threads than this gain nothing on 2 cores
(shared/reference/engine-knowledge.md); a few hide the engine's latency."""
TIMEOUT = 30

Progress = Callable[[str, int, int], None]
"""``progress(phase, done, total)``, called from worker threads too."""


# ------------------------------------------------------------------------------------------ session


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


class Engine:
    """A read-only session with one Docker engine.

    The docker SDK's low-level client picks the transport (unix socket, tcp with TLS, ssh), negotiates the
    API version and runs exec. Reads on a local unix socket bypass its requests/urllib3 stack and use
    plain HTTP/1.1 connections, one kept alive per thread: that stack costs about 1-2 ms per request
    (shared/reference/engine-knowledge.md, "Cost"), which is the whole difference between a scan and the
    docker CLI's own ``inspect`` on 400 containers. The paths and the GET-only rule are this class's.
    """

    def __init__(self, api: Any, host: str, allow_exec: bool = False) -> None:
        self._api = api
        self.host = host
        self.allow_exec = allow_exec
        self.api_version: str = str(api.api_version)
        self._socket = host[len("unix://") :] if host.startswith("unix://") else None
        self._local = threading.local()
        self._conns: list[Any] = []
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close the connections."""
        with self._lock:
            for conn in self._conns:
                conn.close()
            self._conns.clear()
        self._api.close()

    def get(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        """``GET path`` answered with JSON; raises :class:`NotFound` for 404, EngineError otherwise."""
        resp = self._request(path, params, stream=False)
        try:
            return resp.json()
        except ValueError as e:
            raise EngineError(f"{self.host}: GET {path} answered something that is not JSON") from e

    def _request(self, path: str, params: Mapping[str, str] | None, stream: bool) -> Any:
        if self._socket is not None:
            resp: Any = self._unix_get(path, params, stream)
        else:
            import requests

            try:
                # The SDK's session and transport; _url adds the negotiated /vX.Y.
                resp = self._api.get(
                    self._api._url(path), params=dict(params or {}), stream=stream, timeout=TIMEOUT
                )
            except requests.RequestException as e:
                raise EngineError(f"{self.host}: GET {path} failed: {_reason(e)}") from e
        if resp.status_code == 404:
            resp.close()
            raise NotFound(path)
        if resp.status_code >= 400:
            message = _error_message(resp)
            resp.close()
            raise EngineError(f"{self.host}: GET {path} answered {resp.status_code}: {message}")
        return resp

    def _unix_get(self, path: str, params: Mapping[str, str] | None, stream: bool) -> _UnixResponse:
        import http.client
        from urllib.parse import quote, urlencode

        target = f"/v{self.api_version}{quote(path)}" + (f"?{urlencode(dict(params))}" if params else "")
        for attempt in (1, 2):
            conn = getattr(self._local, "conn", None)
            if conn is None:
                conn = _UnixConnection(self._socket or "", TIMEOUT)
                self._local.conn = conn
                with self._lock:
                    self._conns.append(conn)
            try:
                conn.request(
                    "GET", target, headers={"User-Agent": "dockernet", "Accept-Encoding": "identity"}
                )
                raw = conn.getresponse()
                return _UnixResponse(raw, conn, self._local, stream)
            except (OSError, http.client.HTTPException) as e:
                conn.close()
                self._local.conn = None
                # A kept-alive connection that the engine closed meanwhile: one fresh attempt.
                if attempt == 2 or not isinstance(
                    e, (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)
                ):
                    raise EngineError(f"{self.host}: GET {path} failed: {_reason(e)}") from e
        raise AssertionError("unreachable")

    def archive(self, container: str, path: str) -> tartree.Fetched | None:
        """The tar archive of a container path (``docker cp``), cut at :data:`tartree.MAX_ARCHIVE` bytes;
        None when the path does not exist in the container."""
        import requests

        try:
            resp = self._request(f"/containers/{container}/archive", {"path": path}, stream=True)
        except NotFound:
            return None
        buf = bytearray()
        truncated = False
        try:
            for chunk in resp.iter_content(chunk_size=64 * 1024):
                buf += chunk
                if len(buf) > tartree.MAX_ARCHIVE:
                    truncated = True
                    del buf[tartree.MAX_ARCHIVE :]
                    break
        except (requests.RequestException, OSError):
            truncated = True  # a dropped stream is a cut archive, not a failed scan
        finally:
            resp.close()
        return tartree.Fetched(bytes(buf), truncated)

    def logs(self, container: str, tail: int, tty: bool = False) -> list[str]:
        """The last ``tail`` lines of a container's log, stdout and stderr interleaved as written, each
        prefixed with the engine's RFC 3339 time (``docker logs --tail N --timestamps``; a GET). A
        container without a TTY streams 8-byte frame headers (stream, 0, 0, 0, size) that are removed
        here; a TTY's stream is raw. Read up to :data:`MAX_LOG` bytes; a dropped stream keeps what came."""
        import requests

        params = {"stdout": "1", "stderr": "1", "tail": str(max(tail, 0)), "timestamps": "1"}
        resp = self._request(f"/containers/{container}/logs", params, stream=True)
        buf = bytearray()
        try:
            for chunk in resp.iter_content(chunk_size=64 * 1024):
                buf += chunk
                if len(buf) > MAX_LOG:
                    del buf[MAX_LOG:]
                    break
        except (requests.RequestException, OSError):
            pass
        finally:
            resp.close()
        data = bytes(buf) if tty else demux_log(bytes(buf))
        return data.decode("utf-8", "replace").splitlines()

    def exec_output(self, container: str, argv: Sequence[str]) -> tuple[int, bytes, bytes]:
        """Run ``argv`` in a running container (POST: only with ``--exec``): (exit code, stdout, stderr)."""
        if not self.allow_exec:
            raise EngineError("exec is not allowed in a read-only scan (use --exec)")
        import docker.errors  # type: ignore[import-untyped,unused-ignore]

        try:
            created = self._api.exec_create(container, list(argv), stdout=True, stderr=True)
            out, err = self._api.exec_start(created["Id"], demux=True)
            code = self._api.exec_inspect(created["Id"]).get("ExitCode")
        except docker.errors.APIError as e:
            raise EngineError(f"{self.host}: exec in {container[:12]} failed: {e.explanation or e}") from e
        return int(code if code is not None else -1), out or b"", err or b""


MAX_LOG = 4 * 1024 * 1024
"""Most bytes read from one container's log stream."""


def demux_log(data: bytes) -> bytes:
    """The payload of a multiplexed log stream (a container without a TTY): frames of an 8-byte header
    (stream 0/1/2, three zero bytes, big-endian size) and that many bytes, in the order written. A cut
    last frame keeps its bytes; data that does not start with a valid header is returned as it is."""
    out = bytearray()
    pos = 0
    while pos < len(data):
        head = data[pos : pos + 8]
        if len(head) < 8 or head[0] not in (0, 1, 2) or head[1:4] != b"\x00\x00\x00":
            if pos == 0:
                return data  # not multiplexed after all (a TTY)
            break
        size = int.from_bytes(head[4:8], "big")
        out += data[pos + 8 : pos + 8 + size]
        pos += 8 + size
    return bytes(out)


class _UnixConnection:
    """An HTTP/1.1 connection over a unix socket (created lazily, kept alive)."""

    def __init__(self, path: str, timeout: float) -> None:
        import http.client

        self._path = path
        self._timeout = timeout
        self._conn = http.client.HTTPConnection("localhost", timeout=timeout)
        self._conn.connect = self._connect  # type: ignore[method-assign]

    def _connect(self) -> None:
        import socket

        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self._timeout)
        sock.connect(self._path)
        self._conn.sock = sock

    def request(self, method: str, target: str, headers: Mapping[str, str]) -> None:
        self._conn.request(method, target, headers=dict(headers))

    def getresponse(self) -> Any:
        return self._conn.getresponse()

    def close(self) -> None:
        self._conn.close()


class _UnixResponse:
    """The parts of a requests response that :class:`Engine` uses, over an http.client response."""

    def __init__(self, raw: Any, conn: _UnixConnection, local: threading.local, stream: bool) -> None:
        self._raw = raw
        self._conn = conn
        self._local = local
        self.status_code: int = raw.status
        self.reason: str = raw.reason
        self._body: bytes | None = None if stream else raw.read()

    @property
    def text(self) -> str:
        return (self._body if self._body is not None else b"").decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self._body if self._body is not None else self._raw.read())

    def iter_content(self, chunk_size: int) -> Iterator[bytes]:
        while True:
            chunk = self._raw.read(chunk_size)
            if not chunk:
                return
            yield chunk

    def close(self) -> None:
        if self._body is None and not self._raw.isclosed():
            # A stream left unread cannot share its connection with the next request.
            self._conn.close()
            self._local.conn = None
        elif self._body is None:
            self._raw.close()


class NotFound(Exception):
    """The engine answered 404 (the object is gone)."""


def _error_message(resp: Any) -> str:
    try:
        return str(resp.json().get("message", "")).strip() or resp.reason
    except ValueError:
        return str(resp.text[:200]).strip() or str(resp.reason)


def _reason(e: BaseException) -> str:
    """The innermost cause of a transport error, in words."""
    seen: set[int] = set()
    cur: BaseException | None = e
    last = e
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        last = cur
        nxt = cur.__cause__ or cur.__context__
        if nxt is None and cur.args and isinstance(cur.args[-1], BaseException):
            nxt = cur.args[-1]
        cur = nxt
    if isinstance(last, PermissionError):
        return "permission denied"
    if isinstance(last, FileNotFoundError):
        return "no such socket"
    if isinstance(last, ConnectionRefusedError):
        return "connection refused"
    return str(last) or type(last).__name__


def resolve_host(host: str | None, environ: Mapping[str, str]) -> tuple[dict[str, Any], str]:
    """The SDK client's keyword arguments and a printable host, the way the docker CLI picks the engine:
    ``--host``, then ``DOCKER_HOST`` (with ``DOCKER_TLS_VERIFY``/``DOCKER_CERT_PATH``), then the current
    context (``DOCKER_CONTEXT``, or ``currentContext`` in ~/.docker/config.json), then the local socket."""
    from docker.context import ContextAPI  # type: ignore[import-untyped,unused-ignore]
    from docker.errors import DockerException  # type: ignore[import-untyped,unused-ignore]
    from docker.utils import kwargs_from_env  # type: ignore[import-untyped,unused-ignore]

    env = dict(environ)
    if host:
        env["DOCKER_HOST"] = host
    try:
        params: dict[str, Any] = kwargs_from_env(environment=env)
    except DockerException as e:
        raise EngineError(f"DOCKER_HOST / TLS settings: {e}") from e
    if "base_url" not in params:
        try:
            params.update(ContextAPI.kwargs_from_context(environment=env))
        except Exception as e:  # the SDK raises a bare Exception for a corrupted meta.json
            raise EngineError(f"docker context: {e}") from e
    params.setdefault("base_url", DEFAULT_SOCKET)
    return params, str(params["base_url"])


def connect(
    host: str | None = None, environ: Mapping[str, str] | None = None, allow_exec: bool = False
) -> Engine:
    """A session with the engine, API version negotiated (one ``GET /version``), or EngineError."""
    import docker  # type: ignore[import-untyped,unused-ignore]
    import requests
    from docker.errors import DockerException  # type: ignore[import-untyped,unused-ignore]

    env = os.environ if environ is None else environ
    params, shown = resolve_host(host, env)
    version = env.get("DOCKER_API_VERSION") or "auto"
    ssh_client = shown.startswith("ssh://") and not _has_paramiko()
    try:
        api = docker.APIClient(version=version, timeout=TIMEOUT, use_ssh_client=ssh_client, **params)
    except DockerException as e:
        raise EngineError(_explain_connect(e, shown)) from None
    except (requests.RequestException, OSError) as e:
        raise EngineError(_explain_connect(e, shown)) from None
    # requests looks up proxy settings in the environment on every request unless told not to: about 1 ms
    # each, and a Docker socket is never behind an HTTP proxy (engine-knowledge.md, "Cost").
    api.trust_env = False
    engine = Engine(api, shown, allow_exec)
    if version != "auto":
        _check_version(engine, version)
    return engine


def _has_paramiko() -> bool:
    try:
        import paramiko  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: F401
    except ImportError:
        return False
    return True


def _check_version(engine: Engine, version: str) -> None:
    """With a pinned ``DOCKER_API_VERSION`` the SDK does not ask the engine; ask once, to fail clearly."""
    try:
        engine.get("/version")
    except EngineError as e:
        text = str(e)
        if "too new" in text or "client version" in text or "not supported" in text:
            detail = text.split(": ", 2)[-1]
            raise EngineError(
                f"{engine.host}: the engine does not speak API {version} (DOCKER_API_VERSION): {detail}; "
                "unset DOCKER_API_VERSION to negotiate"
            ) from None
        raise


def _explain_connect(e: BaseException, host: str) -> str:
    text = str(e)
    reason = _reason(e)
    if "API versions below" in text or "no longer supported" in text:
        return f"{host}: the engine's API is older than the docker SDK supports ({text})"
    if "too new" in text or "client version" in text:
        return f"{host}: {text.split(': ', 1)[-1]}; unset DOCKER_API_VERSION to negotiate the version"
    if "Permission denied" in text or reason == "permission denied":
        sock = host.removeprefix("unix://")
        return (
            f"permission denied on {sock}: add your user to the docker group "
            "(sudo usermod -aG docker $USER, then log in again) or run dockernet with sudo"
        )
    if "No such file" in text or reason == "no such socket":
        return f"cannot reach the Docker engine at {host}: no such socket (is dockerd running?)"
    if "Connection refused" in text or reason == "connection refused":
        return f"cannot reach the Docker engine at {host}: connection refused (is dockerd running?)"
    if "paramiko" in text:
        return f"{host}: {text}"
    return f"cannot reach the Docker engine at {host}: {reason}"


# ------------------------------------------------------------------------------------------ snapshot


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


def _name(c: Mapping[str, Any]) -> str:
    names = c.get("Names") or []
    if names:
        return str(names[0]).lstrip("/")
    return str(c.get("Name") or c.get("Id", "")[:12]).lstrip("/")


def _labels(c: Mapping[str, Any]) -> Mapping[str, str]:
    labels = c.get("Labels")
    if labels is None:
        labels = (c.get("Config") or {}).get("Labels")
    return labels or {}


def _endpoints(c: Mapping[str, Any]) -> Mapping[str, Mapping[str, Any]]:
    return (c.get("NetworkSettings") or {}).get("Networks") or {}


def _net_mode(c: Mapping[str, Any]) -> str:
    return str((c.get("HostConfig") or {}).get("NetworkMode") or "")


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
            mode = _net_mode(by_id[cid])
            if not mode.startswith("container:"):
                return cid
            target = _find_id(by_id, mode.split(":", 1)[1])
            if target is None or target in seen:
                return cid
            seen.add(target)
            cid = target

    def nets_of(cid: str) -> set[str]:
        return set(_endpoints(by_id[owner(cid)]))

    checked: set[str] = set()
    for cid, c in by_id.items():
        labels = _labels(c)
        if scope.projects and labels.get(PROJECT_LABEL, STANDALONE) not in scope.projects:
            continue
        if scope.containers and not _match(_name(c), cid, scope.containers):
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
    projects = sorted({_labels(c).get(PROJECT_LABEL, "") for c in by_id.values()} - {""})
    for p in sorted(scope.projects):
        if p not in projects:
            known = ", ".join(projects) or "none"
            raise UsageError(f'no compose project "{p}" on this engine (projects: {known})')
    for n in sorted(scope.networks):
        if not any(_match(str(x.get("Name", "")), str(x.get("Id", "")), [n]) for x in networks):
            raise UsageError(f'no network "{n}" on this engine')
    for name in sorted(scope.containers):
        if not any(_match(_name(c), cid, [name]) for cid, c in by_id.items()):
            raise UsageError(f'no container "{name}" on this engine')


def _find_id(by_id: Mapping[str, Any], ref: str) -> str | None:
    if ref in by_id:
        return ref
    for cid, c in by_id.items():
        if cid.startswith(ref) or _name(c) == ref:
            return cid
    return None


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
    names = {str(c.get("Id", "")): _name(c) for c in containers}

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
    command line, bind mounts), with the same readers' claims as everywhere else."""
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
    found = _claimant(listed)
    return found[1] if found else None


# ------------------------------------------------------------------------------------------ model


@dataclass(frozen=True)
class Live:
    """What :func:`build` made of a snapshot."""

    topology: Topology
    """Projects (live), engine networks, host gateway, partial reasons; no proxy configs yet."""
    containers: Mapping[tuple[str, str], str]
    """(project, service) -> container name."""
    ids: Mapping[tuple[str, str], str]
    """(project, service) -> container ID."""
    checked: frozenset[tuple[str, str]]
    """The services the scope checks (the others are context)."""


def _str_list(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _env(values: Iterable[str]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for item in values:
        key, sep, val = item.partition("=")
        out[key] = val if sep else None
    return out


def _extra_hosts(values: Iterable[str], loc: Loc) -> tuple[ExtraHost, ...]:
    out: list[ExtraHost] = []
    for item in values:
        # "host:ip" (the engine's form; an IPv6 address keeps its colons) or "host=ip" (CLI 25+).
        sep = "=" if "=" in item else ":"
        host, _, ip = item.partition(sep)
        if host and ip:
            out.append(ExtraHost(host=host, ip=ip.strip("[]"), loc=loc))
    return tuple(out)


def _links(values: Iterable[str], loc: Loc) -> tuple[Link, ...]:
    out: list[Link] = []
    for item in values:
        # Engine form: "/target:/linking-container/alias".
        target, _, alias_path = item.partition(":")
        out.append(Link(target=target.lstrip("/"), alias=alias_path.rsplit("/", 1)[-1], loc=loc))
    return tuple(out)


def _ports(c: Mapping[str, Any], inspect: Mapping[str, Any], loc: Loc) -> tuple[PortMapping, ...]:
    seen: dict[tuple[int, int | None, str, str | None], PortMapping] = {}
    entries = c.get("Ports")
    if entries is None:
        entries = []
        for key, binds in ((inspect.get("NetworkSettings") or {}).get("Ports") or {}).items():
            port, _, proto = str(key).partition("/")
            for b in binds or []:
                entries.append(
                    {
                        "PrivatePort": int(port),
                        "PublicPort": int(b.get("HostPort") or 0) or None,
                        "IP": b.get("HostIp"),
                        "Type": proto or "tcp",
                    }
                )
    for p in entries:
        public = p.get("PublicPort")
        private = p.get("PrivatePort")
        if not public or private is None:
            continue
        ip = p.get("IP") or None
        if ip == "::":  # the engine lists the IPv6 twin of a 0.0.0.0 binding separately
            ip = "0.0.0.0"
        key = (int(private), int(public), str(p.get("Type") or "tcp"), ip)
        seen.setdefault(
            key, PortMapping(target=key[0], published=key[1], host_ip=ip, protocol=key[2], loc=loc)
        )
    return tuple(seen[k] for k in sorted(seen, key=lambda k: (k[0], k[1] or 0, k[2], k[3] or "")))


def _exposed(inspect: Mapping[str, Any], c: Mapping[str, Any]) -> tuple[int, ...]:
    ports: set[int] = set()
    for key in (inspect.get("Config") or {}).get("ExposedPorts") or {}:
        num = str(key).split("/", 1)[0]
        if num.isdigit():
            ports.add(int(num))
    for p in c.get("Ports") or []:
        if p.get("PrivatePort"):
            ports.add(int(p["PrivatePort"]))
    return tuple(sorted(ports))


def _mounts(c: Mapping[str, Any], inspect: Mapping[str, Any], loc: Loc) -> tuple[Mount, ...]:
    out: list[Mount] = []
    for m in c.get("Mounts") or inspect.get("Mounts") or []:
        kind = str(m.get("Type") or "volume")
        target = str(m.get("Destination") or "")
        if not target:
            continue
        if kind == "bind":
            source = m.get("Source") or None
        elif kind == "volume":
            source = m.get("Name") or None
        else:
            source = None
        out.append(Mount(type=kind, target=target, source=source, read_only=not m.get("RW", True), loc=loc))
    # `--tmpfs` and compose's `tmpfs:` key live in HostConfig.Tmpfs, not in Mounts.
    for target in (inspect.get("HostConfig") or {}).get("Tmpfs") or {}:
        if not any(m.target == target for m in out):
            out.append(Mount(type="tmpfs", target=str(target), loc=loc))
    return tuple(out)


def _health(c: Mapping[str, Any], inspect: Mapping[str, Any]) -> str | None:
    health = (inspect.get("State") or {}).get("Health")
    if isinstance(health, Mapping) and health.get("Status"):
        return str(health["Status"])
    status = str(c.get("Status") or "")
    for word in ("unhealthy", "healthy", "health: starting"):
        if f"({word})" in status:
            return "starting" if word == "health: starting" else word
    return None


def build(snap: Snapshot, scope: Scope = Scope()) -> Live:
    """The model of what runs on the engine. Pure: no requests."""
    containers = [c for c in snap.containers if str(c.get("Id", ""))]
    by_id = {str(c["Id"]): c for c in containers}
    checked_ids, context_ids = select(containers, snap.networks, scope, strict=False)
    keep = (checked_ids | context_ids) if not scope.everything else set(by_id)
    names = {cid: _name(c) for cid, c in by_id.items()}

    # Group by project and service; a service with more than one container (scale, one-off runs) names
    # each container by its container name, so that every (project, name) is one container.
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for cid in sorted(keep, key=lambda i: names[i]):
        labels = _labels(by_id[cid])
        project = labels.get(PROJECT_LABEL, STANDALONE)
        service = labels.get(SERVICE_LABEL) if project != STANDALONE else None
        oneoff = str(labels.get(ONEOFF_LABEL, "False")).lower() == "true"
        groups[(project, names[cid] if (service is None or oneoff) else service)].append(cid)
    svc_name: dict[str, tuple[str, str]] = {}
    for (project, service), ids in groups.items():
        for cid in ids:
            svc_name[cid] = (project, service if len(ids) == 1 else names[cid])

    # Networks: a compose project's own networks belong to it (when it is loaded); the rest are the
    # engine's. Keys are engine names, as the model says for live networks.
    loaded_projects = {p for p, _ in svc_name.values()}
    project_nets: dict[str, dict[str, Network]] = defaultdict(dict)
    engine_nets: list[Network] = []
    existing: set[str] = set()
    host_gateway = "172.17.0.1"
    project_files: dict[str, tuple[str, ...]] = {}
    for cid, (project, _) in svc_name.items():
        files = tuple(f for f in str(_labels(by_id[cid]).get(CONFIG_FILES_LABEL, "")).split(",") if f)
        project_files.setdefault(project, files)
    for n in snap.networks:
        name = str(n.get("Name", ""))
        if not name:
            continue
        existing.add(name)
        labels = n.get("Labels") or {}
        owner = labels.get(PROJECT_LABEL)
        files = project_files.get(owner or "", ())
        loc = Loc(files[0]) if owner in loaded_projects and files else NOWHERE
        ipam = tuple(
            IpamConfig(
                subnet=cfg.get("Subnet") or None,
                ip_range=cfg.get("IPRange") or None,
                gateway=cfg.get("Gateway") or None,
                aux_addresses=tuple(sorted((cfg.get("AuxiliaryAddresses") or {}).items())),
                loc=loc,
            )
            for cfg in ((n.get("IPAM") or {}).get("Config") or [])
        )
        net = Network(
            key=name,
            name=name,
            project=owner,
            driver=str(n.get("Driver") or "bridge"),
            internal=bool(n.get("Internal")),
            enable_ipv6=bool(n.get("EnableIPv6")),
            ipam=ipam,
            loc=loc,
            declared=owner in loaded_projects,
        )
        if (n.get("Options") or {}).get("com.docker.network.bridge.default_bridge") == "true" or (
            name == "bridge" and n.get("Driver") == "bridge"
        ):
            host_gateway = next((c.gateway for c in ipam if c.gateway and ":" not in c.gateway), host_gateway)
        if owner in loaded_projects:
            project_nets[owner][name] = net
        else:
            engine_nets.append(net)

    services: dict[str, dict[str, Service]] = defaultdict(dict)
    container_of: dict[tuple[str, str], str] = {}
    id_of: dict[tuple[str, str], str] = {}
    partial = list(snap.partial)
    for cid, key in sorted(svc_name.items(), key=lambda kv: kv[1]):
        c = by_id[cid]
        inspect = snap.inspects.get(cid) or {}
        if not inspect:
            partial.append(f"container {names[cid]} was not inspected: its aliases and health are unknown")
        svc = _service(c, inspect, key, names, by_id, svc_name, existing, project_files, project_nets)
        services[key[0]][key[1]] = svc
        container_of[key] = names[cid]
        id_of[key] = cid

    projects: list[Project] = []
    for project in sorted(services):
        labels = next(_labels(by_id[cid]) for cid, k in svc_name.items() if k[0] == project)
        projects.append(
            Project(
                name=project,
                directory=str(labels.get(WORKING_DIR_LABEL, "")) if project else "",
                files=project_files.get(project, ()),
                services=MappingProxyType(services[project]),
                networks=MappingProxyType(project_nets.get(project, {})),
                live=True,
            )
        )
    checked = frozenset(
        svc_name[cid] for cid in (checked_ids if not scope.everything else by_id) if cid in svc_name
    )
    topology = Topology(
        projects=tuple(projects),
        engine_networks=tuple(sorted(engine_nets, key=lambda n: n.name)),
        host_gateway=host_gateway,
        partial=tuple(dict.fromkeys(partial)),
    )
    return Live(topology=topology, containers=container_of, ids=id_of, checked=checked)


def _service(
    c: Mapping[str, Any],
    inspect: Mapping[str, Any],
    key: tuple[str, str],
    names: Mapping[str, str],
    by_id: Mapping[str, Mapping[str, Any]],
    svc_name: Mapping[str, tuple[str, str]],
    existing: set[str],
    project_files: Mapping[str, tuple[str, ...]],
    project_nets: dict[str, dict[str, Network]],
) -> Service:
    project, name = key
    cid = str(c["Id"])
    cname = names[cid]
    labels = dict(_labels(c) or _labels(inspect))
    config = inspect.get("Config") or {}
    host_config = inspect.get("HostConfig") or {}
    state = inspect.get("State") or {}
    files = project_files.get(project, ())
    loc = Loc(files[0]) if files else NOWHERE
    mode_raw = _net_mode(inspect) or _net_mode(c)
    mode = NetworkMode.NETWORKS
    mode_target: str | None = None
    if mode_raw == "host":
        mode = NetworkMode.HOST
    elif mode_raw == "none":
        mode = NetworkMode.NONE
    elif mode_raw.startswith("container:"):
        mode = NetworkMode.CONTAINER
        ref = mode_raw.split(":", 1)[1]
        target = _find_id(by_id, ref)
        mode_target = names[target] if target else ref[:12]
    attachments: list[Attachment] = []
    if mode is NetworkMode.NETWORKS:
        endpoints = _endpoints(inspect) or _endpoints(c)
        for net_name in sorted(endpoints):
            ep = endpoints[net_name] or {}
            ipam = ep.get("IPAMConfig") or {}
            aliases = _str_list(ep.get("Aliases"))
            dns = _str_list(ep.get("DNSNames"))
            if not dns and net_name != "bridge":
                # Before API 1.44 there is no DNSNames: the container name plus the aliases (which on
                # these engines include the short ID and the hostname) are what the embedded DNS answers.
                dns = tuple(dict.fromkeys((cname, *aliases)))
            own = {cname, cid[:12], name, str(config.get("Hostname") or "")}
            attachments.append(
                Attachment(
                    network=net_name,
                    aliases=tuple(a for a in aliases if a not in own),
                    ipv4_address=ipam.get("IPv4Address") or None,
                    ipv6_address=ipam.get("IPv6Address") or None,
                    loc=loc,
                    ip=ep.get("IPAddress") or ep.get("GlobalIPv6Address") or None,
                    dns_names=dns,
                )
            )
            if net_name not in existing and project:
                # The container is attached to a network that no longer exists: `docker compose up`
                # recreates the project's own networks, so only a foreign (external) one stays missing.
                own_net = net_name.startswith(f"{project}_")
                project_nets[project].setdefault(
                    net_name,
                    Network(key=net_name, name=net_name, project=project, external=not own_net, loc=loc),
                )
    hostname = str(config.get("Hostname") or "") or None
    if hostname == cid[:12]:
        hostname = None  # the engine's default, not a name anyone chose
    health_cfg = config.get("Healthcheck") or {}
    depends = tuple(
        d.split(":", 1)[0] for d in str(labels.get(DEPENDS_ON_LABEL, "")).split(",") if d.split(":", 1)[0]
    )
    exit_code = state.get("ExitCode")
    status = str(state.get("Status") or c.get("State") or "") or None
    return Service(
        project=project,
        name=name,
        loc=loc,
        image=str(config.get("Image") or c.get("Image") or "") or None,
        container_name=cname,
        hostname=hostname,
        network_mode=mode,
        network_mode_target=mode_target,
        network_mode_loc=loc if mode_target else NOWHERE,
        networks=tuple(attachments),
        links=_links(_str_list(host_config.get("Links")), loc),
        extra_hosts=_extra_hosts(_str_list(host_config.get("ExtraHosts")), loc),
        ports=_ports(c, inspect, loc),
        expose=_exposed(inspect, c),
        volumes=_mounts(c, inspect, loc),
        depends_on=depends,
        command=_str_list(config.get("Cmd")),
        entrypoint=_str_list(config.get("Entrypoint")),
        environment=frozen_map(_env(_str_list(config.get("Env")))),
        labels=frozen_map(labels),
        healthcheck=bool(health_cfg) and _str_list(health_cfg.get("Test"))[:1] != ("NONE",),
        state=status,
        health=_health(c, inspect),
        exit_code=int(exit_code) if isinstance(exit_code, int) else None,
        started_at=str(state.get("StartedAt") or "") or None,
    )


# ------------------------------------------------------------------------------------------ proxies


def is_proxy(service: Service) -> bool:
    """True for a container that runs a proxy dockernet reads (:func:`dockernet.sources.proxies.claimant`)."""
    return _claimant(service) is not None


def _claimant(service: Service) -> tuple[Dialect, Located] | None:
    from dockernet.sources.proxies import claimant

    return claimant(service, [m.target for m in service.volumes if m.type == "bind"])


@dataclass(frozen=True)
class ProxyRead:
    """The configs read from proxy containers, the bytes behind them, and what went wrong."""

    configs: tuple[AnyProxy, ...]
    files: Mapping[tuple[str, str], Mapping[str, bytes]]
    """(project, service) -> container path -> contents, for inline suppressions and messages."""
    partial: tuple[str, ...] = ()


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
        if svc.key in live.checked and (found := _claimant(svc)) is not None
    ]
    lock = threading.Lock()
    done = 0

    def one(item: tuple[Service, tuple[Dialect, Located]]) -> tuple[AnyProxy, Mapping[str, bytes], list[str]]:
        nonlocal done
        svc, (dialect, located) = item
        result = _read_one(engine, live.ids[svc.key], svc, live.containers[svc.key], dialect, located, ready)
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
    configs = tuple(cfg for cfg, _, _ in results)
    files = {svc.key: read for (svc, _), (_, read, _) in zip(proxies, results, strict=True)}
    partial = tuple(p for _, _, problems in results for p in problems)
    return ProxyRead(configs, files, partial)


def _read_one(
    engine: Engine,
    cid: str,
    svc: Service,
    cname: str,
    dialect: Dialect,
    located: Located,
    ready: Mapping[str, tartree.Fetched | None],
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
            cfg = load_config(svc, dialect, located, tree, "container archive")
        except EngineError as e:
            cfg = _unknown(svc, dialect, f"the archive endpoint failed: {e}")
        problems.extend(tree.problems)
        read = tree.read_files
    if isinstance(cfg, UnreadProxy) and engine.allow_exec and svc.state == "running":
        dumped, dump_files, why = _read_dump(engine, cid, svc, dialect, located)
        if dumped is not None:
            return dumped, dump_files, problems
        cfg = replace(cfg, reason=f"{cfg.reason}; nginx -T: {why}")
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
    argv = ["nginx", "-T"] + (["-c", entry] if entry != "/etc/nginx/nginx.conf" else [])
    try:
        code, out, err = engine.exec_output(cid, argv)
    except EngineError as e:
        return None, {}, str(e)
    files = tartree.parse_dump(out)
    if code != 0 or not files:
        first = next((line for line in err.decode("utf-8", "replace").splitlines() if line.strip()), "")
        return None, {}, f"exit {code}: {first[:200]}" if first else f"exit {code}"
    tree = tartree.DumpTree(files)
    if entry not in files:
        located = replace(located, entry=next(iter(files)))
    cfg = load_config(svc, dialect, located, tree, "nginx -T (exec)")
    if isinstance(cfg, UnreadProxy):
        return None, tree.read_files, cfg.reason
    return cfg, tree.read_files, ""


def _unknown(svc: Service, dialect: Dialect, reason: str) -> UnreadProxy:
    return UnreadProxy(service=svc.key, dialect=dialect.name, origin="container", reason=reason)


def load_config(
    svc: Service, dialect: Dialect, located: Located, tree: tartree.TarTree | tartree.DumpTree, how: str
) -> AnyProxy:
    """A proxy's config and routes from a tree of container files; unread (with the reason) when the proxy
    would not load it. The files in a running container are final: templates were rendered at start."""
    try:
        return dialect.read(svc, tree, located, how, at_start=False)
    except OSError as e:
        return _unknown(svc, dialect, f"{located.entry}: {e.strerror or e}")
    except InputError as e:
        where = f"{e.file}:{e.line}" if e.line else e.file
        return _unknown(svc, dialect, f"{where}: {e.message}")


# ------------------------------------------------------------------------------------------ listeners

PROC_NET = ("/proc/net/tcp", "/proc/net/tcp6")
LISTEN_STATE = "0A"
MAX_PROC = 1024 * 1024
"""Most bytes of one /proc/net/tcp* read."""


def _proc_address(hexaddr: str) -> str | None:
    """``0100007F`` -> ``127.0.0.1``; a 32-digit tcp6 address (four little-endian words) -> IPv6 text."""
    import ipaddress

    try:
        raw = bytes.fromhex(hexaddr)
    except ValueError:
        return None
    if len(raw) not in (4, 16):
        return None
    host = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    ip = ipaddress.ip_address(host)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ip)


EMBEDDED_DNS = "127.0.0.11"


def parse_proc_net_tcp(text: str) -> tuple[tuple[str, int], ...]:
    """The listening sockets (state ``0A``) of ``/proc/net/tcp`` and/or ``tcp6`` contents, as sorted unique
    (address, port); header lines, anything unparsable and the embedded DNS's own TCP socket on
    127.0.0.11 are skipped."""
    found: set[tuple[str, int]] = set()
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 4 or parts[3] != LISTEN_STATE or ":" not in parts[1]:
            continue
        hexaddr, _, hexport = parts[1].rpartition(":")
        address = _proc_address(hexaddr)
        try:
            port = int(hexport, 16)
        except ValueError:
            continue
        if address == EMBEDDED_DNS:
            continue  # Docker's embedded DNS listens in every namespace on a user-defined network
        if address is not None and 0 < port < 65536:
            found.add((address, port))
    return tuple(sorted(found, key=lambda a: (a[1], a[0])))


@dataclass(frozen=True)
class Listening:
    """Listening sockets read from target containers, and how."""

    sockets: Mapping[tuple[str, str], tuple[tuple[str, int], ...]]
    """(project, service) -> listening sockets, for the containers that could be read."""
    how: str = ""
    """``archive`` or ``exec``; empty when nothing was read."""
    notes: tuple[str, ...] = ()


def route_targets(live: Live, configs: Iterable[AnyProxy]) -> list[tuple[str, str]]:
    """The running, non-proxy services that a proxy route names (by service, container name, alias, DNS
    name or IP), in a stable order: the containers whose listening sockets matter."""
    hosts = {
        host
        for cfg in configs
        if isinstance(cfg, Proxy)
        for route in cfg.routes
        for t in route.upstreams
        for host in t.hosts
    }
    out: list[tuple[str, str]] = []
    for project in live.topology.projects:
        for svc in project.services.values():
            if svc.state != "running" or is_proxy(svc) or svc.key not in live.ids:
                continue
            names = {svc.name, svc.container_name or ""}
            for att in svc.networks:
                names.update(att.aliases)
                names.update(att.dns_names)
                if att.ip:
                    names.add(att.ip)
            if names & hosts:
                out.append(svc.key)
    return sorted(out)


def _proc_by_archive(engine: Engine, cid: str) -> str | None:
    """/proc/net/tcp and tcp6 through the archive endpoint; None when the engine cannot give them (Engine
    20.10 answers 404: the archive reads the container's file system, where /proc is not mounted)."""
    import io
    import tarfile

    texts: list[str] = []
    for path in PROC_NET:
        try:
            got = engine.archive(cid, path)
        except (EngineError, NotFound):
            got = None
        if got is None or not got.data:
            continue
        try:
            with tarfile.open(fileobj=io.BytesIO(got.data), mode="r:") as tar:
                for member in tar:
                    if member.isfile() and 0 < member.size <= MAX_PROC:
                        f = tar.extractfile(member)
                        if f is not None:
                            texts.append(f.read(MAX_PROC).decode("ascii", "replace"))
                    break
        except (tarfile.TarError, OSError):
            continue
    text = "\n".join(texts)
    return text if LISTEN_STATE in text or "local_address" in text else None


def read_listening(engine: Engine, live: Live, configs: Iterable[AnyProxy]) -> Listening:
    """The listening sockets of every container a route targets: through the archive endpoint where the
    engine serves /proc (asked once; when it does not, not again), else, only with ``--exec``, through
    ``cat /proc/net/tcp /proc/net/tcp6`` in the container (two POSTs each)."""
    targets = route_targets(live, configs)
    if not targets:
        return Listening({})
    first = _proc_by_archive(engine, live.ids[targets[0]])
    if first is not None:
        sockets = {targets[0]: parse_proc_net_tcp(first)}
        for key in targets[1:]:
            text = _proc_by_archive(engine, live.ids[key])
            if text is not None:
                sockets[key] = parse_proc_net_tcp(text)
        return Listening(sockets, "archive")
    if not engine.allow_exec:
        return Listening(
            {},
            notes=(
                "listening sockets not read: the archive endpoint does not serve /proc "
                "(use --exec to read /proc/net/tcp with cat)",
            ),
        )
    sockets = {}
    notes: list[str] = []

    def one(key: tuple[str, str]) -> tuple[tuple[str, str], tuple[tuple[str, int], ...] | None, str]:
        try:
            code, out, err = engine.exec_output(live.ids[key], ["cat", *PROC_NET])
        except EngineError as e:
            return key, None, str(e)
        text = out[:MAX_PROC].decode("ascii", "replace")
        if "local_address" not in text:
            first_err = err.decode("utf-8", "replace").strip().splitlines()[:1]
            return key, None, f"exit {code}: {first_err[0][:200]}" if first_err else f"exit {code}"
        return key, parse_proc_net_tcp(text), ""

    with ThreadPoolExecutor(max_workers=min(INSPECT_THREADS, len(targets))) as pool:
        for key, found, why in pool.map(one, targets):
            if found is not None:
                sockets[key] = found
            else:
                notes.append(f"{live.containers.get(key, key[1])}: /proc/net/tcp not read ({why})")
    return Listening(sockets, "exec", tuple(notes))


def with_listening(topology: Topology, listening: Listening) -> Topology:
    """The topology with each read service's ``listening`` set."""
    if not listening.sockets:
        return topology
    projects = []
    for p in topology.projects:
        services = {
            name: replace(svc, listening=listening.sockets[svc.key]) if svc.key in listening.sockets else svc
            for name, svc in p.services.items()
        }
        projects.append(replace(p, services=MappingProxyType(services)))
    return replace(topology, projects=tuple(projects))


# ------------------------------------------------------------------------------------------ check --engine


def context_for(static: Topology, snap: Snapshot, scope: Scope = Scope()) -> Topology:
    """A static topology with the engine as extra context (``check --engine``): the engine's networks
    (for DN113 and the real gateways), the host gateway, and the running containers of other projects
    that share a network with the checked ones (so names on shared external networks resolve).

    Engine networks that a checked project creates itself keep the project's declaration.
    """
    live = build(snap, scope)
    declared = {net.name for p in static.projects for net in p.networks.values() if not net.external}
    checked_projects = {p.name for p in static.projects}
    engine_nets = [n for n in live.topology.engine_networks if n.name not in declared]
    for p in live.topology.projects:
        if p.name in checked_projects:
            continue
        engine_nets.extend(
            replace(n, declared=False)
            for n in p.networks.values()
            if n.name not in declared and not n.external
        )
    static_nets = {n.name for p in static.projects for n in p.networks.values()}
    extra: list[Project] = []
    for p in live.topology.projects:
        if p.name in checked_projects:
            continue
        services = {k: s for k, s in p.services.items() if any(a.network in static_nets for a in s.networks)}
        if services:
            extra.append(replace(p, services=MappingProxyType(services), networks=MappingProxyType({})))
    return replace(
        static,
        projects=static.projects + tuple(extra),
        engine_networks=tuple(sorted({n.name: n for n in engine_nets}.values(), key=lambda n: n.name)),
        host_gateway=live.topology.host_gateway,
        partial=static.partial + live.topology.partial,
    )
