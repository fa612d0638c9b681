"""Where nginx keeps its configuration in a container, and what the images do with it at start.

* A service runs nginx when its image's repository name starts with ``nginx``, ``openresty``, ``angie`` or
  ``tengine`` (``nginx:1.27``, ``bitnami/nginx``, ``Nginx:latest``; not ``nginxproxy/acme-companion``), or
  when its command runs ``nginx``. (The sources also take a service whose mounts or copies reach the
  configuration directory.)
* The main file is ``/etc/nginx/nginx.conf`` unless the command line gives ``-c PATH`` (also inside a
  ``sh -c '... nginx -c PATH'`` script); a relative ``-c`` path is taken from the prefix ``/etc/nginx``
  (https://nginx.org/en/docs/switches.html).
* The official image renders ``/etc/nginx/templates/*.template`` into ``/etc/nginx/conf.d`` at start with
  ``envsubst``, for exactly the variables defined in the container's environment
  (``docker-entrypoint.d/20-envsubst-on-templates.sh`` in https://github.com/nginxinc/docker-nginx), with
  ``NGINX_ENVSUBST_OUTPUT_DIR`` and ``NGINX_ENVSUBST_TEMPLATE_SUFFIX`` to change the defaults.
"""

from __future__ import annotations

import posixpath
import re

from dockernet.dialects.base import ConfigTree, Located, command_words
from dockernet.model import Service

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
IMAGE_FILES = frozenset(
    {"mime.types", "fastcgi_params", "fastcgi.conf", "scgi_params", "uwsgi_params", "koi-utf", "koi-win"}
    | {"win-utf", "proxy_params", "snakeoil.conf", "fastcgi-php.conf"}
)
"""Files that nginx images ship beside ``nginx.conf`` (official image, Debian): an include of one of them
that dockernet cannot see holds no routes."""
# The image's repository name (after the last "/") names nginx: nginx, nginx-proxy, openresty... but not
# nginxproxy/acme-companion.
_IMAGE = re.compile(r"(^|/)(nginx|openresty|angie|tengine)[^/:@]*([:@][^/]*)?$", re.IGNORECASE)
# The command runs the nginx binary: `nginx -g 'daemon off;'`, `/usr/sbin/nginx`, `sh -c "... && nginx"`.
_COMMAND = re.compile(r"(^|[/\s'\"])(nginx|openresty)(\s|$|['\";])")
_ENVSUBST = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def claims(service: Service) -> bool:
    """True when the service runs nginx, by its image or its command (see the module docstring)."""
    if service.image and _IMAGE.search(service.image):
        return True
    return bool(_COMMAND.search(" ".join(service.entrypoint + service.command)))


def entry_file(service: Service) -> str:
    """The main config file: ``nginx -c PATH`` when the command line gives one, else nginx's default."""
    words = command_words(service.entrypoint + service.command)
    started = False
    for i, word in enumerate(words):
        if posixpath.basename(word) in ("nginx", "openresty"):
            started = True
        elif word in ("&&", ";", "||", "|"):
            started = False
        elif started and word == "-c" and i + 1 < len(words):
            path = words[i + 1]
            return path if path.startswith("/") else posixpath.join(ETC_NGINX, path)
    return MAIN


IMAGE_CMD_GLOBALS = "daemon off;"
"""The official image's ``CMD ["nginx", "-g", "daemon off;"]`` (and the test image's)."""


def global_directives(service: Service) -> str | None:
    """What ``nginx -g`` adds before the configuration: the command's ``-g`` value, the image's
    (:data:`IMAGE_CMD_GLOBALS`) when the service sets neither entrypoint nor command, else None."""
    if not service.entrypoint and not service.command:
        return IMAGE_CMD_GLOBALS
    args = list(service.entrypoint + service.command)
    found = _g_value(args)  # exec form: each argument as it is ("daemon off;" is one)
    if found is None:  # a shell line: sh -c "... && nginx -g 'daemon off;'"
        found = _g_value(command_words(args))
    return found


def _g_value(words: list[str]) -> str | None:
    started = False
    for i, word in enumerate(words):
        if posixpath.basename(word) in ("nginx", "nginx-debug"):
            started = True
        elif word in ("&&", ";", "||", "|"):
            started = False
        elif started and word == "-g" and i + 1 < len(words):
            return words[i + 1]
    return None


def locate(service: Service) -> Located:
    """The main file and the directory that holds it (``/etc/nginx`` for every file under it)."""
    entry = entry_file(service)
    directory = ETC_NGINX if entry.startswith(ETC_NGINX + "/") else posixpath.dirname(entry)
    return Located(entry=entry, directory=directory)


def override_path(located: Located, file_name: str, head: bytes) -> str:
    """Where ``--nginx SERVICE=FILE`` goes: a whole configuration (it has an ``http`` block) replaces the
    main file, a server block goes into ``conf.d``."""
    if re.search(rb"(^|[\s;}])http\s*\{", head):
        return located.entry
    return f"{TEMPLATE_OUTPUT}/{file_name}"


def render_templates(service: Service, tree: ConfigTree) -> dict[str, tuple[str, bytes]]:
    """The official image's envsubst of ``templates/*.template`` into ``conf.d``, with the service's env.

    Only variables the environment defines are replaced; the rest (``$host``...) stay, as with the image.
    """
    out: dict[str, tuple[str, bytes]] = {}
    env = {k: v for k, v in service.environment.items() if v is not None}
    out_dir = env.get("NGINX_ENVSUBST_OUTPUT_DIR", TEMPLATE_OUTPUT)
    suffix = env.get("NGINX_ENVSUBST_TEMPLATE_SUFFIX", ".template")
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
