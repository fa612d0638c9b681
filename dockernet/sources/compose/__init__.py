"""Compose files -> :class:`~dockernet.model.Project`, the way ``docker compose`` reads them.

The steps follow compose-go (https://github.com/compose-spec/compose-go, the loader inside Compose v2) and the
compose specification (https://github.com/compose-spec/compose-spec).
``tests/sources/compose/test_vs_docker.py`` compares the result with ``docker compose config`` on every sample
and corpus project.

1. **Discovery** (:mod:`.discover`; compose-go ``cli/options.go``): the first of ``compose.yaml``,
   ``compose.yml``, ``docker-compose.yml``, ``docker-compose.yaml`` in a directory, plus the first override
   file that exists (``compose.override.yml``, ``compose.override.yaml``, ``docker-compose.override.yml``,
   ``docker-compose.override.yaml``). Unlike ``docker compose`` we never walk up to parent directories: the
   user named the directory.
2. **Environment** (:mod:`.discover`): the project's ``.env`` (or the ``--env-file`` files, which replace
   it), overridden by the process environment
   (https://docs.docker.com/compose/how-tos/environment-variables/envvars-precedence/).
3. **Project name** (:mod:`.discover`; https://docs.docker.com/compose/how-tos/project-name/): ``-p`` >
   ``COMPOSE_PROJECT_NAME`` (both validated) > the last top-level ``name:`` > the directory's basename (both
   normalised).
4. **Per file, per YAML document** (:mod:`.assemble`): interpolation of values, never keys
   (:mod:`.interpolate`, on the YAML of :mod:`.yamlsafe`), ``extends``, ``include``, then the merge into the
   model built so far (:mod:`.merge`; https://docs.docker.com/reference/compose-file/merge/), with ``!reset``
   and ``!override``.
5. **Profiles** (https://docs.docker.com/reference/compose-file/profiles/), then **normalisation** into the
   model (:mod:`.normalize`, :mod:`.fields`): the implicit ``default`` network, engine names, short syntaxes
   parsed, paths made absolute, sequences made unique the way compose-go's ``EnforceUnicity`` does, and the
   consistency checks of ``docker compose config``. Resources that no active service uses are left out.

:mod:`.common` holds what several steps share (a file read into YAML nodes, errors at a position, scalars
printed like compose-go, host paths). Names with a leading underscore are internal to the package and
shared between its modules; its API is :func:`load_projects` and the public names of :mod:`.discover`.

Where the cut differs from one module per step: ``extends`` and ``include`` share :mod:`.assemble` because
both load other files and rebase their relative paths, and ``include`` loads each entry through the same
per-document loop. The normaliser is split by what a field needs: :mod:`.fields` holds pure functions (typed
readers, the service fields that need only the service's own YAML, the port and volume short syntaxes);
:mod:`.normalize` keeps the ``_Normalizer`` for what needs the project (declared and used networks and
volumes, active services, the project directory and environment).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import replace

from dockernet.errors import InputError, UsageError
from dockernet.model import Loc, Project, safe
from dockernet.sources.compose.assemble import _build_model, _Context
from dockernet.sources.compose.common import _parse_file
from dockernet.sources.compose.discover import (
    COMPOSE_FILE_NAMES,
    _project_name,
    _read_dotenv,
    find_compose_files,
)
from dockernet.sources.compose.normalize import _Normalizer

__all__ = ["load_projects"]


def load_projects(
    dirs: Sequence[str],
    files: Sequence[str],
    project_name: str | None,
    env_files: Sequence[str],
    profiles: Sequence[str],
    environ: Mapping[str, str],
    *,
    warnings: list[str] | None = None,
    stack: bool = False,
) -> list[Project]:
    """Load compose projects like ``docker compose config`` does.

    ``files`` (``-f``) are merged into one project whose directory is the first file's directory. Each entry
    of ``dirs`` is a project of its own, found by compose's discovery (a path to a file is loaded as that one
    file). With neither, the current directory is used. ``project_name`` (``-p``) may only be given when
    that makes one project. ``env_files`` (``--env-file``, relative to the current directory) replace each
    project's ``.env``. ``profiles`` (``--profile``) default to ``COMPOSE_PROFILES``. ``environ`` is the
    process environment; it wins over ``.env`` files. ``stack``: read each project as ``docker stack deploy``
    does (:mod:`.stack`), the project name being the stack name.

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
        _load_project(cfg_files, pdir, project_name or None, abs_env_files, profiles, environ, sink, stack)
        for cfg_files, pdir in sources
    ]


def _load_project(
    files: list[str],
    project_dir: str,
    cli_name: str | None,
    env_files: list[str],
    profiles: Sequence[str],
    environ: Mapping[str, str],
    warnings: list[str],
    stack: bool = False,
) -> Project:
    """Load one project: environment, name, model, profiles, normalisation (steps 2 to 5)."""
    for f in files:
        if os.path.isdir(f):
            raise InputError(f, "is a directory, not a compose file")
        if not os.path.exists(f):
            raise InputError(f, "compose file not found")
    dotenv = _read_dotenv(env_files, project_dir, environ)
    env = {k: v for k, (v, _) in dotenv.items()}
    env.update(environ)
    parsed = [_parse_file(f) for f in files]
    name = _project_name(cli_name, project_dir, parsed, env, dotenv, environ)
    env["COMPOSE_PROJECT_NAME"] = name
    ctx = _Context(env=env, working_dir=project_dir, warnings=warnings, include_chain=tuple(files))
    active = list(profiles) or [p.strip() for p in env.get("COMPOSE_PROFILES", "").split(",")]
    try:
        model = _build_model(parsed, ctx)
        project = _Normalizer(
            model, name, project_dir, env, {p for p in active if p}, files, warnings, stack=stack
        ).project()
    except InputError as e:
        raise _redact(_blame_unset(e, ctx.unset_uses), ctx.substituted) from None
    first: dict[str, Loc] = {}
    for variable, loc in ctx.unset_uses:
        first.setdefault(variable, loc)
    secrets = tuple(ctx.substituted.items()) + project.secrets
    return replace(project, unset_variables=tuple(first.items()), secrets=secrets)


def _redact(error: InputError, secrets: Mapping[str, str]) -> InputError:
    """The error without the values variables gave it: ``invalid port '${DB_PORT}'``, not the value."""
    message = safe.replacer(secrets)(error.message)
    return error if message == error.message else InputError(error.file, message, error.line)


def _blame_unset(error: InputError, uses: Sequence[tuple[str, Loc]]) -> InputError:
    """The error, naming the unset variables of the value it is about: ``invalid volume spec ':/x'`` alone
    does not say that ``${DATA}`` was empty."""
    names = list(dict.fromkeys(n for n, loc in uses if (loc.file, loc.line) == (error.file, error.line)))
    if not names:
        return error
    # Names are cut to a readable length, and a few of them are named: a hostile file can have long ones.
    which = ", ".join(f'"{n if len(n) <= 40 else n[:37] + "..."}"' for n in names[:5])
    if len(names) > 5:
        which += f" and {len(names) - 5} more"
    plural = "s are" if len(names) > 1 else " is"
    return InputError(
        error.file,
        f"{error.message} (the {which} variable{plural} not set: compose used an empty string)",
        error.line,
    )
