"""Compose files -> :class:`~dockernet.model.Project`, the way ``docker compose`` reads them.

The steps follow compose-go (the loader inside Compose v2) and the compose specification
(https://github.com/compose-spec/compose-spec); ``shared/reference/compose-knowledge.md`` holds the verified
behaviour this module reproduces. ``tests/test_compose_vs_docker.py`` compares the result with
``docker compose config`` on every sample and corpus project.

1. **Discovery** (compose-go ``cli/options.go``): the first of ``compose.yaml``, ``compose.yml``,
   ``docker-compose.yml``, ``docker-compose.yaml`` in a directory, plus the first override file that exists
   (``compose.override.yml``, ``compose.override.yaml``, ``docker-compose.override.yml``,
   ``docker-compose.override.yaml``). Unlike ``docker compose`` we never walk up to parent directories: the
   user named the directory.
2. **Environment**: the project's ``.env`` (or the ``--env-file`` files, which replace it), overridden by the
   process environment (https://docs.docker.com/compose/how-tos/environment-variables/envvars-precedence/).
3. **Project name** (https://docs.docker.com/compose/how-tos/project-name/): ``-p`` > ``COMPOSE_PROJECT_NAME``
   (both validated) > the last top-level ``name:`` > the directory's basename (both normalised).
4. **Per file, per YAML document**: interpolation of values (never keys), ``extends``, ``include``, then the
   merge into the model built so far (https://docs.docker.com/reference/compose-file/merge/), with ``!reset``
   and ``!override``.
5. **Profiles** (https://docs.docker.com/reference/compose-file/profiles/), then **normalisation** into the
   model: the implicit ``default`` network, engine names, short syntaxes parsed, paths made absolute,
   sequences made unique the way compose-go's ``EnforceUnicity`` does, and the consistency checks of
   ``docker compose config`` (undefined networks, volumes and services, ``network_mode`` with ``networks``).
   Resources that no active service uses are left out, as ``docker compose config`` and ``up`` do.
"""

from __future__ import annotations

import ipaddress
import os
import posixpath
import re
import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode

from dockernet.errors import InputError, UsageError
from dockernet.model import (
    Attachment,
    Build,
    ExtraHost,
    IpamConfig,
    Link,
    Loc,
    Mount,
    Network,
    NetworkMode,
    PortMapping,
    Project,
    Service,
    Volume,
    frozen_map,
)
from dockernet.sources.compose.interpolate import DotenvError, InterpolationError, Substituter, parse_dotenv
from dockernet.sources.compose.yamlsafe import (
    RESET,
    Override,
    Pos,
    YMap,
    YSeq,
    compose_documents,
    read_text,
    to_data,
)

__all__ = [
    "COMPOSE_FILE_NAMES",
    "OVERRIDE_FILE_NAMES",
    "find_compose_files",
    "load_projects",
    "normalize_project_name",
    "read_env_file",
]

COMPOSE_FILE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
"""Compose's default file names, in its order of preference (compose-go ``DefaultFileNames``)."""

OVERRIDE_FILE_NAMES = (
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
)
"""Override files merged after the default file; the first that exists wins (``DefaultOverrideFileNames``)."""

_SERVICE_PREFIX = "service:"
_CONTAINER_PREFIX = "container:"


# ================================================================================================ public


def load_projects(
    dirs: Sequence[str],
    files: Sequence[str],
    project_name: str | None,
    env_files: Sequence[str],
    profiles: Sequence[str],
    environ: Mapping[str, str],
    *,
    warnings: list[str] | None = None,
) -> list[Project]:
    """Load compose projects like ``docker compose config`` does.

    ``files`` (``-f``) are merged into one project whose directory is the first file's directory. Each entry
    of ``dirs`` is a project of its own, found by compose's discovery (a path to a file is loaded as that one
    file). With neither, the current directory is used. ``project_name`` (``-p``) may only be given when
    that makes one project. ``env_files`` (``--env-file``, relative to the current directory) replace each
    project's ``.env``. ``profiles`` (``--profile``) default to ``COMPOSE_PROFILES``. ``environ`` is the
    process environment; it wins over ``.env`` files.

    Non-fatal findings (unset variables, ambiguous file names) are appended to ``warnings`` as
    ``"file:line: text"`` lines. Raises InputError (unreadable or invalid input) or UsageError.
    """
    sink = warnings if warnings is not None else []
    sources: list[tuple[list[str], str]] = []
    if files:
        abs_files = [os.path.abspath(f) for f in files]
        sources.append((abs_files, os.path.dirname(abs_files[0])))
    for d in dirs if (dirs or files) else ["."]:
        ad = os.path.abspath(d)
        if os.path.isfile(ad):
            sources.append(([ad], os.path.dirname(ad)))
            continue
        if not os.path.exists(ad):
            raise InputError(d, "no such file or directory")
        if not os.path.isdir(ad):
            raise InputError(d, "not a directory or a compose file")
        found = find_compose_files(ad, sink)
        if not found:
            raise InputError(d, f"no compose file found ({', '.join(COMPOSE_FILE_NAMES)})")
        sources.append((found, ad))
    if project_name and len(sources) > 1:
        raise UsageError("-p/--project-name names one project, but several were given")
    abs_env_files = [os.path.abspath(f) for f in env_files]
    return [
        _ProjectLoader(cfg_files, pdir, project_name or None, abs_env_files, profiles, environ, sink).load()
        for cfg_files, pdir in sources
    ]


def find_compose_files(directory: str, warnings: list[str] | None = None) -> list[str]:
    """The compose files ``docker compose`` uses in ``directory``: the main file and its override, if any."""
    found = [
        os.path.join(directory, n) for n in COMPOSE_FILE_NAMES if os.path.isfile(os.path.join(directory, n))
    ]
    if not found:
        return []
    if len(found) > 1 and warnings is not None:
        warnings.append(
            f"{directory}: several compose files ({', '.join(map(os.path.basename, found))}); "
            f"using {os.path.basename(found[0])} like docker compose"
        )
    overrides = [
        os.path.join(directory, n) for n in OVERRIDE_FILE_NAMES if os.path.isfile(os.path.join(directory, n))
    ]
    return [found[0], *overrides[:1]]


def normalize_project_name(name: str) -> str:
    """compose-go's ``NormalizeProjectName``: lower case, keep ``[a-z0-9_-]``, strip leading ``_``/``-``."""
    return "".join(_NAME_CHARS.findall(name.lower())).lstrip("_-")


def read_env_file(path: str, lookup: Mapping[str, str]) -> dict[str, tuple[str, Pos]]:
    """Parse a ``.env``/``env_file`` file: ``{key: (value, (file, line))}``. Variables in values are looked up
    in ``lookup`` first, then among the keys defined above them. Raises InputError."""
    text = read_text(path, "env file")
    try:
        parsed = parse_dotenv(text, lookup.get)
    except DotenvError as e:
        raise InputError(path, e.message, e.line) from None
    return {k: (v, (path, line)) for k, (v, line) in parsed.items()}


# ============================================================================================ the loader

_NAME_CHARS = re.compile(r"[a-z0-9_-]")
_INVALID_NAME = (
    'invalid project name "{}": must consist only of lowercase alphanumeric characters, hyphens, and '
    "underscores as well as start with a letter or number"
)


@dataclass
class _Parsed:
    """One compose file, composed into YAML nodes but not yet interpolated."""

    file: str
    size: int
    docs: list[Node]


def _parse_file(path: str) -> _Parsed:
    text = read_text(path, "compose file")
    docs = compose_documents(text, path)
    if not docs:
        raise InputError(path, "empty compose file")
    return _Parsed(path, len(text), docs)


def _err(pos: Pos, message: str) -> InputError:
    return InputError(pos[0], message, pos[1])


@dataclass
class _Context:
    """What loading one model (the project, or an included project) needs."""

    env: dict[str, str]
    working_dir: str
    warnings: list[str]
    include_chain: tuple[str, ...] = ()
    extends_cache: dict[str, YMap] = field(default_factory=dict)
    warned: set[str] = field(default_factory=set)

    def interp_for(self, file: str) -> Callable[[str, int], str]:
        sub = Substituter.from_mapping(self.env)
        warned = self.warned
        sink = self.warnings

        def interp(text: str, line: int) -> str:
            before = len(sub.unset)
            try:
                value = sub(text)
            except InterpolationError as e:
                raise InputError(file, e.message, line) from None
            for name in sub.unset[before:]:
                if name not in warned:
                    warned.add(name)
                    sink.append(f"{file}:{line}: the {name!r} variable is not set; using an empty string")
            return value

        return interp

    def document(self, parsed: _Parsed, node: Node) -> tuple[YMap, bool]:
        value, tagged = to_data(node, parsed.file, self.interp_for(parsed.file), size_hint=parsed.size)
        if not isinstance(value, YMap):
            raise InputError(parsed.file, "the top-level object must be a mapping", node.start_mark.line + 1)
        return value, tagged


class _ProjectLoader:
    """Loads one project: environment, name, model, profiles, normalisation."""

    def __init__(
        self,
        files: list[str],
        project_dir: str,
        cli_name: str | None,
        env_files: list[str],
        profiles: Sequence[str],
        environ: Mapping[str, str],
        warnings: list[str],
    ) -> None:
        self.files = files
        self.project_dir = project_dir
        self.cli_name = cli_name
        self.env_files = env_files
        self.profiles = profiles
        self.environ = dict(environ)
        self.warnings = warnings

    def load(self) -> Project:
        for f in self.files:
            if os.path.isdir(f):
                raise InputError(f, "is a directory, not a compose file")
            if not os.path.exists(f):
                raise InputError(f, "compose file not found")
        dotenv = self._dotenv()
        env = {k: v for k, (v, _) in dotenv.items()}
        env.update(self.environ)
        parsed = [_parse_file(f) for f in self.files]
        name = self._name(parsed, env, dotenv)
        env["COMPOSE_PROJECT_NAME"] = name
        ctx = _Context(
            env=env, working_dir=self.project_dir, warnings=self.warnings, include_chain=tuple(self.files)
        )
        model = _build_model(parsed, ctx)
        active = list(self.profiles) or [p.strip() for p in env.get("COMPOSE_PROFILES", "").split(",")]
        return _Normalizer(
            model, name, self.project_dir, env, {p for p in active if p}, self.files, self.warnings
        ).project()

    def _dotenv(self) -> dict[str, tuple[str, Pos]]:
        """The variables of the env files (``--env-file``, else the project's ``.env``), later files winning.

        As compose-go's ``GetEnvFromFile``: a file's values may use the environment and earlier files.
        """
        if self.env_files:
            paths = self.env_files
        else:
            default = os.path.join(self.project_dir, ".env")
            paths = [default] if os.path.isfile(default) else []
        merged: dict[str, tuple[str, Pos]] = {}
        for path in paths:
            lookup = {k: v for k, (v, _) in merged.items()}
            lookup.update({k: v for k, v in self.environ.items() if k not in lookup})
            merged.update(read_env_file(path, lookup))
        return merged

    def _name(self, parsed: list[_Parsed], env: dict[str, str], dotenv: dict[str, tuple[str, Pos]]) -> str:
        if self.cli_name:
            if normalize_project_name(self.cli_name) != self.cli_name:
                raise UsageError(_INVALID_NAME.format(self.cli_name))
            return self.cli_name
        from_env = env.get("COMPOSE_PROJECT_NAME", "")
        if from_env:
            if normalize_project_name(from_env) != from_env:
                if self.environ.get("COMPOSE_PROJECT_NAME"):
                    raise UsageError(_INVALID_NAME.format(from_env) + " (COMPOSE_PROJECT_NAME)")
                pos = dotenv["COMPOSE_PROJECT_NAME"][1]
                raise _err(pos, _INVALID_NAME.format(from_env))
            return from_env
        dir_name = normalize_project_name(os.path.basename(self.project_dir.rstrip(os.sep)) or "")
        # The last non-empty top-level name: wins; it is interpolated with COMPOSE_PROJECT_NAME set to the
        # directory's name (compose-go sets it before the model is loaded), then normalised.
        raw: tuple[str, Pos] | None = None
        for p in parsed:
            for doc in p.docs:
                text = _top_level_scalar(doc, "name", p.file)
                if text is not None and text[0]:
                    raw = text
        if raw is not None:
            name_env = dict(env)
            name_env["COMPOSE_PROJECT_NAME"] = dir_name
            sub = Substituter.from_mapping(name_env)
            try:
                value = sub(raw[0])
            except InterpolationError as e:
                raise _err(raw[1], e.message) from None
            normalized = normalize_project_name(value)
            if normalized:
                return normalized
        if not dir_name:
            raise InputError(
                self.project_dir,
                "cannot derive a project name from the directory name; give one with -p or a top-level name:",
            )
        return dir_name


def _top_level_scalar(doc: Node, key: str, file: str) -> tuple[str, Pos] | None:
    if not isinstance(doc, MappingNode):
        return None
    for knode, vnode in doc.value:
        if isinstance(knode, ScalarNode) and knode.value == key and isinstance(vnode, ScalarNode):
            if vnode.tag == "tag:yaml.org,2002:null":
                return None
            return str(vnode.value), (file, vnode.start_mark.line + 1)
    return None


# ============================================================================================ the model


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


# ------------------------------------------------------------------------------------------------ merge


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
        for i, item in enumerate(over):
            if item not in base:
                base.put(self.strip(item), over.where(i))
        return base

    def merge_ipam(self, base: YSeq, over: YSeq) -> YSeq:
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


def _kv_map(value: Any) -> YMap:
    """``environment``/``labels`` as a mapping: ``K=V`` items become ``K: V``, a bare ``K`` ``K: None``."""
    if isinstance(value, YMap):
        return value
    out = YMap(value.pos if isinstance(value, YSeq) else ("", 0))
    if isinstance(value, YSeq):
        for i, item in enumerate(value):
            text = _scalar_str(item)
            key, sep, val = text.partition("=")
            out.put(key, val if sep else None, value.where(i))
    return out


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


def _clone(value: Any) -> Any:
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
        if not isinstance(self.services, YMap):
            return
        for name in list(self.services):
            self.resolve(self.services, name, self.file, self.working_dir, ())

    def resolve(
        self, services: YMap, name: str, file: str, working_dir: str, chain: tuple[tuple[str, str], ...]
    ) -> YMap:
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


# ------------------------------------------------------------------------------------------------ paths


def _expand_home(path: str, env: Mapping[str, str]) -> str:
    if path == "~" or path.startswith("~/"):
        home = env.get("HOME") or os.path.expanduser("~")
        return home + path[1:]
    return path


def _abs_path(path: str, base: str, env: Mapping[str, str]) -> str:
    path = _expand_home(path, env)
    return os.path.normpath(path if os.path.isabs(path) else os.path.join(base, path))


def _is_remote(context: str) -> bool:
    """A build context that compose does not resolve as a path (compose-go ``isRemoteContext``)."""
    return "://" in context or context.startswith(("git@", "github.com/"))


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


# ================================================================================================ values


def _scalar_str(value: Any) -> str:
    """A scalar as compose-go prints it (``%v``): booleans lower case, integral floats without ``.0``."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    return str(value)


class _Normalizer:
    """The merged model -> Project: profiles, implicit default network, engine names, short syntaxes."""

    def __init__(
        self,
        model: YMap,
        name: str,
        project_dir: str,
        env: Mapping[str, str],
        profiles: set[str],
        files: list[str],
        warnings: list[str],
    ) -> None:
        self.warnings = warnings
        self.model = model
        self.name = name
        self.dir = project_dir
        self.env = env
        self.profiles = profiles
        self.files = files
        self.first = files[0]
        self.used_networks: dict[str, Loc] = {}
        self.used_volumes: set[str] = set()
        self.extra_networks: dict[str, Network] = {}

    # ---------------------------------------------------------------------------------------- helpers

    def _map(self, parent: YMap, key: str, what: str) -> YMap | None:
        value = parent.get(key)
        if value is None:
            return None
        if not isinstance(value, YMap):
            raise _err(parent.where(key), f"{what} must be a mapping")
        return value

    def _list(self, parent: YMap, key: str, what: str) -> YSeq:
        value = parent.get(key)
        if value is None:
            return YSeq(parent.where(key))
        if not isinstance(value, YSeq):
            raise _err(parent.where(key), f"{what} must be a list")
        return value

    def _str(self, parent: YMap, key: str, what: str) -> str | None:
        value = parent.get(key)
        if value is None:
            return None
        if isinstance(value, (YMap, YSeq)):
            raise _err(parent.where(key), f"{what} must be a string")
        return _scalar_str(value)

    def _bool(self, parent: YMap, key: str, what: str) -> bool:
        value = parent.get(key)
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            # Interpolated booleans are strings; compose-go casts them by the schema's type.
            return value.lower() == "true"
        raise _err(parent.where(key), f"{what} must be a boolean")

    def _int(self, value: Any, pos: Pos, what: str) -> int:
        if isinstance(value, (bool, YMap, YSeq)):
            raise _err(pos, f"{what} must be an integer")
        if isinstance(value, int):
            return value
        try:
            return int(_scalar_str(value).strip())
        except ValueError:
            raise _err(pos, f"{what} must be an integer, not {_scalar_str(value)!r}") from None

    def _is_active(self, svc: Any) -> bool:
        if not isinstance(svc, YMap):
            return True
        profiles = svc.get("profiles")
        if not profiles:
            return True
        if not isinstance(profiles, YSeq):
            raise _err(svc.where("profiles"), "profiles must be a list")
        return "*" in self.profiles or any(_scalar_str(p) in self.profiles for p in profiles)

    # ---------------------------------------------------------------------------------------- project

    def project(self) -> Project:
        model = self.model
        services_y = self._map(model, "services", "services")
        if services_y is None:
            services_y = YMap((self.first, 0))
        self.networks_y = self._map(model, "networks", "networks") or YMap((self.first, 0))
        self.volumes_y = self._map(model, "volumes", "volumes") or YMap((self.first, 0))
        self.all_services = set(services_y)
        self.active = [n for n in services_y if self._is_active(services_y[n])]
        self.active_set = set(self.active)
        services: dict[str, Service] = {}
        for name in self.active:
            services[name] = self.service(name, services_y[name], services_y.where(name))
        for name, svc in services.items():
            target = svc.network_mode_target
            if (
                svc.network_mode is NetworkMode.SERVICE
                and target is not None
                and target not in self.all_services
            ):
                raise _loc_err(
                    svc.network_mode_loc, f'service "{name}" depends on undefined service "{target}"'
                )
        _check_cycles(services)
        networks: dict[str, Network] = {}
        for key in self.networks_y:
            if key in self.used_networks:
                networks[key] = self.network(key)
        if "default" in self.used_networks and "default" not in networks:
            networks["default"] = Network(
                key="default",
                name=f"{self.name}_default",
                project=self.name,
                # Not declared anywhere: point at the first service that made compose create it.
                loc=self.used_networks["default"],
                declared=False,
            )
        networks.update(self.extra_networks)
        volumes: dict[str, Volume] = {}
        for key in self.volumes_y:
            if key in self.used_volumes:
                volumes[key] = self.volume(key)
        return Project(
            name=self.name,
            directory=self.dir,
            files=tuple(self.files),
            services=MappingProxyType(services),
            networks=MappingProxyType(networks),
            volumes=MappingProxyType(volumes),
        )

    def network(self, key: str) -> Network:
        cfg = self.networks_y.get(key)
        pos = self.networks_y.where(key)
        loc = Loc(*pos)
        if cfg is None:
            return Network(key=key, name=f"{self.name}_{key}", project=self.name, loc=loc)
        if not isinstance(cfg, YMap):
            raise _err(pos, f"networks.{key} must be a mapping")
        what = f"networks.{key}"
        ext = cfg.get("external")
        legacy_name: str | None = None
        if isinstance(ext, YMap):
            # The deprecated ``external: {name: x}`` form (compose-go ``relocateExternalName``).
            external = True
            legacy_name = self._str(ext, "name", f"{what}.external.name")
        else:
            external = self._bool(cfg, "external", f"{what}.external")
        name = self._str(cfg, "name", f"{what}.name") or legacy_name
        engine_name = name or (key if external else f"{self.name}_{key}")
        ipam: list[IpamConfig] = []
        ipam_y = self._map(cfg, "ipam", f"{what}.ipam")
        if ipam_y is not None:
            configs = self._list(ipam_y, "config", f"{what}.ipam.config")
            for i, item in enumerate(configs):
                ipos = configs.where(i)
                if not isinstance(item, YMap):
                    raise _err(ipos, f"{what}.ipam.config entries must be mappings")
                aux = self._map(item, "aux_addresses", f"{what}.ipam.config.aux_addresses") or YMap()
                ipam.append(
                    IpamConfig(
                        subnet=self._str(item, "subnet", "subnet"),
                        ip_range=self._str(item, "ip_range", "ip_range"),
                        gateway=self._str(item, "gateway", "gateway"),
                        aux_addresses=tuple((str(k), _scalar_str(v)) for k, v in aux.items()),
                        loc=Loc(*ipos),
                    )
                )
        return Network(
            key=key,
            name=engine_name,
            project=self.name,
            driver=self._str(cfg, "driver", f"{what}.driver") or "bridge",
            external=external,
            internal=self._bool(cfg, "internal", f"{what}.internal"),
            enable_ipv6=self._bool(cfg, "enable_ipv6", f"{what}.enable_ipv6"),
            ipam=tuple(ipam),
            loc=loc,
        )

    def volume(self, key: str) -> Volume:
        cfg = self.volumes_y.get(key)
        pos = self.volumes_y.where(key)
        if cfg is None:
            return Volume(key=key, name=f"{self.name}_{key}", loc=Loc(*pos))
        if not isinstance(cfg, YMap):
            raise _err(pos, f"volumes.{key} must be a mapping")
        ext = cfg.get("external")
        legacy_name: str | None = None
        if isinstance(ext, YMap):
            external = True
            legacy_name = self._str(ext, "name", f"volumes.{key}.external.name")
        else:
            external = self._bool(cfg, "external", f"volumes.{key}.external")
        name = self._str(cfg, "name", f"volumes.{key}.name") or legacy_name
        return Volume(
            key=key,
            name=name or (key if external else f"{self.name}_{key}"),
            external=external,
            loc=Loc(*pos),
        )

    # ---------------------------------------------------------------------------------------- service

    def service(self, name: str, svc: Any, pos: Pos) -> Service:
        if not isinstance(svc, YMap):
            raise _err(pos, f"services.{name} must be a mapping")
        what = f"services.{name}"
        loc = Loc(*pos)
        image = self._str(svc, "image", f"{what}.image") or None
        build = self.build(svc, what)
        if image is None and build is None:
            raise _err(pos, f'service "{name}" has neither an image nor a build context specified')

        mode, mode_target, mode_loc, attachments = self.networking(name, svc, what, loc)
        links = self.links(name, svc, what, "links", external=False)
        external_links = self.links(name, svc, what, "external_links", external=True)
        depends_on = self.depends_on(name, svc, what)
        implicit = [link.target for link in links]
        if mode is NetworkMode.SERVICE and mode_target:
            implicit.append(mode_target)
        for dep in implicit:
            # Links and ``network_mode: service:x`` imply ``depends_on`` (compose-go ``normalize``).
            if dep not in depends_on and dep in self.active_set:
                depends_on.append(dep)

        expose, expose_loc = self.expose(svc, what)
        profiles = svc.get("profiles")
        return Service(
            project=self.name,
            name=name,
            loc=loc,
            image=image,
            build=build,
            container_name=self._str(svc, "container_name", f"{what}.container_name") or None,
            hostname=self._str(svc, "hostname", f"{what}.hostname") or None,
            network_mode=mode,
            network_mode_target=mode_target,
            network_mode_loc=mode_loc,
            networks=tuple(attachments),
            links=(*links, *external_links),
            extra_hosts=self.extra_hosts(svc, what),
            ports=self.ports(svc, what),
            expose=expose,
            expose_loc=expose_loc,
            volumes=self.mounts(name, svc, what),
            depends_on=tuple(depends_on),
            command=self.argv(svc, "command", what),
            entrypoint=self.argv(svc, "entrypoint", what),
            environment=frozen_map(self.environment(svc, what)),
            labels=frozen_map(self.labels(svc, what)),
            profiles=tuple(_scalar_str(p) for p in profiles) if isinstance(profiles, YSeq) else (),
            healthcheck=self.healthcheck(svc, what),
            replicas=self.replicas(svc, what),
        )

    def build(self, svc: YMap, what: str) -> Build | None:
        raw = svc.get("build")
        if raw is None:
            return None
        pos = svc.where("build")
        if isinstance(raw, YMap):
            context = self._str(raw, "context", f"{what}.build.context") or "."
            dockerfile = self._str(raw, "dockerfile", f"{what}.build.dockerfile")
            inline = raw.get("dockerfile_inline") is not None
        elif isinstance(raw, YSeq):
            raise _err(pos, f"{what}.build must be a string or a mapping")
        else:
            context, dockerfile, inline = _scalar_str(raw), None, False
        if _is_remote(context):
            return Build(context=context, dockerfile=dockerfile or "Dockerfile", loc=Loc(*pos))
        context = _abs_path(context, self.dir, self.env)
        if inline and not dockerfile:
            path = ""  # dockerfile_inline: there is no file
        else:
            path = os.path.normpath(os.path.join(context, _expand_home(dockerfile or "Dockerfile", self.env)))
        return Build(context=context, dockerfile=path, loc=Loc(*pos))

    def networking(
        self, name: str, svc: YMap, what: str, svc_loc: Loc
    ) -> tuple[NetworkMode, str | None, Loc, list[Attachment]]:
        raw_mode = self._str(svc, "network_mode", f"{what}.network_mode")
        nets = svc.get("networks")
        has_nets = isinstance(nets, (YMap, YSeq)) and len(nets) > 0
        if raw_mode:
            mode_loc = Loc(*svc.where("network_mode"))
            if has_nets:
                raise _loc_err(
                    mode_loc, f"service {name} declares mutually exclusive network_mode and networks"
                )
            if raw_mode in ("host", "none", "bridge"):
                return NetworkMode(raw_mode), None, mode_loc, []
            if raw_mode == "default":
                return NetworkMode.BRIDGE, None, mode_loc, []  # the engine's "default" is the bridge network
            if raw_mode.startswith(_SERVICE_PREFIX):
                return NetworkMode.SERVICE, raw_mode[len(_SERVICE_PREFIX) :], mode_loc, []
            if raw_mode.startswith(_CONTAINER_PREFIX):
                return NetworkMode.CONTAINER, raw_mode[len(_CONTAINER_PREFIX) :], mode_loc, []
            # Any other value is passed to the engine as a network name (Docker's --network NAME); the
            # container joins that existing network, with no service alias. Modelled as an attachment to an
            # undeclared external network of that name.
            key = raw_mode
            if key not in self.extra_networks and key not in self.networks_y:
                self.extra_networks[key] = Network(
                    key=key, name=key, project=self.name, external=True, loc=mode_loc, declared=False
                )
            self.used_networks.setdefault(key, mode_loc)
            return NetworkMode.NETWORKS, None, mode_loc, [Attachment(network=key, loc=mode_loc)]
        attachments: list[Attachment] = []
        if nets is None or (isinstance(nets, (YMap, YSeq)) and not nets):
            # The implicit default network (https://docs.docker.com/reference/compose-file/networks/).
            self.used_networks.setdefault("default", svc_loc)
            return NetworkMode.NETWORKS, None, Loc("", 0), [Attachment(network="default", loc=svc_loc)]
        if isinstance(nets, YSeq):
            entries: list[tuple[str, Any, Pos]] = [
                (_scalar_str(n), None, nets.where(i)) for i, n in enumerate(nets)
            ]
        elif isinstance(nets, YMap):
            entries = [(k, v, nets.where(k)) for k, v in nets.items()]
        else:
            raise _err(svc.where("networks"), f"{what}.networks must be a list or a mapping")
        seen: set[str] = set()
        for key, cfg, npos in entries:
            if key in seen:
                continue
            seen.add(key)
            if key not in self.networks_y and key != "default":
                raise _err(npos, f'service "{name}" refers to undefined network {key}')
            self.used_networks.setdefault(key, Loc(*npos))
            if cfg is None:
                attachments.append(Attachment(network=key, loc=Loc(*npos)))
                continue
            if not isinstance(cfg, YMap):
                raise _err(npos, f"{what}.networks.{key} must be a mapping")
            aliases = self._list(cfg, "aliases", f"{what}.networks.{key}.aliases")
            attachments.append(
                Attachment(
                    network=key,
                    aliases=tuple(_unique(_scalar_str(a) for a in aliases)),
                    ipv4_address=self._str(cfg, "ipv4_address", "ipv4_address") or None,
                    ipv6_address=self._str(cfg, "ipv6_address", "ipv6_address") or None,
                    loc=Loc(*npos),
                )
            )
        return NetworkMode.NETWORKS, None, Loc("", 0), attachments

    def links(self, name: str, svc: YMap, what: str, key: str, *, external: bool) -> list[Link]:
        out: list[Link] = []
        seen: set[str] = set()
        items = self._list(svc, key, f"{what}.{key}")
        for i, item in enumerate(items):
            text = _scalar_str(item)
            if text in seen:
                continue
            seen.add(text)
            target, _, alias = text.partition(":")
            lpos = items.where(i)
            if not external:
                if target not in self.all_services:
                    raise _err(lpos, f'service "{name}" depends on undefined service "{target}"')
                if target not in self.active_set:
                    continue  # disabled by profiles: ignored
            out.append(Link(target=target, alias=alias or target, external=external, loc=Loc(*lpos)))
        return out

    def depends_on(self, name: str, svc: YMap, what: str) -> list[str]:
        raw = svc.get("depends_on")
        if raw is None:
            return []
        out: list[str] = []
        if isinstance(raw, YSeq):
            entries: list[tuple[str, Any, Pos]] = [
                (_scalar_str(d), None, raw.where(i)) for i, d in enumerate(raw)
            ]
        elif isinstance(raw, YMap):
            entries = [(k, v, raw.where(k)) for k, v in raw.items()]
        else:
            raise _err(svc.where("depends_on"), f"{what}.depends_on must be a list or a mapping")
        for dep, _, dpos in entries:
            if dep not in self.all_services:
                # Compose 2.26 refuses this even with ``required: false``.
                raise _err(dpos, f'service "{name}" depends on undefined service "{dep}"')
            if dep in self.active_set and dep not in out:
                out.append(dep)
        return out

    def extra_hosts(self, svc: YMap, what: str) -> tuple[ExtraHost, ...]:
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

    def ports(self, svc: YMap, what: str) -> tuple[PortMapping, ...]:
        items = self._list(svc, "ports", f"{what}.ports")
        out: dict[tuple[str, int | None, int, str], PortMapping] = {}
        for i, item in enumerate(items):
            ppos = items.where(i)
            if isinstance(item, YMap):
                mappings = [self._long_port(item, ppos, what)]
            elif isinstance(item, (str, int)) and not isinstance(item, bool):
                mappings = _parse_port_spec(str(item), ppos)
            else:
                raise _err(ppos, f"{what}.ports entries must be strings, numbers or mappings")
            for m in mappings:
                # compose-go ``EnforceUnicity``: a later duplicate replaces the earlier one in its place.
                out[(m.host_ip or "", m.published, m.target, m.protocol)] = m
        return tuple(out.values())

    def _long_port(self, item: YMap, pos: Pos, what: str) -> PortMapping:
        if item.get("target") is None:
            raise _err(pos, f"{what}.ports: a long-syntax port needs a target")
        target = self._int(item["target"], pos, f"{what}.ports.target")
        published: int | None = None
        raw_pub = item.get("published")
        if raw_pub is not None and _scalar_str(raw_pub) != "":
            pub_text = _scalar_str(raw_pub)
            first = pub_text.split("-", 1)[0]
            published = self._int(first, pos, f"{what}.ports.published")
        host_ip = self._str(item, "host_ip", "host_ip") or None
        protocol = (self._str(item, "protocol", "protocol") or "tcp").lower()
        return PortMapping(
            target=target, published=published, host_ip=host_ip, protocol=protocol, loc=Loc(*pos)
        )

    def expose(self, svc: YMap, what: str) -> tuple[tuple[int, ...], Loc]:
        if svc.get("expose") is None:
            return (), Loc("", 0)
        items = self._list(svc, "expose", f"{what}.expose")
        out: list[int] = []
        for i, item in enumerate(items):
            text = _scalar_str(item).strip()
            port_text = text.split("/", 1)[0]
            try:
                start, end = _port_range(port_text)
            except ValueError:
                raise _err(items.where(i), f"invalid expose value {text!r}") from None
            for port in range(start, end + 1):
                if port not in out:
                    out.append(port)
        return tuple(out), Loc(*svc.where("expose"))

    def mounts(self, name: str, svc: YMap, what: str) -> tuple[Mount, ...]:
        items = self._list(svc, "volumes", f"{what}.volumes")
        out: dict[str, Mount] = {}
        for i, item in enumerate(items):
            vpos = items.where(i)
            if isinstance(item, str):
                vtype, source, target, read_only = _parse_volume_spec(item, vpos)
            elif isinstance(item, YMap):
                vtype = self._str(item, "type", f"{what}.volumes.type") or "volume"
                source = self._str(item, "source", f"{what}.volumes.source") or None
                target = self._str(item, "target", f"{what}.volumes.target") or ""
                read_only = self._bool(item, "read_only", f"{what}.volumes.read_only")
                if not target:
                    raise _err(vpos, f"{what}.volumes: a long-syntax volume needs a target")
            else:
                raise _err(vpos, f"{what}.volumes entries must be strings or mappings")
            if vtype == "bind" and source is not None:
                source = _abs_path(source, self.dir, self.env)
            elif vtype == "volume" and source is not None:
                if source not in self.volumes_y:
                    raise _err(vpos, f'service "{name}" refers to undefined volume {source}')
                self.used_volumes.add(source)
                source = self.volume(source).name
            target = _clean_container_path(target)
            # compose-go ``EnforceUnicity`` keys volumes by target: a later one replaces the earlier one.
            out[target] = Mount(type=vtype, target=target, source=source, read_only=read_only, loc=Loc(*vpos))
        return tuple(out.values())

    def argv(self, svc: YMap, key: str, what: str) -> tuple[str, ...]:
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

    def environment(self, svc: YMap, what: str) -> dict[str, str | None]:
        env: dict[str, str | None] = {}
        env_file = svc.get("env_file")
        if env_file is not None:
            entries = env_file if isinstance(env_file, YSeq) else YSeq(svc.where("env_file"))
            if not isinstance(env_file, YSeq):
                entries.put(env_file, svc.where("env_file"))
            for i, entry in enumerate(entries):
                path_raw = entry.get("path") if isinstance(entry, YMap) else entry
                if path_raw is None:
                    continue
                path = _abs_path(_scalar_str(path_raw), self.dir, self.env)
                if not os.path.isfile(path):
                    # ``docker compose`` refuses a missing env_file (unless ``required: false``). Env files
                    # are often kept out of repositories (secrets), and for the network analysis they only
                    # add environment values, so a missing one is a warning here, not an error.
                    file, line = entries.where(i)
                    if isinstance(entry, YMap) and entry.get("required") is False:
                        continue
                    self.warnings.append(
                        f"{file}:{line}: env file {path} not found; its variables are unknown"
                    )
                    continue
                for k, (v, _) in read_env_file(path, self.env).items():
                    env[k] = v
        raw = svc.get("environment")
        if raw is None:
            return env
        for k, v in _kv_map(raw).items() if isinstance(raw, YSeq) else self._kv_items(raw, svc, what):
            if isinstance(v, (YMap, YSeq)):
                raise _err(svc.where("environment"), f"{what}.environment.{k} must be a string")
            if v is None:
                # A bare ``KEY`` takes its value from the project environment (compose-go ``Resolve``).
                env[k] = self.env.get(k)
            else:
                env[k] = _scalar_str(v)
        return env

    def _kv_items(self, raw: Any, svc: YMap, what: str) -> Iterable[tuple[str, Any]]:
        if not isinstance(raw, YMap):
            raise _err(svc.pos, f"{what}: environment and labels must be a list or a mapping")
        return raw.items()

    def labels(self, svc: YMap, what: str) -> dict[str, str | None]:
        raw = svc.get("labels")
        if raw is None:
            return {}
        items = _kv_map(raw).items() if isinstance(raw, YSeq) else self._kv_items(raw, svc, what)
        return {k: _scalar_str(v) for k, v in items}

    def healthcheck(self, svc: YMap, what: str) -> bool:
        raw = svc.get("healthcheck")
        if raw is None:
            return False
        if not isinstance(raw, YMap):
            raise _err(svc.where("healthcheck"), f"{what}.healthcheck must be a mapping")
        if self._bool(raw, "disable", f"{what}.healthcheck.disable"):
            return False
        test = raw.get("test")
        if isinstance(test, YSeq) and test and _scalar_str(test[0]) == "NONE":
            return False
        return not (isinstance(test, str) and test == "NONE")

    def replicas(self, svc: YMap, what: str) -> int:
        scale = svc.get("scale")
        deploy = self._map(svc, "deploy", f"{what}.deploy")
        replicas = deploy.get("replicas") if deploy is not None else None
        n_scale = self._int(scale, svc.where("scale"), f"{what}.scale") if scale is not None else None
        n_rep = (
            self._int(replicas, deploy.where("replicas"), f"{what}.deploy.replicas")
            if deploy is not None and replicas is not None
            else None
        )
        if n_scale is not None and n_rep is not None and n_scale != n_rep:
            raise _err(
                svc.where("scale"), f"{what}: can't set distinct values on 'scale' and 'deploy.replicas'"
            )
        if n_scale is not None:
            return n_scale
        return n_rep if n_rep is not None else 1


def _check_cycles(services: Mapping[str, Service]) -> None:
    """Refuse a ``depends_on`` cycle (implicit ones from links and ``service:`` modes included), like
    compose's "dependency cycle detected". Iterative: a chain of a thousand services is legal."""
    done: set[str] = set()
    for root in services:
        if root in done:
            continue
        path = [root]
        on_path = {root}
        stack = [iter(services[root].depends_on)]
        while stack:
            dep = next(stack[-1], None)
            if dep is None:
                stack.pop()
                finished = path.pop()
                on_path.discard(finished)
                done.add(finished)
                continue
            if dep in on_path:
                cycle = [*path[path.index(dep) :], dep]
                raise _loc_err(services[cycle[0]].loc, f"dependency cycle detected: {' -> '.join(cycle)}")
            if dep in services and dep not in done:
                path.append(dep)
                on_path.add(dep)
                stack.append(iter(services[dep].depends_on))


def _loc_err(loc: Loc, message: str) -> InputError:
    return InputError(loc.file, message, loc.line)


def _unique(items: Iterable[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


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
