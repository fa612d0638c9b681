"""What ``nginx -t`` refuses in a configuration that reads well: the checks that ``ngx_conf_handler()``
(src/core/ngx_conf_file.c) makes before a directive's own handler looks at its values.

For each directive, in the order nginx reads them (includes expanded, depth first):

1. no module defines the name: ``unknown directive "proxy_pas"``;
2. modules define it, none for this context: ``"proxy_pass" directive is not allowed here``;
3. a block where a simple directive is due, or the reverse: ``directive "gzip" is not terminated by ";"``,
   ``directive "http" has no opening "{"``;
4. an argument count that the definition does not take: ``invalid number of arguments in "proxy_pass"
   directive``;
5. for the directives whose handler is one of nginx's generic setters (``ngx_conf_set_flag_slot`` and the
   others of :attr:`.directives.Command.slot`), a second value for the same field of the same block:
   ``"gzip" directive is duplicate``; and a flag that is neither ``on`` nor ``off``: ``invalid value "yes"
   in "gzip" directive, it must be "on" or "off"``.

Then, for a main configuration, ``no "events" section in configuration`` (ngx_event_init_conf()).
nginx stops at its first error, and so does :func:`first_refusal`; the line is the one nginx names, that of
the ``;`` or ``{`` ending the directive. The bodies of ``types``, ``map``, ``geo``, ``split_clients`` and
``charset_map`` are data read by the block's own handler, not directives, and are not looked into.

Not checked: other values (``proxy_read_timeout 5x;``), host names, files other than includes, and anything
a module's own handler decides (``duplicate location``, ``"root" directive is duplicate``...). When the
configuration loads modules (``load_module``), their directives are not in the table, so no directive is
called unknown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from dockernet.dialects.nginx.directives import MODULE_TYPE, Command, Profile
from dockernet.dialects.nginx.syntax import Directive
from dockernet.model import Loc

DATA_BLOCKS = frozenset({"types", "map", "geo", "split_clients", "charset_map"})
"""Blocks read with a custom handler (``cf->handler``): their lines are entries, not directives."""

# The context inside each block directive, by the context it stands in (ngx_http_core_server(),
# ngx_http_core_location(), ngx_http_rewrite_if(), ngx_http_upstream(), ngx_stream_core_server()...).
_INNER: dict[tuple[str, str], str] = {
    ("main", "events"): "events",
    ("main", "http"): "http",
    ("main", "stream"): "stream",
    ("main", "mail"): "mail",
    ("http", "server"): "server",
    ("http", "upstream"): "upstream",
    ("server", "location"): "location",
    ("location", "location"): "location",
    ("server", "if"): "sif",
    ("location", "if"): "lif",
    ("location", "limit_except"): "lmt",
    ("stream", "server"): "stream_server",
    ("stream", "upstream"): "stream_upstream",
    ("mail", "server"): "mail_server",
}


@dataclass(frozen=True)
class Refusal:
    """Why nginx will not start, in its own words, where it says it."""

    message: str
    """nginx's message without the `` in FILE:LINE`` it appends."""
    loc: Loc
    """The file and line nginx names (line 0: nginx names none)."""


@dataclass(frozen=True)
class _Run:
    profile: Profile
    loads_modules: bool
    absent: Mapping[tuple[str, int], str] = field(default_factory=dict)
    set_fields: set[tuple[int, str, str, str]] = field(default_factory=set)
    """(block, module, conf, field offset) already set by a generic setter."""


# The blocks whose configuration a setter writes, by the CONF part of its slot: the module's top block
# (http, stream, mail) for "main", the nearest server or upstream for "srv", the innermost block for "loc"
# (every location, if and limit_except has its own), and the root or events for core and event modules.
_TOP = frozenset({"http", "stream", "mail", "events"})
_SERVER = frozenset({"server", "upstream"})


def first_refusal(
    directives: Sequence[Directive],
    profile: Profile,
    *,
    entry: str,
    main: bool = True,
    absent_includes: Mapping[tuple[str, int], str] | None = None,
    command_line: Sequence[Directive] = (),
) -> Refusal | None:
    """The first error ``nginx -t`` reports for these directives, or None.

    ``entry`` is the main file (for the messages that name no line); ``main`` is False for a server-level
    file checked on its own (then the top level is ``http``). ``absent_includes`` maps the (file, line) of
    an unexpanded ``include`` to the container path it opens, when that file is known not to exist (it is
    not in the image and nothing is mounted there). ``command_line`` holds the directives of ``nginx -g``,
    which nginx reads first: ``daemon off;`` there makes ``daemon`` in the file a duplicate."""
    run = _Run(profile, any(d.name == "load_module" for d in directives), absent_includes or {})
    refusal = _walk(command_line, "main", run, ()) if main else None
    if refusal is None:
        refusal = _walk(directives, "main" if main else "http", run, ())
    if refusal is None and main and not any(d.name == "events" for d in directives):
        return Refusal('no "events" section in configuration', Loc(entry))
    return refusal


def _walk(
    directives: Sequence[Directive], context: str, run: _Run, parents: tuple[Directive, ...]
) -> Refusal | None:
    for d in directives:
        refusal = _check(d, context, run, parents)
        if refusal is not None:
            return refusal
        if d.block is None or d.name in DATA_BLOCKS:
            continue
        inner = _INNER.get((context, d.name))
        if inner is None:
            continue  # a block of a directive known by name only, or of a loaded module
        refusal = _walk(d.block, inner, run, (*parents, d))
        if refusal is not None:
            return refusal
    return None


def _check(d: Directive, context: str, run: _Run, parents: tuple[Directive, ...]) -> Refusal | None:
    profile = run.profile
    at = Loc(d.loc.file, d.end_line or d.loc.line)
    if d.name == "include":
        # Expanded by the reader, which checked its argument; one left in place is not visible here.
        path = run.absent.get((d.loc.file, d.loc.line))
        if path is None:
            return None
        return Refusal(f'open() "{path}" failed (2: No such file or directory)', at)
    if d.name in profile.names_only or d.name.startswith(profile.names_only_prefixes):
        return None
    commands = profile.commands.get(d.name)
    if not commands:
        return None if run.loads_modules else Refusal(f'unknown directive "{_show(d.name)}"', at)
    module_type = MODULE_TYPE[context]
    for c in commands:
        if c.module_type not in ("conf", module_type) or not c.allowed_in(context):
            continue
        if not c.block and d.block is not None:
            return Refusal(f'directive "{_show(d.name)}" is not terminated by ";"', at)
        if c.block and d.block is None:
            return Refusal(f'directive "{_show(d.name)}" has no opening "{{"', at)
        if not c.takes(len(d.args)):
            return Refusal(f'invalid number of arguments in "{_show(d.name)}" directive', at)
        return _setter(d, c, run, parents, at)
    return Refusal(f'"{_show(d.name)}" directive is not allowed here', at)


def _setter(d: Directive, c: Command, run: _Run, parents: tuple[Directive, ...], at: Loc) -> Refusal | None:
    """ngx_conf_set_<kind>_slot(): "is duplicate" first, then (for flags) the value."""
    if d.name in _ONCE_PER_LOCATION:
        kind, conf, offset = "", "loc", d.name
    elif c.slot:
        kind, conf, offset = c.slot.split(":")
    else:
        return None
    block = _conf_block(conf, parents)
    key = (id(block), c.module, conf, offset)
    if key in run.set_fields:
        return Refusal(f'"{_show(d.name)}" directive is duplicate', at)
    run.set_fields.add(key)
    if kind == "flag" and d.args[0].lower() not in ("on", "off"):  # ngx_strcasecmp
        value = _show(d.args[0])
        return Refusal(
            f'invalid value "{value}" in "{_show(d.name)}" directive, it must be "on" or "off"', at
        )
    return None


_ROOT = object()
# Handlers of their own that refuse a second one in the same location: ngx_http_proxy_pass() and the other
# *_pass ("if (plcf->upstream.upstream || plcf->proxy_lengths) return "is duplicate""), and
# ngx_http_core_root() for the same directive twice (root then alias is another message, not checked).
_ONCE_PER_LOCATION = frozenset(
    {"proxy_pass", "fastcgi_pass", "uwsgi_pass", "scgi_pass", "grpc_pass", "memcached_pass", "root", "alias"}
)


def _conf_block(conf: str, parents: tuple[Directive, ...]) -> object:
    """The block whose configuration structure a setter writes (see :data:`_TOP`)."""
    if conf == "loc":
        return parents[-1] if parents else _ROOT
    wanted = _SERVER if conf == "srv" else frozenset()
    for p in reversed(parents):
        if p.name in wanted or p.name in _TOP:
            return p
    return _ROOT


def _show(name: str) -> str:
    """A name as nginx prints it: its bytes (surrogate escapes give them back)."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
