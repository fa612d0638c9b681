"""Steps 1 to 3 of the compose loader: which files make a project, its ``.env``, its name.

Discovery follows compose-go ``cli/options.go`` (``DefaultFileNames``, ``DefaultOverrideFileNames``); the
environment https://docs.docker.com/compose/how-tos/environment-variables/envvars-precedence/; the name
https://docs.docker.com/compose/how-tos/project-name/ and compose-go ``loader.go`` (``-p`` and
``COMPOSE_PROJECT_NAME`` are validated, ``name:`` and the directory's basename are normalised).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence

from yaml.nodes import MappingNode, Node, ScalarNode

from dockernet.errors import InputError, UsageError
from dockernet.sources.compose.common import _err, _Parsed
from dockernet.sources.compose.interpolate import DotenvError, InterpolationError, Substituter, parse_dotenv
from dockernet.sources.compose.yamlsafe import Pos, read_text

__all__ = [
    "COMPOSE_FILE_NAMES",
    "OVERRIDE_FILE_NAMES",
    "find_compose_files",
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

_NAME_CHARS = re.compile(r"[a-z0-9_-]")
_INVALID_NAME = (
    'invalid project name "{}": must consist only of lowercase alphanumeric characters, hyphens, and '
    "underscores as well as start with a letter or number"
)


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


def _read_dotenv(
    env_files: Sequence[str], project_dir: str, environ: Mapping[str, str]
) -> dict[str, tuple[str, Pos]]:
    """The variables of the env files (``--env-file``, else the project's ``.env``), later files winning.

    As compose-go's ``GetEnvFromFile``: a file's values may use the environment and earlier files.
    """
    if env_files:
        paths = env_files
    else:
        default = os.path.join(project_dir, ".env")
        paths = [default] if os.path.isfile(default) else []
    merged: dict[str, tuple[str, Pos]] = {}
    for path in paths:
        lookup = {k: v for k, (v, _) in merged.items()}
        lookup.update({k: v for k, v in environ.items() if k not in lookup})
        merged.update(read_env_file(path, lookup))
    return merged


def _project_name(
    cli_name: str | None,
    project_dir: str,
    parsed: list[_Parsed],
    env: dict[str, str],
    dotenv: dict[str, tuple[str, Pos]],
    environ: Mapping[str, str],
) -> str:
    """The project name, by the precedence of step 3 of the package docstring."""
    if cli_name:
        if normalize_project_name(cli_name) != cli_name:
            raise UsageError(_INVALID_NAME.format(cli_name))
        return cli_name
    from_env = env.get("COMPOSE_PROJECT_NAME", "")
    if from_env:
        if normalize_project_name(from_env) != from_env:
            if environ.get("COMPOSE_PROJECT_NAME"):
                raise UsageError(_INVALID_NAME.format(from_env) + " (COMPOSE_PROJECT_NAME)")
            pos = dotenv["COMPOSE_PROJECT_NAME"][1]
            raise _err(pos, _INVALID_NAME.format(from_env))
        return from_env
    dir_name = normalize_project_name(os.path.basename(project_dir.rstrip(os.sep)) or "")
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
            project_dir,
            "cannot derive a project name from the directory name; give one with -p or a top-level name:",
        )
    return dir_name


def _top_level_scalar(doc: Node, key: str, file: str) -> tuple[str, Pos] | None:
    """The value and position of the scalar ``key`` of the top-level mapping; None if null or absent."""
    if not isinstance(doc, MappingNode):
        return None
    for knode, vnode in doc.value:
        if isinstance(knode, ScalarNode) and knode.value == key and isinstance(vnode, ScalarNode):
            if vnode.tag == "tag:yaml.org,2002:null":
                return None
            return str(vnode.value), (file, vnode.start_mark.line + 1)
    return None
