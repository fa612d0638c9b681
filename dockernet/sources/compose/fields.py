"""Step 5, the pure part of normalisation: what the :class:`~.normalize._Normalizer` reads without needing
the rest of the project.

Typed readers of YAML values (a wrong type is an InputError at its line), the service fields that depend on
nothing but the service's own YAML (``ports``, ``expose``, ``extra_hosts``, ``command``/``entrypoint``,
``labels``, ``healthcheck``, replicas), and the short-syntax parsers for ports and volumes.
"""

from __future__ import annotations

import ipaddress
import posixpath
import shlex
from collections.abc import Iterable
from typing import Any

from dockernet.model import ExtraHost, Loc, PortMapping
from dockernet.sources.compose.common import _err, _kv_map, _scalar_str
from dockernet.sources.compose.yamlsafe import Pos, YMap, YSeq

# ------------------------------------------------------------------------------------------------ readers


def _map(parent: YMap, key: str, what: str) -> YMap | None:
    """``parent[key]`` if it is a mapping, None if absent or null; anything else is an InputError."""
    value = parent.get(key)
    if value is None:
        return None
    if not isinstance(value, YMap):
        raise _err(parent.where(key), f"{what} must be a mapping")
    return value


def _list(parent: YMap, key: str, what: str) -> YSeq:
    """``parent[key]`` if it is a list, an empty list if absent or null; anything else is an InputError."""
    value = parent.get(key)
    if value is None:
        return YSeq(parent.where(key))
    if not isinstance(value, YSeq):
        raise _err(parent.where(key), f"{what} must be a list")
    return value


def _str(parent: YMap, key: str, what: str) -> str | None:
    """``parent[key]`` as a string (scalars printed like compose-go), None if absent or null."""
    value = parent.get(key)
    if value is None:
        return None
    if isinstance(value, (YMap, YSeq)):
        raise _err(parent.where(key), f"{what} must be a string")
    return _scalar_str(value)


def _bool(parent: YMap, key: str, what: str) -> bool:
    """``parent[key]`` as a boolean (``"true"``/``"false"`` strings too), False if absent or null."""
    value = parent.get(key)
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        # Interpolated booleans are strings; compose-go casts them by the schema's type.
        return value.lower() == "true"
    raise _err(parent.where(key), f"{what} must be a boolean")


def _int(value: Any, pos: Pos, what: str) -> int:
    """``value`` as an integer (numeric strings too); a boolean, mapping or list is an InputError."""
    if isinstance(value, (bool, YMap, YSeq)):
        raise _err(pos, f"{what} must be an integer")
    if isinstance(value, int):
        return value
    try:
        return int(_scalar_str(value).strip())
    except ValueError:
        raise _err(pos, f"{what} must be an integer, not {_scalar_str(value)!r}") from None


# ----------------------------------------------------------------------------------------- service fields


def _extra_hosts(svc: YMap, what: str) -> tuple[ExtraHost, ...]:
    """``extra_hosts`` in either syntax as (host, IP) pairs, duplicates dropped; ``,`` separates IPs."""
    raw = svc.get("extra_hosts")
    if raw is None:
        return ()
    out: list[ExtraHost] = []
    seen: set[tuple[str, str]] = set()

    def add(host: str, ips: str, hpos: Pos) -> None:
        for ip in ips.split(","):
            ip = ip.strip()
            if len(ip) > 2 and ip.startswith("[") and ip.endswith("]"):
                ip = ip[1:-1]
            if not host or ":" in host or "=" in host:
                raise _err(hpos, f"bad host name {host!r} in extra_hosts")
            if (host, ip) not in seen:
                seen.add((host, ip))
                out.append(ExtraHost(host=host, ip=ip, loc=Loc(*hpos)))

    if isinstance(raw, YMap):
        for host, value in raw.items():
            for ip in value if isinstance(value, YSeq) else [value]:
                add(host, _scalar_str(ip), raw.where(host))
    elif isinstance(raw, YSeq):
        for i, item in enumerate(raw):
            text = _scalar_str(item)
            hpos = raw.where(i)
            # compose-go ``NewHostsList``: "=" is tried first, then the first ":" (IPv6 works after it).
            for sep in ("=", ":"):
                host, found, ip = text.partition(sep)
                if found:
                    add(host, ip, hpos)
                    break
            else:
                raise _err(hpos, f"invalid additional host, missing IP: {text}")
    else:
        raise _err(svc.where("extra_hosts"), f"{what}.extra_hosts must be a list or a mapping")
    return tuple(out)


def _ports(svc: YMap, what: str) -> tuple[PortMapping, ...]:
    """``ports`` in short and long syntax; a short entry with a range is expanded port by port."""
    items = _list(svc, "ports", f"{what}.ports")
    out: dict[tuple[str, int | None, int, str], PortMapping] = {}
    for i, item in enumerate(items):
        ppos = items.where(i)
        if isinstance(item, YMap):
            mappings = [_long_port(item, ppos, what)]
        elif isinstance(item, (str, int)) and not isinstance(item, bool):
            mappings = _parse_port_spec(str(item), ppos)
        else:
            raise _err(ppos, f"{what}.ports entries must be strings, numbers or mappings")
        for m in mappings:
            # compose-go ``EnforceUnicity``: a later duplicate replaces the earlier one in its place.
            out[(m.host_ip or "", m.published, m.target, m.protocol)] = m
    return tuple(out.values())


def _long_port(item: YMap, pos: Pos, what: str) -> PortMapping:
    """One long-syntax port; a ``published`` range keeps only its first port."""
    if item.get("target") is None:
        raise _err(pos, f"{what}.ports: a long-syntax port needs a target")
    target = _int(item["target"], pos, f"{what}.ports.target")
    published: int | None = None
    raw_pub = item.get("published")
    if raw_pub is not None and _scalar_str(raw_pub) != "":
        pub_text = _scalar_str(raw_pub)
        first = pub_text.split("-", 1)[0]
        published = _int(first, pos, f"{what}.ports.published")
    host_ip = _str(item, "host_ip", "host_ip") or None
    protocol = (_str(item, "protocol", "protocol") or "tcp").lower()
    return PortMapping(target=target, published=published, host_ip=host_ip, protocol=protocol, loc=Loc(*pos))


def _expose(svc: YMap, what: str) -> tuple[tuple[int, ...], Loc]:
    """``expose`` ports, ranges expanded, duplicates dropped, and the position of the key."""
    if svc.get("expose") is None:
        return (), Loc("", 0)
    items = _list(svc, "expose", f"{what}.expose")
    out: dict[int, None] = {}  # ordered, and a set: "1-65535" was 2 billion list scans (issue 15)
    for i, item in enumerate(items):
        text = _scalar_str(item).strip()
        port_text = text.split("/", 1)[0]
        try:
            start, end = _port_range(port_text)
        except ValueError:
            raise _err(items.where(i), f"invalid expose value {text!r}") from None
        out.update(dict.fromkeys(range(start, end + 1)))
    return tuple(out), Loc(*svc.where("expose"))


def _argv(svc: YMap, key: str, what: str) -> tuple[str, ...]:
    """``command`` or ``entrypoint`` as argv: a list as it is, a string split like a shell does."""
    raw = svc.get(key)
    if raw is None:
        return ()
    if isinstance(raw, YSeq):
        return tuple(_scalar_str(a) for a in raw)
    if isinstance(raw, YMap):
        raise _err(svc.where(key), f"{what}.{key} must be a string or a list")
    try:
        # compose-go splits with go-shellwords; POSIX shlex agrees on quotes and escapes.
        return tuple(shlex.split(_scalar_str(raw)))
    except ValueError as e:
        raise _err(svc.where(key), f"{what}.{key}: {e}") from None


def _kv_items(raw: Any, svc: YMap, what: str) -> Iterable[tuple[str, Any]]:
    """The items of a mapping-syntax ``environment`` or ``labels``; anything else is an InputError."""
    if not isinstance(raw, YMap):
        raise _err(svc.pos, f"{what}: environment and labels must be a list or a mapping")
    return raw.items()


def _labels(svc: YMap, what: str) -> tuple[dict[str, str | None], dict[str, Loc]]:
    """``labels`` in either syntax (a label without a value is the empty string), and where each is
    written (proxy readers that take routes from labels point their findings there)."""
    raw = svc.get("labels")
    if raw is None:
        return {}, {}
    table = _kv_map(raw) if isinstance(raw, YSeq) else raw
    items = table.items() if isinstance(raw, YSeq) else _kv_items(raw, svc, what)
    values: dict[str, str | None] = {k: _scalar_str(v) for k, v in items}
    return values, {k: Loc(*table.where(k)) for k in values}


def _healthcheck(svc: YMap, what: str) -> bool:
    """Whether the service has a healthcheck that is on (not ``disable: true``, not test ``NONE``)."""
    raw = svc.get("healthcheck")
    if raw is None:
        return False
    if not isinstance(raw, YMap):
        raise _err(svc.where("healthcheck"), f"{what}.healthcheck must be a mapping")
    if _bool(raw, "disable", f"{what}.healthcheck.disable"):
        return False
    test = raw.get("test")
    if isinstance(test, YSeq) and test and _scalar_str(test[0]) == "NONE":
        return False
    return not (isinstance(test, str) and test == "NONE")


def _replicas(svc: YMap, what: str) -> int:
    """The number of replicas: ``scale`` or ``deploy.replicas`` (they must agree), else 1."""
    scale = svc.get("scale")
    deploy = _map(svc, "deploy", f"{what}.deploy")
    replicas = deploy.get("replicas") if deploy is not None else None
    n_scale = _int(scale, svc.where("scale"), f"{what}.scale") if scale is not None else None
    n_rep = (
        _int(replicas, deploy.where("replicas"), f"{what}.deploy.replicas")
        if deploy is not None and replicas is not None
        else None
    )
    if n_scale is not None and n_rep is not None and n_scale != n_rep:
        raise _err(svc.where("scale"), f"{what}: can't set distinct values on 'scale' and 'deploy.replicas'")
    if n_scale is not None:
        return n_scale
    return n_rep if n_rep is not None else 1


# ------------------------------------------------------------------------------------------ short syntax


def _clean_container_path(path: str) -> str:
    """A path inside the container, cleaned like Go's ``path.Clean`` (compose-go cleans mount targets)."""
    cleaned = posixpath.normpath(path)
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


def _port_range(text: str) -> tuple[int, int]:
    """``"80"`` -> (80, 80), ``"9000-9002"`` -> (9000, 9002). Raises ValueError."""
    start_s, sep, end_s = text.partition("-")
    start = int(start_s)
    end = int(end_s) if sep else start
    if not (0 <= start <= 65535 and 0 <= end <= 65535) or end < start:
        raise ValueError(text)
    return start, end


def _parse_port_spec(spec: str, pos: Pos) -> list[PortMapping]:
    """A short-syntax port, expanded per port like compose-go (``ParsePortConfig``, go-connections ``nat``).

    ``[IP:][HOST[-HOST]:]CONTAINER[-CONTAINER][/PROTO]``; an IPv6 address may be written in brackets.
    A host range for a single container port keeps only its first port as ``published``.
    """
    raw, _, proto = spec.strip().partition("/")
    protocol = (proto or "tcp").lower()
    parts = raw.split(":")
    if len(parts) == 1:
        ip, host, container = "", "", parts[0]
    elif len(parts) == 2:
        ip, host, container = "", parts[0], parts[1]
    elif len(parts) == 3:
        ip, host, container = parts
    else:
        ip, host, container = ":".join(parts[:-2]), parts[-2], parts[-1]
    loc = Loc(*pos)
    if ip:
        bare = ip.strip("[]")
        try:
            ipaddress.ip_address(bare)
        except ValueError:
            raise _err(pos, f"invalid port {spec!r}: invalid IP address {ip}") from None
        ip = bare
    try:
        c_start, c_end = _port_range(container)
        h_start, h_end = _port_range(host) if host else (0, -1)
    except ValueError:
        raise _err(pos, f"invalid port {spec!r}") from None
    count = c_end - c_start + 1
    if host and (h_end - h_start) != (c_end - c_start) and c_start != c_end:
        raise _err(pos, f"invalid port {spec!r}: the host and container port ranges differ in size")
    out = []
    for i in range(count):
        published = None
        if host:
            published = h_start + i if (h_end - h_start) == (c_end - c_start) else h_start
        out.append(
            PortMapping(
                target=c_start + i, published=published, host_ip=ip or None, protocol=protocol, loc=loc
            )
        )
    return out


def _parse_volume_spec(spec: str, pos: Pos) -> tuple[str, str | None, str, bool]:
    """A short-syntax volume (compose-go ``format.ParseVolume``): (type, source, target, read_only).

    ``SOURCE:TARGET[:MODE]`` or ``TARGET``; a source starting with ``.``, ``/`` or ``~`` is a bind mount,
    anything else a named volume.
    """
    if not spec:
        raise _err(pos, "invalid empty volume spec")
    if len(spec) <= 2:
        return "volume", None, spec, False
    parts = spec.split(":")
    if any(p == "" for p in parts):
        raise _err(pos, f"invalid volume spec {spec!r}: empty section between colons")
    if len(parts) > 3:
        raise _err(pos, f"invalid volume spec {spec!r}: too many colons")
    if len(parts) == 1:
        return "volume", None, parts[0], False
    source, target = parts[0], parts[1]
    read_only = len(parts) == 3 and "ro" in parts[2].split(",")
    vtype = "bind" if source[0] in "./~" else "volume"
    return vtype, source, target, read_only
