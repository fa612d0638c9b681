"""Step 4 of the compose loader: each document interpolated, its ``extends`` and ``include`` applied, then
merged into the model (:mod:`.merge`).

``extends`` and ``include`` live together because both load other compose files and rebase their relative
paths (``_rebase_service_paths``), and ``include`` loads each entry through ``_build_model`` again.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from yaml.nodes import Node

from dockernet.errors import InputError
from dockernet.model import Loc
from dockernet.sources.compose.common import _abs_path, _err, _is_remote, _parse_file, _Parsed, _scalar_str
from dockernet.sources.compose.discover import read_env_file
from dockernet.sources.compose.interpolate import InterpolationError, Substituter
from dockernet.sources.compose.merge import _Merger
from dockernet.sources.compose.yamlsafe import Override, Pos, YMap, YSeq, to_data


@dataclass
class _Context:
    """What loading one model (the project, or an included project) needs."""

    env: dict[str, str]
    working_dir: str
    warnings: list[str]
    include_chain: tuple[str, ...] = ()
    extends_cache: dict[str, YMap] = field(default_factory=dict)
    warned: set[str] = field(default_factory=set)
    unset_uses: list[tuple[str, Loc]] = field(default_factory=list)
    """Every use of an unset variable (name, where), for the variables list and for input errors."""
    substituted: dict[str, str] = field(default_factory=dict)
    """Value -> ``${NAME}`` for every variable substituted with a value (a secret: never printed)."""

    def interp_for(self, file: str) -> Callable[[str, int], str]:
        """Interpolation for the values of ``file``: errors name the file, each unset variable warns once."""
        sub = Substituter.from_mapping(self.env)
        warned = self.warned
        sink = self.warnings
        uses = self.unset_uses
        substituted = self.substituted
        env = self.env

        def interp(text: str, line: int) -> str:
            before = len(sub.unset)
            try:
                value = sub(text)
            except InterpolationError as e:
                raise InputError(file, e.message, line) from None
            for name in _names_in(text, sub.unset):
                uses.append((name, Loc(file, line)))
            for name in _VARIABLE.findall(text) if "$" in text else ():
                if env.get(name):
                    substituted.setdefault(env[name], "${" + name + "}")
            for name in sub.unset[before:]:
                if name not in warned:
                    warned.add(name)
                    sink.append(f"{file}:{line}: the {name!r} variable is not set; using an empty string")
            return value

        return interp

    def document(self, parsed: _Parsed, node: Node) -> tuple[YMap, bool]:
        """One YAML document of ``parsed``, interpolated; ``tagged`` when it used ``!reset``/``!override``."""
        value, tagged = to_data(node, parsed.file, self.interp_for(parsed.file), size_hint=parsed.size)
        if not isinstance(value, YMap):
            raise InputError(parsed.file, "the top-level object must be a mapping", node.start_mark.line + 1)
        return value, tagged


_VARIABLE = re.compile(r"(?<!\$)\$\{?([A-Za-z_][A-Za-z0-9_]*)")


def _names_in(text: str, unset: list[str]) -> list[str]:
    """The unset variables ``text`` uses without a default (``$NAME``, ``${NAME}``)."""
    if "$" not in text:
        return []
    return [n for n in unset if re.search(r"(?<!\$)\$(?:\{" + n + r"\}|" + n + r"(?![A-Za-z0-9_]))", text)]


def _build_model(parsed: list[_Parsed], ctx: _Context) -> YMap:
    """Interpolate, extend, include and merge the documents of ``parsed`` into one model."""
    model = YMap((parsed[0].file, 1))
    for p in parsed:
        for node in p.docs:
            doc, tagged = ctx.document(p, node)
            _Extender(ctx, p.file, doc, ctx.working_dir).apply()
            _apply_include(doc, p.file, ctx)
            _Merger(tagged).merge_map(model, doc, ())
    return model


# ---------------------------------------------------------------------------------------------- extends


class _Extender:
    """Resolves ``extends`` in the services of one document.

    See https://docs.docker.com/compose/how-tos/multiple-compose-files/extends/. ``extends.file`` is
    relative to the working directory of the document (the project directory for the project's own files,
    the extended file's directory for a file reached through ``extends``), as compose-go's resource
    loaders do. The base service is merged under the extending one with the usual
    merge rules; relative paths in a base from another file are made absolute against that file's
    directory. Resources (networks, volumes) are not imported.
    """

    def __init__(self, ctx: _Context, file: str, doc: YMap, working_dir: str) -> None:
        self.ctx = ctx
        self.file = file
        self.services = doc.get("services")
        self.working_dir = working_dir

    def apply(self) -> None:
        """Resolve ``extends`` in every service of the document, in place."""
        if not isinstance(self.services, YMap):
            return
        for name in list(self.services):
            self.resolve(self.services, name, self.file, self.working_dir, ())

    def resolve(
        self, services: YMap, name: str, file: str, working_dir: str, chain: tuple[tuple[str, str], ...]
    ) -> YMap:
        """Service ``name`` with its ``extends`` resolved; ``chain`` holds the services on the way."""
        svc = services.get(name)
        if not isinstance(svc, YMap) or "extends" not in svc:
            return svc if isinstance(svc, YMap) else YMap(services.where(name))
        me = (file, name)
        ext_pos = svc.where("extends")
        if me in chain:
            raise _err(ext_pos, f'circular reference with extends: service "{name}"')
        ext = svc["extends"]
        base_file: str | None = None
        if isinstance(ext, str):
            base_name = ext
        elif isinstance(ext, YMap) and isinstance(ext.get("service"), str):
            base_name = ext["service"]
            if ext.get("file") is not None:
                base_file = _scalar_str(ext["file"])
        else:
            raise _err(ext_pos, f'service "{name}": extends needs a service name')
        if base_file:
            path = _abs_path(base_file, working_dir, self.ctx.env)
            other = self._services_of(path, ext_pos)
            if base_name not in other:
                raise _err(
                    ext_pos, f'cannot extend service "{name}": service "{base_name}" not found in {path}'
                )
            base = _clone(self.resolve(other, base_name, path, os.path.dirname(path), (*chain, me)))
            _rebase_service_paths(base, os.path.dirname(path), self.ctx.env)
        else:
            if base_name not in services:
                raise _err(ext_pos, f'cannot extend service "{name}": service "{base_name}" not found')
            base = _clone(self.resolve(services, base_name, file, working_dir, (*chain, me)))
        own = YMap(svc.pos)
        for k, v in svc.items():
            if k != "extends":
                own.put(k, v, svc.where(k))
        merged = _Merger(True).merge_map(base, own, ("services", name))
        merged.pos = svc.pos
        services[name] = merged
        return merged

    def _services_of(self, path: str, pos: Pos) -> YMap:
        """The merged ``services`` of the file ``path`` that an ``extends.file`` names, read once."""
        cached = self.ctx.extends_cache.get(path)
        if cached is not None:
            return cached
        if not os.path.isfile(path):
            raise _err(pos, f"extends: file {path} not found")
        parsed = _parse_file(path)
        services = YMap((path, 1))
        for node in parsed.docs:
            doc, tagged = self.ctx.document(parsed, node)
            svcs = doc.get("services")
            if isinstance(svcs, YMap):
                _Merger(tagged).merge_map(services, svcs, ("services",))
        self.ctx.extends_cache[path] = services
        return services


def _clone(value: Any) -> Any:
    """A deep copy of a YAML value with its positions (a base service is merged into, so it is copied)."""
    if isinstance(value, YMap):
        m = YMap(value.pos)
        m.key_pos = dict(value.key_pos)
        for k, v in value.items():
            m[k] = _clone(v)
        return m
    if isinstance(value, YSeq):
        s = YSeq(value.pos)
        s.item_pos = list(value.item_pos)
        s.extend(_clone(v) for v in value)
        return s
    if isinstance(value, Override):
        return Override(_clone(value.value))
    return value


# ---------------------------------------------------------------------------------------------- include


def _apply_include(doc: YMap, file: str, ctx: _Context) -> None:
    """Apply ``include`` (https://docs.docker.com/reference/compose-file/include/).

    Each entry is loaded as a project of its own (its own directory and ``.env``, relative paths resolved
    there) and its resources are copied into this document; one this document defines differently is an
    error.
    """
    if "include" not in doc:
        return
    entries = doc.pop("include")
    inc_pos = doc.key_pos.pop("include", doc.pos)
    if entries is None:
        return
    if not isinstance(entries, YSeq):
        raise _err(inc_pos, "include must be a list")
    for i, entry in enumerate(entries):
        pos = entries.where(i)
        env_files: list[str] = []
        project_dir: str | None = None
        if isinstance(entry, str):
            paths = [entry]
        elif isinstance(entry, YMap):
            raw_path = entry.get("path")
            paths = (
                [_scalar_str(p) for p in raw_path] if isinstance(raw_path, YSeq) else [_scalar_str(raw_path)]
            )
            if entry.get("project_directory") is not None:
                project_dir = _abs_path(_scalar_str(entry["project_directory"]), ctx.working_dir, ctx.env)
            raw_env = entry.get("env_file")
            if raw_env is not None:
                env_files = (
                    [_scalar_str(e) for e in raw_env] if isinstance(raw_env, YSeq) else [_scalar_str(raw_env)]
                )
        else:
            raise _err(pos, "an include entry must be a path or a mapping")
        abs_paths = [_abs_path(p, ctx.working_dir, ctx.env) for p in paths if p]
        if not abs_paths:
            raise _err(pos, "include entry without a path")
        for p in abs_paths:
            if p in ctx.include_chain:
                raise _err(pos, f"include cycle: {p} is already being loaded")
            if not os.path.isfile(p):
                raise _err(pos, f"included file {p} not found")
        inc_dir = project_dir or os.path.dirname(abs_paths[0])
        if env_files:
            dotenv_paths = [_abs_path(e, ctx.working_dir, ctx.env) for e in env_files]
        else:
            default = os.path.join(inc_dir, ".env")
            dotenv_paths = [default] if os.path.isfile(default) else []
        inc_env = dict(ctx.env)
        for path in dotenv_paths:
            if not os.path.isfile(path):
                raise _err(pos, f"env file {path} not found")
            # The including project's environment wins (compose-go ``Mapping.Merge`` keeps existing keys).
            for k, (v, _) in read_env_file(path, inc_env).items():
                inc_env.setdefault(k, v)
        sub_ctx = _Context(
            env=inc_env,
            working_dir=inc_dir,
            warnings=ctx.warnings,
            include_chain=(*ctx.include_chain, *abs_paths),
            warned=ctx.warned,
        )
        sub = _build_model([_parse_file(p) for p in abs_paths], sub_ctx)
        services = sub.get("services")
        if isinstance(services, YMap):
            for svc in services.values():
                if isinstance(svc, YMap):
                    # Compose 2.26 resolves an included file's bind mounts against the file's directory and
                    # everything else against ``project_directory`` (they differ only when it is set).
                    _rebase_service_paths(svc, inc_dir, inc_env, os.path.dirname(abs_paths[0]))
        for kind in ("services", "networks", "volumes", "secrets", "configs"):
            src = sub.get(kind)
            if not isinstance(src, YMap) or not src:
                continue
            dst = doc.get(kind)
            if not isinstance(dst, YMap):
                dst = YMap(pos)
                doc.put(kind, dst, pos)
            for k, v in src.items():
                if k in dst and dst[k] != v:
                    raise _err(dst.where(k), f"{kind}.{k} conflicts with imported resource")
                if k not in dst:
                    dst.put(k, v, src.where(k))


def _rebase_service_paths(
    svc: YMap, base_dir: str, env: Mapping[str, str], volumes_dir: str | None = None
) -> None:
    """Make the relative paths of a service from another directory (extends, include) absolute."""
    vdir = volumes_dir or base_dir
    build = svc.get("build")
    if isinstance(build, str) and not _is_remote(build):
        svc["build"] = _abs_path(build, base_dir, env)
    elif isinstance(build, YMap):
        ctx = build.get("context")
        context = _scalar_str(ctx) if ctx is not None else "."
        if not _is_remote(context):
            build.put("context", _abs_path(context, base_dir, env), build.where("context"))
    volumes = svc.get("volumes")
    if isinstance(volumes, YSeq):
        for i, vol in enumerate(volumes):
            if isinstance(vol, str):
                source, sep, rest = _split_volume_source(vol)
                if sep and source.startswith("."):
                    volumes[i] = _abs_path(source, vdir, env) + sep + rest
            elif isinstance(vol, YMap) and isinstance(vol.get("source"), str):
                source = vol["source"]
                if vol.get("type") == "bind" and not os.path.isabs(source) and not source.startswith("~"):
                    vol["source"] = _abs_path(source, vdir, env)
    env_file = svc.get("env_file")
    if isinstance(env_file, str):
        svc["env_file"] = _abs_path(env_file, base_dir, env)
    elif isinstance(env_file, YSeq):
        for i, item in enumerate(env_file):
            if isinstance(item, str):
                env_file[i] = _abs_path(item, base_dir, env)
            elif isinstance(item, YMap) and isinstance(item.get("path"), str):
                item["path"] = _abs_path(item["path"], base_dir, env)


def _split_volume_source(spec: str) -> tuple[str, str, str]:
    """``source``, ``":"`` and the rest of a short volume spec; ``("", "", spec)`` for an anonymous one."""
    source, sep, rest = spec.partition(":")
    if not sep:
        return "", "", spec
    return source, sep, rest
