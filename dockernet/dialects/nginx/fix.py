"""Hints in nginx's own syntax, each with the edits that make it (:class:`~dockernet.model.findings.Edit`):
the corrected ``proxy_pass`` or ``server`` line, and how to make nginx resolve a name per request without
changing what it sends upstream. :func:`apply` applies edits to a file's bytes (the tests apply every hint
of the samples and the corpus, then run the real nginx on the result).

Per request, in nginx's terms (https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass):

* a ``*_pass`` with a variable is resolved through ``resolver`` on each request; but with a variable,
  a URI part is sent *as is*, replacing the whole request URI, where a static URI replaces only the part
  the location matched. So ``location /api/ { proxy_pass http://app:3000/; }`` becomes
  ``rewrite "(?s)^/api/(.*)$" /$1 break; proxy_pass http://$upstream;``: the rewrite does the
  replacement, and a pass without URI sends the changed URI (escaped, with the request's arguments)
  exactly as the static pass did;
* a ``server`` of an ``upstream`` block cannot hold a variable (``nginx -t``: invalid host). nginx 1.27.3
  and later (https://nginx.org/en/CHANGES, "the "resolve" parameter of the "server" directive") re-resolve
  it with ``server NAME resolve;`` in a group with a ``zone``, keeping the group (keepalive, balancing).
  Before 1.27.3 the only way is to replace the group by a variable in each pass that names it, which loses
  what the group did; a group of several servers has no equivalent there.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

from dockernet.dialects.nginx.syntax import Directive, Token, tokenize, walk
from dockernet.errors import InputError
from dockernet.model import EMBEDDED_DNS, Route, Upstream
from dockernet.model.findings import Edit, Fix

RESOLVER = f"resolver {EMBEDDED_DNS} valid=10s ipv6=off;"
"""Docker's embedded DNS, the same line DN114 and DN115 propose."""
RESOLVE_SINCE = (1, 27, 3)
"""The first open-source nginx whose upstream ``server`` takes ``resolve``."""
# Rewrite-module directives run in the order they are written, and ``break``/``return`` stop the rest:
# a ``set`` written after them may never run.
_REWRITE_MODULE = frozenset({"rewrite", "return", "break", "if"})
# Characters a path may hold for the rewrite to be exactly the static replacement: no regex or nginx
# syntax to quote, and nothing that nginx's escaping of the rewritten URI would change.
_PLAIN_PATH = re.compile(r"/[A-Za-z0-9/._~-]*")
# What a rewrite changes besides the path sent upstream.
_URI_VARIABLE = re.compile(r"\$\{?(?:uri|document_uri)\b")
_REGEX_SPECIAL = re.compile(r"([.^$*+?()\[\]{}|\\])")


# ------------------------------------------------------------------------------------------ words


def _quote(word: str) -> str:
    if word and not re.search(r"[\s;{}\"'#\\]", word):
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def statement(name: str, args: Sequence[str]) -> str:
    """``proxy_pass http://app:3000;``: a simple directive as nginx would read it back."""
    return " ".join(_quote(w) for w in (name, *args)) + ";"


def head(d: Directive) -> str:
    """A directive as :attr:`Edit.old` names it: ``proxy_pass http://app;``, ``upstream app { ... }``."""
    if d.block is not None:
        return " ".join(_quote(w) for w in (d.name, *d.args)) + " { ... }"
    return statement(d.name, d.args)


def find(
    directives: tuple[Directive, ...], file: str, line: int, name: str
) -> tuple[Directive, tuple[Directive, ...]] | None:
    """The directive ``name`` that begins at ``file:line``, with its enclosing blocks. Every finding of a
    config asks (4,000 upstream servers: 4,000 walks of the whole tree, 7.5 s), so each config's tree is
    indexed once, the first directive in walk order kept for each place."""
    return _index(directives).get((file, line, name))


_Index = dict[tuple[str, int, str], tuple[Directive, tuple[Directive, ...]]]
_INDEXES: dict[int, tuple[tuple[Directive, ...], _Index]] = {}
"""By ``id()`` of the config's directives, which each entry holds, so that the id is not reused."""


def _index(directives: tuple[Directive, ...]) -> _Index:
    cached = _INDEXES.get(id(directives))
    if cached is not None and cached[0] is directives:
        return cached[1]
    index: _Index = {}
    for d, parents in walk(directives):
        index.setdefault((d.loc.file, d.loc.line, d.name), (d, parents))
    if len(_INDEXES) >= 16:
        _INDEXES.clear()
    _INDEXES[id(directives)] = (directives, index)
    return index


# ------------------------------------------------------------------------------------------ addresses


def address(upstream: Upstream, host: str, port: int | None) -> str:
    """The address of ``upstream`` rewritten to ``host`` (and ``port``): scheme and URI are kept, a port
    is written when it differs from the default or was written."""
    u = upstream
    if u.unix_path is not None:
        return u.raw
    out = f"{host}:{port}" if port and (port != u.port or u.port_written or u.variables) else host
    if u.scheme:
        out = f"{u.scheme}://{out}"
    if u.path:
        out += u.path
    return out


def fix(directives: tuple[Directive, ...], upstream: Upstream, host: str, port: int | None) -> Fix:
    """``proxy_pass http://app:3000;`` or ``server app:3000 weight=2;``: the line that names ``upstream``,
    with its other parameters kept."""
    new_address = address(upstream, host, port)
    found = find(directives, upstream.loc.file, upstream.loc.line, upstream.directive)
    if found is None or not found[0].args or found[0].args[0] != upstream.raw:
        return Fix(f"{upstream.directive} {new_address};")
    d = found[0]
    new = statement(d.name, (new_address, *d.args[1:]))
    return Fix(new, (Edit(d.loc, head(d), new),))


# ------------------------------------------------------------------------------------------ per request


def resolve_supported(image: str | None) -> bool | None:
    """Whether the proxy's image runs an nginx whose upstream ``server`` takes ``resolve`` (1.27.3+):
    True or False for the official image (``nginx``, ``nginxinc/nginx-unprivileged``) by its tag, None when
    unknown (another image, a digest, a build)."""
    if not image or "@" in image:
        return None
    name, _, tag = image.rpartition(":") if ":" in image.rsplit("/", 1)[-1] else (image, "", "latest")
    for prefix in ("docker.io/", "index.docker.io/", "library/"):
        name = name.removeprefix(prefix)
    if name not in ("nginx", "nginxinc/nginx-unprivileged"):
        return None
    m = re.match(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-|$)", tag)
    if m is None:
        # latest, mainline, stable, alpine, alpine-slim, perl...: mainline is past 1.27.3 since November
        # 2024, and stable is 1.28 (from the 1.27 branch) since April 2025.
        return True
    major, minor, patch = m.groups()
    if minor is None:
        return int(major) >= 1
    if patch is None:
        # ``1.27`` is the last 1.27.x release, 1.27.5.
        return (int(major), int(minor)) >= RESOLVE_SINCE[:2]
    return (int(major), int(minor), int(patch)) >= RESOLVE_SINCE


def _variable(directives: tuple[Directive, ...], host: str) -> str:
    """A variable name no ``set``, ``map`` or ``geo`` of the config defines already."""
    taken = {
        a.lstrip("$")
        for d, _ in walk(directives)
        if d.name in ("set", "map", "geo", "split_clients", "perl_set", "js_set")
        for a in d.args
        if a.startswith("$")
    }
    base = "upstream"
    if base not in taken:
        return base
    base = "upstream_" + re.sub(r"[^A-Za-z0-9_]", "_", host)
    n = 1
    name = base
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    return name


def _rewrite(prefix: str, exact: bool, uri: str) -> str | None:
    """``rewrite "(?s)^/api/(.*)$" /$1 break;``: what a static URI part does to the request path, for a
    location ``prefix`` (or ``= prefix``); None when no rewrite is exactly equivalent."""
    if not _PLAIN_PATH.fullmatch(prefix) or not _PLAIN_PATH.fullmatch(uri):
        return None
    pattern = "(?s)^" + _REGEX_SPECIAL.sub(r"\\\1", prefix) + ("$" if exact else "(.*)$")
    return f"rewrite {pattern} {uri}{'' if exact else '$1'} break;"


def _pass_edits(
    directives: tuple[Directive, ...],
    pass_d: Directive,
    parents: tuple[Directive, ...],
    route: Route,
    upstream: Upstream,
    value: str,
    variable: str,
) -> tuple[Edit, ...] | str:
    """The edits that make one pass directive resolve ``value`` per request, or why there are none."""
    if not parents or parents[-1].name != "location":
        return "the pass is not directly in a location"
    location = parents[-1]
    scheme = f"{upstream.scheme}://" if upstream.scheme else ""
    uri = upstream.path
    own = [d for d in location.block or () if d.name in _REWRITE_MODULE]
    if uri and own:
        return "the location rewrites the URI itself"
    lines = [] if route.resolvers else [RESOLVER]
    setter = f"set ${variable} {value};"
    edits: list[Edit] = []
    if own:
        edits.append(Edit(own[0].loc, head(own[0]), " ".join((*lines, setter)), before=True))
        lines = []
    else:
        lines.append(setter)
    if uri:
        args = location.args
        exact = len(args) == 2 and args[0] == "="
        prefix = args[-1]
        if not (len(args) == 1 or exact or (len(args) == 2 and args[0] == "^~")):
            return "the location is not a prefix"
        rewrite = _rewrite(prefix, exact, uri)
        if rewrite is None:
            return "the location or the URI holds characters a rewrite would treat differently"
        scope = [d for p in parents for d in p.block or () if d.block is None]
        if any(_URI_VARIABLE.search(a) for d in scope for a in d.args):
            return "the rewrite would change $uri, which the location's directives use"
        lines.append(rewrite)
    if pass_d.name == "proxy_pass":
        kept = _proxy_headers(pass_d, parents, upstream, value)
        if kept is None:
            return "the Host header nginx sends would change"
        lines.extend(kept)
    lines.append(statement(pass_d.name, (f"{scheme}${variable}", *pass_d.args[1:])))
    edits.append(Edit(pass_d.loc, head(pass_d), " ".join(lines)))
    return tuple(edits)


def _proxy_headers(
    pass_d: Directive, parents: tuple[Directive, ...], upstream: Upstream, value: str
) -> list[str] | None:
    """What a static ``proxy_pass`` does implicitly and a variable one does not, written out: the default
    ``proxy_redirect`` (nginx adds it only when the pass has no variables, and it rewrites the app's
    ``Location: http://app:3000/x`` into ``/api/x``), and the ``Host`` header when the variable's value
    is not the address as written (``$proxy_host``: a group's name became ``app:3000``). None when the
    Host header cannot be kept without dropping inherited ``proxy_set_header`` lines."""
    out: list[str] = []
    scope = [d for p in parents for d in p.block or ()]
    if not any(d.name == "proxy_redirect" for d in scope):
        # ngx_http_proxy_merge_loc_conf: with a URI part the default maps the pass URL to the location's
        # name, without one it maps URL + "/" to "/".
        raw = pass_d.args[0] if pass_d.args else upstream.raw
        if upstream.path:
            out.append(statement("proxy_redirect", (raw, parents[-1].args[-1])))
        else:
            out.append(statement("proxy_redirect", (raw + "/", "/")))
    written = upstream.raw.split("://", 1)[-1].split("/", 1)[0]
    if written.lower() != value.lower():
        own = [d for d in parents[-1].block or () if d.name == "proxy_set_header"]
        if any(d.args and d.args[0].lower() == "host" for d in own):
            return out
        inherited = [d for p in parents[:-1] for d in p.block or () if d.name == "proxy_set_header"]
        if inherited and not own:
            return None
        out.append(statement("proxy_set_header", ("Host", written)))
    return out


def per_request_fix(
    directives: tuple[Directive, ...],
    routes: Sequence[Route],
    route: Route,
    upstream: Upstream,
    host: str,
    port: int | None,
    image: str | None,
) -> Fix:
    """How to make nginx look ``host`` up per request instead of once, without changing what it sends."""
    value = f"{host}:{port}" if port else host
    if upstream.directive == "server" and upstream.group is not None:
        return _group_fix(directives, routes, upstream, value, image)
    found = find(directives, upstream.loc.file, upstream.loc.line, upstream.directive)
    variable = _variable(directives, host)
    scheme = f"{upstream.scheme}://" if upstream.scheme else ""
    words = f"{RESOLVER} set ${variable} {value}; {upstream.directive} {scheme}${variable};"
    if found is None or upstream.protocol == "tcp":
        return Fix(words)
    passes = [route, *_same_address(routes, route, host, port)]
    edits = _convert(directives, passes, value, variable)
    if isinstance(edits, str):
        return Fix(
            f"{words} (with a variable nginx sends a URI part as is, instead of in place of the "
            f"location's prefix; {edits}, so rewrite the URI to match)"
        )
    if len(passes) > 1:
        return Fix(
            f"every pass to {value}, since nginx gives a static address one group that a variable naming "
            f"it would use, resolved once: {_words(edits)}",
            edits,
        )
    return Fix(_words(edits), edits)


def _same_address(routes: Sequence[Route], route: Route, host: str, port: int | None) -> list[Route]:
    """The other routes whose pass names ``host:port`` statically. nginx makes each static address an
    implicit group, and a variable whose value names that group uses it, resolved at start, instead of the
    resolver (``ngx_http_upstream_init_request``; dockernet's routes model the same)."""
    return [
        r
        for r in routes
        if r.forward.loc != route.forward.loc
        and not r.forward.variables
        and r.forward.group is None
        and r.forward.protocol != "tcp"
        and (r.forward.host or "").lower() == host.lower()
        and r.forward.port == port
    ]


def _value(upstream: Upstream, value: str) -> str:
    """``value`` (``host:port``) written as the pass writes its address: without the port when the pass
    has none, so that ``$proxy_host`` (the Host header) stays the same."""
    host, _, port = value.rpartition(":")
    if host and not upstream.port_written and port == str(upstream.port):
        return host
    return value


def _convert(
    directives: tuple[Directive, ...], passes: Sequence[Route], value: str, variable: str
) -> tuple[Edit, ...] | str:
    """The edits that make each route's pass connect to ``value`` through a variable, or why not."""
    edits: list[Edit] = []
    for r in passes:
        at = find(directives, r.forward.loc.file, r.forward.loc.line, r.forward.directive)
        if at is None:
            return "a pass was not found"
        own_value = value if r.forward.group is not None else _value(r.forward, value)
        one = _pass_edits(directives, at[0], at[1], r, r.forward, own_value, variable)
        if isinstance(one, str):
            return one
        edits.extend(one)
    return tuple(sorted(edits, key=lambda e: (e.loc.file, e.loc.line)))


def _words(edits: Sequence[Edit]) -> str:
    if len(edits) == 1 and not edits[0].before:
        return f"replace `{edits[0].old}` with `{edits[0].new}`"
    several = len({e.loc.file for e in edits}) > 1
    return "; ".join(
        f"{os.path.basename(e.loc.file) + ':' if several else 'line '}{e.loc.line}: {_edit_words(e)}"
        for e in edits
    )


def _edit_words(e: Edit) -> str:
    if e.before:
        return f"before `{e.old}` add `{e.new}`"
    if not e.new:
        return f"remove `{e.old}`"
    return f"replace `{e.old}` with `{e.new}`"


def _group_fix(
    directives: tuple[Directive, ...],
    routes: Sequence[Route],
    upstream: Upstream,
    value: str,
    image: str | None,
) -> Fix:
    group = upstream.group or ""
    found = find(directives, upstream.loc.file, upstream.loc.line, "server")
    if found is None or not found[1] or found[1][-1].name != "upstream":
        return Fix(f"nginx 1.27.3 or later: `server {value} resolve;` with a `zone` in upstream {group}")
    server, parents = found
    block = parents[-1]
    members = [d for d in block.block or () if d.name == "server" and "down" not in d.args[1:]]
    supported = resolve_supported(image)
    resolve = _resolve_edits(server, block, parents[:-1])
    resolve_words = f"nginx 1.27.3 or later re-resolves it and keeps the group: {_words(resolve)}"
    if supported or len(members) > 1:
        note = (
            ""
            if supported
            else " (older nginx cannot re-resolve a group: reload it after recreating a target)"
        )
        return Fix(resolve_words + note, resolve)
    # nginx before 1.27.3 (or unknown): the group goes, its passes take a variable.
    passes = [r for r in routes if r.forward.group == group and not r.forward.dynamic]
    dynamic = [
        r
        for r in routes
        if r.forward.dynamic and any(c.group and c.host == group for c in r.forward.candidates)
    ]
    keeps = sorted({d.name for d in block.block or () if d.name not in ("server", "zone")})
    lost = "the group goes" + (f", and its {', '.join(keeps)} with it" if keeps else "")
    if not passes or dynamic:
        return Fix(resolve_words, resolve)
    variable = _variable(directives, upstream.host or group)
    if upstream.host is not None:
        passes += _same_address(routes, passes[0], upstream.host, upstream.port)
    converted = _convert(directives, passes, value, variable)
    if isinstance(converted, str):
        return Fix(resolve_words, resolve)
    edits = [*converted, Edit(block.loc, head(block), "")]
    return Fix(
        f"before nginx 1.27.3 an upstream's server cannot be re-resolved, so replace upstream {group} by a "
        f"variable in each pass that names it ({lost}; keepalive needs a group, DN302): "
        f"{_words(sorted(edits, key=lambda e: (e.loc.file, e.loc.line)))}; with nginx 1.27.3 or later, keep "
        f"the group instead: `server {value} resolve;` and a `zone`",
        tuple(edits),
    )


def _resolve_edits(server: Directive, block: Directive, outer: tuple[Directive, ...]) -> tuple[Edit, ...]:
    """``server NAME resolve;``, a ``zone`` for the group, and a ``resolver`` in http context when none is."""
    edits: list[Edit] = []
    siblings = (*(outer[-1].block or () if outer else ()), *(block.block or ()))
    if not any(d.name == "resolver" for d in siblings):
        edits.append(Edit(block.loc, head(block), RESOLVER, before=True))
    new = statement("server", (*server.args, "resolve"))
    if not any(d.name == "zone" for d in block.block or ()):
        new = f"zone upstream_{re.sub(r'[^A-Za-z0-9_]', '_', block.args[0])} 64k; {new}"
    edits.append(Edit(server.loc, head(server), new))
    return tuple(edits)


def resolver_fix(directives: tuple[Directive, ...], route: Route) -> Fix:
    """``resolver 127.0.0.11 valid=10s ipv6=off;`` for the route: in place of the resolver in scope, or
    before its pass when it has none (``resolver`` is allowed in http, server and location, not in ``if``
    or ``limit_except``)."""
    words = f"`{RESOLVER}` (Docker's embedded DNS)"
    if route.resolvers:
        found = find(directives, route.resolver_loc.file, route.resolver_loc.line, "resolver")
        if found is None:
            return Fix(f"use {words}")
        d = found[0]
        edit = Edit(d.loc, head(d), RESOLVER)
        return Fix(f"use {words}: {_words([edit])}", (edit,))
    t = route.forward
    found = find(directives, t.loc.file, t.loc.line, t.directive)
    if found is None or not found[1] or found[1][-1].name not in ("location", "server"):
        return Fix(f"add {words} to the http or server block")
    edit = Edit(t.loc, head(found[0]), RESOLVER, before=True)
    return Fix(f"add {words}: {_words([edit])}", (edit,))


# ------------------------------------------------------------------------------------------ apply


def apply(data: bytes, file: str, edits: Sequence[Edit]) -> bytes:
    """``data`` (the bytes of ``file``) with the edits of that file applied; no line moves. Raises
    :class:`InputError` when an edit names a statement the file does not have there."""
    tokens = list(tokenize(data, file))
    spans: list[tuple[int, int, bytes]] = []
    for e in edits:
        if e.loc.file != file:
            continue
        start, end = _span(tokens, e, file)
        new = e.new.encode("utf-8", "surrogateescape")
        # A statement over several lines leaves its line breaks: the lines after it keep their numbers,
        # so the other edits and findings still point at the right place.
        spans.append(
            (start, start, new + b" ")
            if e.before
            else (start, end, new + b"\n" * data.count(b"\n", start, end))
        )
    out = data
    for start, end, new in sorted(spans, key=lambda s: (s[0], s[1]), reverse=True):
        out = out[:start] + new + out[end:]
    return out


def _words_of(text: str) -> list[str]:
    words: list[str] = []
    for t in tokenize(text.encode("utf-8", "surrogateescape"), "<edit>"):
        if t.kind != "word":
            break
        words.append(t.value)
    return words


def _span(toks: Sequence[Token], e: Edit, file: str) -> tuple[int, int]:
    """The bytes of the statement ``e`` names: from its first word to its ``;`` or closing ``}``."""
    want = _words_of(e.old)
    for i, t in enumerate(toks):
        if t.kind != "word" or t.line != e.loc.line or (i and toks[i - 1].kind == "word"):
            continue
        got = [x.value for x in toks[i : i + len(want)]]
        if got != want or i + len(want) >= len(toks):
            continue
        end = toks[i + len(want)]
        if end.kind == ";":
            return t.start, end.end
        if end.kind == "{":
            depth = 0
            for x in toks[i + len(want) :]:
                depth += {"{": 1, "}": -1}.get(x.kind, 0)
                if depth == 0:
                    return t.start, x.end
    raise InputError(file, f"no statement `{e.old}` begins here", e.loc.line)
