"""The directive table of dockernet.dialects.nginx.directives is the one the real nginx binary holds."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from dockernet.dialects.nginx import directives
from tests.conftest import REPO

pytestmark = pytest.mark.nginx


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("nginx_directives", REPO / "scripts/nginx_directives.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["nginx_directives"] = module
    spec.loader.exec_module(module)
    return module


def test_table_is_read_from_the_binary(nginx_bin: Path) -> None:
    """scripts/nginx_directives.py reads the installed nginx 1.22.1 again: the same modules, directives,
    contexts and argument counts as the table, which also has the stream and mail modules of Debian's
    libnginx-mod-stream and libnginx-mod-mail packages (not installed here)."""
    text = _script().table([str(nginx_bin)])
    from_binary = directives.parse(text)
    assert from_binary == directives.DEBIAN_1_22.commands
    assert len(from_binary) > 500
    stream_and_mail = {
        name
        for name, commands in directives.parse(directives._DEBIAN_1_22).items()
        if name not in from_binary
    }
    assert {"stream", "mail", "proxy_timeout", "smtp_auth"} <= stream_and_mail


def test_known_flags() -> None:
    """A few directives against nginx.org's documentation (https://nginx.org/en/docs/dirindex.html)."""
    table = directives.DEBIAN_1_22.commands
    (proxy_pass,) = table["proxy_pass"]
    assert proxy_pass.contexts == {"location", "lif", "lmt"} and proxy_pass.args == "1"
    assert [c.module for c in table["server"]] == ["ngx_http_core_module", "ngx_http_upstream_module"]
    assert table["gzip"][0].args == "flag"
    assert table["location"][0].block and table["location"][0].takes(2) and not table["location"][0].takes(3)
    assert table["include"][0].contexts == {"any"}
    assert "ssl" in table and "ssl" not in directives.OFFICIAL.commands  # removed in 1.25.1
    assert "stream" not in table and "stream" in directives.OFFICIAL.commands


@pytest.mark.parametrize(
    ("image", "profile"),
    [
        ("nginx", "OFFICIAL"),
        ("nginx:1.27-alpine", "OFFICIAL"),
        ("docker.io/library/nginx@sha256:abc", "OFFICIAL"),
        ("nginxinc/nginx-unprivileged:stable", "OFFICIAL"),
        ("nginx:1.25.3", "OFFICIAL"),
        ("nginx:1.21.6-alpine", "OFFICIAL_BEFORE_1_25"),
        ("nginx:1.18", "OFFICIAL_BEFORE_1_25"),
        ("nginxinc/nginx-unprivileged:1.24-alpine", "OFFICIAL_BEFORE_1_25"),
        ("nginx:stable-alpine", "OFFICIAL"),
        ("dockernet-test/nginx:latest", "DEBIAN_1_22"),
        ("openresty/openresty:alpine", None),
        ("jc21/nginx-proxy-manager", None),
        ("bitnami/nginx", None),
        (None, None),
    ],
)
def test_profile_for_image(image: str | None, profile: str | None) -> None:
    expected = getattr(directives, profile) if profile else None
    assert directives.profile_for(image) is expected
