"""Tolerant accessors of the engine's raw JSON, shared by the snapshot and the model builder.

Answers differ between engine versions and between the list and the inspect endpoints (the list carries
``Names`` and ``Labels``, the inspect ``Name`` and ``Config.Labels``), so every field is read with a
default. The compose labels that group containers into projects and services are named here too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"
ONEOFF_LABEL = "com.docker.compose.oneoff"
CONFIG_FILES_LABEL = "com.docker.compose.project.config_files"
WORKING_DIR_LABEL = "com.docker.compose.project.working_dir"
DEPENDS_ON_LABEL = "com.docker.compose.depends_on"

STANDALONE = ""
"""The pseudo-project of containers that no compose project created (``docker run``)."""


def name(c: Mapping[str, Any]) -> str:
    """The container name without its leading slash (``Names`` in the list, ``Name`` in the inspect), else
    the short ID."""
    names = c.get("Names") or []
    if names:
        return str(names[0]).lstrip("/")
    return str(c.get("Name") or c.get("Id", "")[:12]).lstrip("/")


def labels(c: Mapping[str, Any]) -> Mapping[str, str]:
    """The labels of a list entry (``Labels``) or of an inspect (``Config.Labels``)."""
    labels = c.get("Labels")
    if labels is None:
        labels = (c.get("Config") or {}).get("Labels")
    return labels or {}


def endpoints(c: Mapping[str, Any]) -> Mapping[str, Mapping[str, Any]]:
    """Network name -> endpoint (``NetworkSettings.Networks``)."""
    return (c.get("NetworkSettings") or {}).get("Networks") or {}


def net_mode(c: Mapping[str, Any]) -> str:
    """``HostConfig.NetworkMode``: ``host``, ``none``, ``container:<id>``, a network name or ``default``."""
    return str((c.get("HostConfig") or {}).get("NetworkMode") or "")


def find_id(by_id: Mapping[str, Any], ref: str) -> str | None:
    """The ID of the container that ``ref`` names: its ID, an ID prefix or its name."""
    if ref in by_id:
        return ref
    for cid, c in by_id.items():
        if cid.startswith(ref) or name(c) == ref:
            return cid
    return None


def str_list(value: Any) -> tuple[str, ...]:
    """A field that is null, one string or a list of strings, as a tuple."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)
