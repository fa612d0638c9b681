"""Find the nginx configuration of each service and read its routes.

A service is a proxy when its nginx config reaches it by one of the ways real projects use:

* a bind mount of a file or directory into ``/etc/nginx/...`` (or the path its command passes with ``-c``);
* a ``COPY``/``ADD`` in the Dockerfile of its ``build:`` context;
* the official image's templates (``/etc/nginx/templates/*.template``), rendered with the service's own
  environment, only for the variables that environment defines (the image's
  ``20-envsubst-on-templates.sh`` runs ``envsubst`` with exactly that variable list);
* ``--nginx SERVICE=PATH`` on the command line.

Container paths are mapped back to files on this machine through those mounts and copies, so that
``include /etc/nginx/conf.d/*.conf;`` reads the mounted conf.d. A service whose image is nginx but whose
config cannot be seen is reported as unknown, never as an error.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Mapping, Sequence

from dockernet.dialects.nginx import routes as nginx_routes
from dockernet.dialects.nginx import syntax as nginx
from dockernet.errors import InputError
from dockernet.model import ImageFacts, NetworkMode, Project, ProxyConfig, Service
from dockernet.sources import dockerfile

ETC_NGINX = "/etc/nginx"
MAIN = "/etc/nginx/nginx.conf"
TEMPLATES = "/etc/nginx/templates"
TEMPLATE_OUTPUT = "/etc/nginx/conf.d"
# The official image's nginx.conf (docker-library nginx, stable), reduced to what routing needs; Debian's
# package also reads sites-enabled. Used when the image's own nginx.conf is not mounted.
IMAGE_MAIN = b"""user nginx;
worker_processes auto;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    include /etc/nginx/conf.d/*.conf;
    include /etc/nginx/sites-enabled/*;
}
"""
# The image's repository name (after the last "/") names nginx: nginx, nginx-proxy, openresty... but not
# nginxproxy/acme-companion.
_NGINX_IMAGE = re.compile(r"(^|/)(nginx|openresty|angie|tengine)[^/:@]*([:@][^/]*)?$", re.IGNORECASE)
_ENVSUBST = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")


class MountTree:
    """A service's view of its config files: bind mounts and image copies, plus files dockernet renders
    (templates) or supplies (the image's default nginx.conf)."""

    def __init__(self, mappings: Sequence[tuple[str, str]], overlay: Mapping[str, tuple[str, bytes]]) -> None:
        self._host = nginx.HostTree(mappings)
        self._overlay = dict(overlay)

    def read(self, path: str) -> tuple[str, bytes] | None:
        """Contents of a container path, if visible."""
        if path in self._overlay:
            return self._overlay[path]
        return self._host.read(path)

    def glob(self, pattern: str) -> list[str] | None:
        """Container paths matching a pattern, if the directory is visible."""
        import fnmatch

        extra = sorted(p for p in self._overlay if fnmatch.fnmatchcase(p, pattern))
        found = self._host.glob(pattern)
        if found is None and not extra:
            return None
        return sorted(set((found or []) + extra))


def _mappings(service: Service, image: ImageFacts | None) -> list[tuple[str, str]]:
    """(container path, host path) pairs: Dockerfile copies first, bind mounts over them.

    A bind mount whose source does not exist here is left out: Docker would mount an empty directory that
    something else fills at run time (certbot, an init script), so its contents cannot be seen.
    """
    out: list[tuple[str, str]] = []
    if image is not None:
        out.extend(image.copies)
    out.extend(
        (m.target, m.source)
        for m in service.volumes
        if m.type == "bind" and m.source and os.path.exists(m.source)
    )
    return out


def _config_flag(service: Service) -> str | None:
    """The path passed with ``nginx -c PATH``, if the command does."""
    argv = service.entrypoint + service.command
    for i, arg in enumerate(argv):
        if arg == "-c" and i + 1 < len(argv) and "nginx" in " ".join(argv[:i]):
            return argv[i + 1]
    return None


def _render_templates(service: Service, mappings: Sequence[tuple[str, str]]) -> dict[str, tuple[str, bytes]]:
    """The official image's envsubst of ``templates/*.template`` into ``conf.d``, with the service's env.

    Only variables the environment defines are replaced; the rest (``$host``...) stay, as with the image.
    """
    out: dict[str, tuple[str, bytes]] = {}
    env = {k: v for k, v in service.environment.items() if v is not None}
    out_dir = env.get("NGINX_ENVSUBST_OUTPUT_DIR", TEMPLATE_OUTPUT)
    suffix = env.get("NGINX_ENVSUBST_TEMPLATE_SUFFIX", ".template")
    tree = nginx.HostTree(mappings)
    for path in tree.glob(f"{TEMPLATES}/*{suffix}") or []:
        found = tree.read(path)
        if found is None:
            continue
        display, data = found
        text = data.decode("utf-8", errors="surrogateescape")

        def sub(m: re.Match[str]) -> str:
            name = m.group(1) or m.group(2)
            return env[name] if name in env else m.group(0)

        rendered = _ENVSUBST.sub(sub, text).encode("utf-8", errors="surrogateescape")
        rel = posixpath.relpath(path, TEMPLATES)[: -len(suffix)]
        out[posixpath.join(out_dir, rel)] = (display, rendered)
    return out


def _looks_like_nginx(service: Service) -> bool:
    return bool(service.image and _NGINX_IMAGE.search(service.image))


def find(
    project: Project, images: Mapping[tuple[str, str], ImageFacts], overrides: Mapping[str, str]
) -> list[ProxyConfig]:
    """The proxy configs of every service in a project that has one."""
    out: list[ProxyConfig] = []
    for service in project.services.values():
        cfg = _find_one(service, images.get(service.key), overrides.get(service.name))
        if cfg is not None:
            out.append(cfg)
    return out


def _find_one(service: Service, image: ImageFacts | None, override: str | None) -> ProxyConfig | None:
    mappings = _mappings(service, image)
    overlay: dict[str, tuple[str, bytes]] = {}
    how = ""
    entry = _config_flag(service) or MAIN
    if override is not None:
        if not os.path.isfile(override):
            raise InputError(override, "no such file (given with --nginx)")
        with open(override, "rb") as fh:
            head = fh.read(nginx.MAX_FILE)
        if re.search(rb"(^|[\s;}])http\s*\{", head):
            mappings.append((entry, os.path.abspath(override)))
        else:
            mappings.append((f"{TEMPLATE_OUTPUT}/{os.path.basename(override)}", os.path.abspath(override)))
        how = "--nginx"
    visible = [c for c, _ in mappings if c in (ETC_NGINX, entry) or c.startswith(ETC_NGINX + "/")]
    if not visible:
        if _looks_like_nginx(service) and service.network_mode is not NetworkMode.NONE:
            return ProxyConfig(
                proxy=service.key,
                root=None,
                how="image",
                unknown_reason=(
                    f"it is neither mounted nor copied in: inside the image {service.image}, or written "
                    "at start"
                ),
            )
        return None
    if not how:
        from_copy = image is not None and any(c in dict(image.copies) for c in visible)
        how = "Dockerfile COPY" if from_copy else "bind mount"
    overlay.update(_render_templates(service, mappings))
    if overlay and how == "bind mount":
        how = "template"
    tree = MountTree(mappings, overlay)
    if tree.read(entry) is None:
        if entry != MAIN:
            return ProxyConfig(
                proxy=service.key, root=None, how=how, unknown_reason=f"{entry} (nginx -c) is not visible"
            )
        overlay[MAIN] = (f"<{service.image or 'image'}>{MAIN}", IMAGE_MAIN)
        tree = MountTree(mappings, overlay)
    conf = nginx.load(entry, tree)
    routes = nginx_routes.extract(conf.directives, service.key, environment=service.environment)
    root = tree.read(entry)
    return ProxyConfig(
        proxy=service.key,
        root=root[0] if root else None,
        how=how,
        directives=conf.directives,
        files=tuple(conf.files),
        routes=routes.routes,
        listens=routes.listens,
        error_pages=routes.error_pages,
    )


def read_images(project: Project) -> list[ImageFacts]:
    """Dockerfile facts of every service with a ``build:`` section."""
    out: list[ImageFacts] = []
    for service in project.services.values():
        if service.build is not None:
            facts = dockerfile.read(service.key, service.build.dockerfile, service.build.context)
            if facts is not None:
                out.append(facts)
    return out
