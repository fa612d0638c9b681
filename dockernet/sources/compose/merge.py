"""Step 4, the merge: one document merged into the model built so far.

https://docs.docker.com/reference/compose-file/merge/ and compose-go ``override/merge.go``.
"""

from __future__ import annotations

from typing import Any

from dockernet.sources.compose.common import _kv_map, _scalar_str
from dockernet.sources.compose.yamlsafe import RESET, Override, YMap, YSeq


class _Merger:
    """Compose's merge rules (compose-go ``override/merge.go``), applied in place on ``base``.

    Mappings merge recursively and sequences append, except: ``command``, ``entrypoint`` and
    ``healthcheck.test`` are replaced; ``environment`` and ``labels`` merge by key; service ``networks`` and
    ``depends_on`` merge as mappings whichever syntax each side uses; a ``build`` string is a context; the
    ``extra_hosts`` of the override are added unless already present; ``ipam.config`` merges by subnet;
    ``!reset`` removes and ``!override`` replaces. Duplicates in ports, volumes, expose etc. are removed
    at normalisation (compose-go ``EnforceUnicity``).
    """

    __slots__ = ("tagged",)

    def __init__(self, tagged: bool) -> None:
        self.tagged = tagged

    def strip(self, value: Any) -> Any:
        """``value`` without RESET/Override markers (only needed when the document had tags)."""
        if not self.tagged:
            return value
        return _strip(value)

    def merge_map(self, base: YMap, over: YMap, path: tuple[str, ...]) -> YMap:
        """Merge ``over`` into ``base`` key by key; ``path`` is where ``base`` sits in the model."""
        for k, v in over.items():
            if v is RESET:
                base.pop(k, None)
                base.key_pos.pop(k, None)
            elif isinstance(v, Override):
                base.put(k, _strip(v.value), over.where(k))
            elif k not in base or k.startswith("x-"):
                base.put(k, self.strip(v), over.where(k))
            else:
                base[k] = self.merge(base[k], v, (*path, k))
        return base

    def merge(self, base: Any, over: Any, path: tuple[str, ...]) -> Any:
        """``over`` merged onto ``base`` at ``path``, by the rule for that attribute (class docstring)."""
        if over is None:
            return base
        n = len(path)
        if n == 3 and path[0] == "services":
            attr = path[2]
            if attr in ("command", "entrypoint"):
                return self.strip(over)
            if attr in ("environment", "labels", "annotations", "sysctls"):
                return self.merge_map(_kv_map(base), _kv_map(over), path)
            if attr in ("networks", "depends_on"):
                return self.merge_map(_names_map(base), _names_map(over), path)
            if attr == "build":
                return self.merge_map(_build_map(base), _build_map(over), path)
            if attr in ("extra_hosts", "dns", "dns_search", "dns_opt", "tmpfs"):
                return self.merge_unique_list(_hosts_list(base), _hosts_list(over))
        elif n == 4 and path[0] == "services" and path[2] == "healthcheck" and path[3] == "test":
            return self.strip(over)
        elif (
            n == 4
            and path[0] == "networks"
            and path[2:] == ("ipam", "config")
            and isinstance(base, YSeq)
            and isinstance(over, YSeq)
        ):
            return self.merge_ipam(base, over)
        if isinstance(base, YMap) and isinstance(over, YMap):
            return self.merge_map(base, over, path)
        if isinstance(base, YSeq) and isinstance(over, YSeq):
            for i, item in enumerate(over):
                base.put(self.strip(item), over.where(i))
            return base
        return self.strip(over)

    def merge_unique_list(self, base: YSeq, over: YSeq) -> YSeq:
        """Append the items of ``over`` that ``base`` lacks (``extra_hosts``, ``dns``, ``tmpfs``...)."""
        for i, item in enumerate(over):
            if item not in base:
                base.put(self.strip(item), over.where(i))
        return base

    def merge_ipam(self, base: YSeq, over: YSeq) -> YSeq:
        """``ipam.config`` merged by subnet: an entry with a known subnet merges into it, others append."""
        for i, item in enumerate(over):
            subnet = item.get("subnet") if isinstance(item, YMap) else None
            for j, old in enumerate(base):
                if isinstance(old, YMap) and isinstance(item, YMap) and old.get("subnet") == subnet:
                    base[j] = self.merge_map(old, item, ())
                    break
            else:
                base.put(self.strip(item), over.where(i))
        return base


def _strip(value: Any) -> Any:
    """``value`` without its RESET entries and Override wrappers, recursively, in place."""
    if isinstance(value, Override):
        return _strip(value.value)
    if isinstance(value, YMap):
        for k in [k for k, v in value.items() if v is RESET]:
            del value[k]
            value.key_pos.pop(k, None)
        for k, v in value.items():
            if isinstance(v, (YMap, YSeq, Override)):
                value[k] = _strip(v)
        return value
    if isinstance(value, YSeq):
        for i, v in enumerate(value):
            if isinstance(v, (YMap, YSeq, Override)):
                value[i] = _strip(v)
        return value
    return value


def _names_map(value: Any) -> YMap:
    """Service ``networks``/``depends_on`` as a mapping: list items become keys with a null value."""
    if isinstance(value, YMap):
        return value
    out = YMap(value.pos if isinstance(value, YSeq) else ("", 0))
    if isinstance(value, YSeq):
        for i, item in enumerate(value):
            out.put(_scalar_str(item), None, value.where(i))
    return out


def _build_map(value: Any) -> YMap:
    """A ``build`` string as the mapping ``{context: string}``."""
    if isinstance(value, YMap):
        return value
    out = YMap()
    if value is not None:
        out.put("context", value, out.pos)
    return out


def _hosts_list(value: Any) -> YSeq:
    """``extra_hosts`` (and similar) as a list; the mapping syntax ``host: ip`` becomes ``host=ip`` items."""
    if isinstance(value, YSeq):
        return value
    out = YSeq(value.pos if isinstance(value, YMap) else ("", 0))
    if isinstance(value, YMap):
        for k, v in value.items():
            for ip in v if isinstance(v, YSeq) else [v]:
                out.put(f"{k}={_scalar_str(ip)}", value.where(k))
    elif value is not None:
        out.put(value, out.pos)
    return out
