"""The session with one Docker engine: the docker CLI's choice of engine (:func:`resolve_host`),
:func:`connect` with the API version negotiated, and :class:`Engine`, the read-only HTTP transport.

Every request is a GET, except the two exec calls of :meth:`Engine.exec_output`, allowed only with
``--exec``. Errors are :class:`~dockernet.errors.EngineError`, worded for the user; :class:`NotFound` is a
404 (the object is gone), which callers handle.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from dockernet.errors import EngineError
from dockernet.sources import tartree

DEFAULT_SOCKET = "unix:///var/run/docker.sock"
INSPECT_THREADS = 4
"""docker-py spends its time in Python, so more threads than this gain nothing on 2 cores (measured with
422 inspects: 4, 8 and 16 threads took the same time); a few hide the engine's latency."""
TIMEOUT = 30

Progress = Callable[[str, int, int], None]
"""``progress(phase, done, total)``, called from worker threads too."""


class Engine:
    """A read-only session with one Docker engine.

    The docker SDK's low-level client picks the transport (unix socket, tcp with TLS, ssh), negotiates the
    API version and runs exec. Reads on a local unix socket bypass its requests/urllib3 stack and use
    plain HTTP/1.1 connections, one kept alive per thread: that stack costs about 1-2 ms per request
    (measured on Engine 20.10, list and 422 inspects: 1,210 ms through the SDK, 381 ms over plain
    ``http.client``), which is the whole difference between a scan and the docker CLI's own ``inspect`` on
    400 containers. The paths and the GET-only rule are this class's.
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
    # requests looks up proxy settings in the environment on every request unless told not to
    # (https://github.com/psf/requests/issues/5600): about 1 ms each (422 inspects: 1,210 ms, 821 ms
    # without), and a Docker socket is never behind an HTTP proxy.
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
