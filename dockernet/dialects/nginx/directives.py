"""The directives nginx knows, with their contexts and argument counts, for the check of
:mod:`.validate` (what ``nginx -t`` refuses before it looks at any value).

**Where the table comes from.** :data:`_DEBIAN_1_22` was generated once, by
``python3 scripts/nginx_directives.py /usr/sbin/nginx ngx_stream_module.so ngx_mail_module.so``, from
Debian 12's nginx 1.22.1 (package ``nginx``, 1.22.1-9+deb12u11) and its ``libnginx-mod-stream`` and
``libnginx-mod-mail`` modules (same version): the script reads each module's ``ngx_command_t`` array out
of the binary, so every flag is the one that nginx checks (``NGX_CONF_TAKE1``, ``NGX_CONF_1MORE``,
``NGX_CONF_FLAG``, ``NGX_CONF_BLOCK``, the context bits). ``tests/dialects/nginx/test_directives.py``
reads the installed ``/usr/sbin/nginx`` again and checks that it gives the same table. One
``[module type]`` header per module, then ``name contexts arguments [slot]`` per directive. Contexts:
``main``, ``events``, ``http``, ``server``, ``location``, ``upstream``, ``sif``/``lif`` (``if`` in a
server / a location), ``lmt`` (``limit_except``), ``stream``, ``stream_server``, ``stream_upstream``,
``mail``, ``mail_server``, ``any``. Arguments, in the order ngx_conf_handler() tests them: ``block:``
(the directive takes a ``{`` block), then ``any``, ``flag`` (exactly one), ``1+``, ``2+`` or the allowed
counts (``12``: one or two). ``slot``: see :attr:`Command.slot`.

**Which nginx.** Users run the official image (``nginx:*``, https://hub.docker.com/_/nginx), whose
``nginx -V`` lists ``--with-compat --with-file-aio --with-threads --with-http_addition_module
--with-http_auth_request_module --with-http_dav_module --with-http_flv_module --with-http_gunzip_module
--with-http_gzip_static_module --with-http_mp4_module --with-http_random_index_module
--with-http_realip_module --with-http_secure_link_module --with-http_slice_module --with-http_ssl_module
--with-http_stub_status_module --with-http_sub_module --with-http_v2_module --with-http_v3_module
--with-mail --with-mail_ssl_module --with-stream --with-stream_realip_module --with-stream_ssl_module
--with-stream_ssl_preread_module``. Debian builds the same modules statically, except that mail and stream
are dynamic modules there (read from their own packages above), that it has no ``ngx_http_v3_module``,
and that it adds ``ngx_http_header_count_module`` (``max_headers``, a Debian patch). Its dynamic geoip,
image_filter, perl and xslt modules are not in the table: the official image does not load them either
(its ``nginx.conf`` has no ``load_module``). The official image is also newer (1.31 mainline at the time of
writing): :data:`OFFICIAL` is the Debian table, stream and mail included, with

* ``ssl`` removed (http and mail; "the deprecated "ssl" directive is not supported anymore", 1.25.1;
  :data:`OFFICIAL_BEFORE_1_25` keeps it for older tags);
* the directives added since 1.22 by nginx's CHANGES (https://nginx.org/en/CHANGES) and the HTTP/3 module
  (https://nginx.org/en/docs/http/ngx_http_v3_module.html) known by name only (:data:`_NEWER`,
  :data:`_NEWER_PREFIXES`): the check never calls them unknown, and does not check where they stand or how
  many arguments they have;
* the contexts added since (``resolver`` in ``upstream``, ``server_name`` in a stream server:
  :data:`_NEW_CONTEXTS`), and no argument count for the directives that gained parameters
  (:data:`_NEW_PARAMETERS`).

:data:`DEBIAN_1_22` is the Debian table without its dynamic modules (stream, mail): what the differential
test and the test image run, so that dockernet's verdict can be compared with the real nginx's, message
for message. Directive index: https://nginx.org/en/docs/dirindex.html; each module's page gives a
directive's "Context:".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

MODULE_TYPE = {
    "main": "core",
    "events": "event",
    "http": "http",
    "server": "http",
    "location": "http",
    "upstream": "http",
    "sif": "http",
    "lif": "http",
    "lmt": "http",
    "stream": "stream",
    "stream_server": "stream",
    "stream_upstream": "stream",
    "mail": "mail",
    "mail_server": "mail",
}
"""The module type whose directives nginx looks up in each context (``cf->module_type``)."""


@dataclass(frozen=True)
class Command:
    """One ``ngx_command_t``: a directive as one module defines it."""

    module: str
    module_type: str
    """``core``, ``conf`` (only ``include``), ``event``, ``http``, ``stream`` or ``mail``."""
    contexts: frozenset[str]
    block: bool
    args: str
    """``any``, ``flag``, ``1+``, ``2+``, or the allowed counts as digits."""
    slot: str = ""
    """``KIND:CONF:OFFSET`` when the handler is a generic setter that refuses a second value for its field
    (``ngx_conf_set_flag_slot``...: ``flag:loc:432``), empty otherwise."""

    def allowed_in(self, context: str) -> bool:
        return "any" in self.contexts or context in self.contexts

    def takes(self, n: int) -> bool:
        """Whether ``n`` arguments pass ngx_conf_handler()'s count check (at most 7: NGX_CONF_MAX_ARGS)."""
        if self.args == "any":
            return True
        if self.args == "flag":
            return n == 1
        if self.args == "1+":
            return n >= 1
        if self.args == "2+":
            return n >= 2
        return n <= 7 and str(n) in self.args


@dataclass(frozen=True)
class Profile:
    """The directives of one nginx build."""

    name: str
    commands: Mapping[str, tuple[Command, ...]]
    """Every definition of each name, in nginx's module order (the first that fits is the one used)."""
    names_only: frozenset[str] = frozenset()
    """Directives known by name only: never unknown, never checked."""
    names_only_prefixes: tuple[str, ...] = ()
    image_files: frozenset[str] = frozenset()
    """What the image has under /etc/nginx (an include of any other file there fails, unless something
    is mounted or copied there)."""


def parse(text: str) -> dict[str, tuple[Command, ...]]:
    """The table format of :data:`_DEBIAN_1_22` (and of ``scripts/nginx_directives.py``)."""
    out: dict[str, list[Command]] = {}
    module, mtype = "", ""
    for line in text.splitlines():
        if not line:
            continue
        if line.startswith("["):
            module, mtype = line[1:-1].split()
            continue
        name, where, args, *slot = line.split()
        block = args.startswith("block:")
        contexts = frozenset(where.split(","))
        command = Command(module, mtype, contexts, block, args.removeprefix("block:"), "".join(slot))
        out.setdefault(name, []).append(command)
    return {name: tuple(commands) for name, commands in out.items()}


_NEWER = frozenset(
    {
        # new since 1.22 (CHANGES)
        "http2",
        "early_hints",
        "ssl_certificate_compression",
        "ssl_ech_file",
        "add_header_inherit",
        "add_trailer_inherit",
        "ssl_object_cache_inheritable",
        "ssl_certificate_cache",
        "proxy_ssl_certificate_cache",
        "grpc_ssl_certificate_cache",
        "uwsgi_ssl_certificate_cache",
        "keepalive_min_timeout",
        "proxy_pass_trailers",
        "sticky",
        "least_time",
        "client_body_early_read",
        "proxy_socket_sndbuf",
        "proxy_socket_rcvbuf",
        "fastcgi_socket_sndbuf",
        "fastcgi_socket_rcvbuf",
        "grpc_socket_sndbuf",
        "grpc_socket_rcvbuf",
        "scgi_socket_sndbuf",
        "scgi_socket_rcvbuf",
        "uwsgi_socket_sndbuf",
        "uwsgi_socket_rcvbuf",
        "pass",
        "proxy_ssl_alpn",
        # redefined since: upstream's own "max_headers" (1.29.8) is not Debian's; OCSP in stream (1.27.2)
        "max_headers",
        "ssl_ocsp",
        "ssl_ocsp_cache",
        "ssl_ocsp_responder",
        "ssl_stapling",
        "ssl_stapling_file",
        "ssl_stapling_responder",
        "ssl_stapling_verify",
    }
)
_NEW_CONTEXTS = {
    # "resolver" and "resolver_timeout" in "upstream" (1.27.3); virtual servers in stream (1.25.5)
    "resolver": Command("ngx_http_upstream_module", "http", frozenset({"upstream"}), False, "1+"),
    "resolver_timeout": Command("ngx_http_upstream_module", "http", frozenset({"upstream"}), False, "1"),
    "server_name": Command("ngx_stream_core_module", "stream", frozenset({"stream_server"}), False, "1+"),
}
_NEW_PARAMETERS = frozenset(
    {"keepalive", "location", "listen", "server", "auth_basic", "satisfy", "auth_delay"}
)
"""Parameters added since 1.22 (``keepalive ... local``, predicate locations, ``listen ... multipath``,
``server ... resolve``/``route``/``drain``, authenticating to proxies): where they stand is checked, their
argument count is not."""
_NEWER_PREFIXES = ("http3", "quic_", "tunnel_", "json_")
"""The HTTP/3 module (``http3``, ``http3_*``, ``quic_*``), and the tunnel and JSON modules of 1.31."""

_DEBIAN_1_22 = """\
[ngx_core_module core]
daemon main flag flag:direct:0
master_process main flag flag:direct:8
timer_resolution main 1 msec:direct:16
pid main 1 str:direct:144
lock_file main 1 str:direct:128
worker_processes main 1
debug_points main 1 enum:direct:40
user main 12
worker_priority main 1
worker_cpu_affinity main 1+
worker_rlimit_nofile main 1 num:direct:48
worker_rlimit_core main 1 off:direct:56
worker_shutdown_timeout main 1 msec:direct:24
working_directory main 1 str:direct:112
env main 1
load_module main 1
[ngx_errlog_module core]
error_log main 1+
[ngx_conf_module conf]
include any 1
[ngx_openssl_module core]
ssl_engine main 1
[ngx_regex_module core]
pcre_jit main flag flag:direct:0
[ngx_events_module core]
events main block:0
[ngx_event_core_module event]
worker_connections events 1
use events 1
multi_accept events flag flag:direct:16
accept_mutex events flag flag:direct:24
accept_mutex_delay events 1 msec:direct:32
debug_connection events 1
[ngx_epoll_module event]
epoll_events events 1 num:direct:0
worker_aio_requests events 1 num:direct:8
[ngx_thread_pool_module core]
thread_pool main 23
[ngx_http_module core]
http main block:0
[ngx_http_core_module http]
variables_hash_max_size http 1 num:main:200
variables_hash_bucket_size http 1 num:main:208
server_names_hash_max_size http 1 num:main:184
server_names_hash_bucket_size http 1 num:main:192
server http block:0
connection_pool_size http,server 1 size:srv:80
request_pool_size http,server 1 size:srv:88
client_header_timeout http,server 1 msec:srv:120
client_header_buffer_size http,server 1 size:srv:96
large_client_header_buffers http,server 2 bufs:srv:104
ignore_invalid_headers http,server flag flag:srv:128
merge_slashes http,server flag flag:srv:136
underscores_in_headers http,server flag flag:srv:144
location server,location block:12
listen server 1+
server_name server 1+
types_hash_max_size http,server,location 1 num:loc:696
types_hash_bucket_size http,server,location 1 num:loc:704
types http,server,location block:0
default_type http,server,location 1 str:loc:176
root http,server,location,lif 1
alias location 1
limit_except location block:1+
client_max_body_size http,server,location 1 off:loc:192
client_body_buffer_size http,server,location 1 size:loc:216
client_body_timeout http,server,location 1 msec:loc:280
client_body_temp_path http,server,location 1234
client_body_in_file_only http,server,location 1 enum:loc:408
client_body_in_single_buffer http,server,location flag flag:loc:416
sendfile http,server,location,lif flag flag:loc:432
sendfile_max_chunk http,server,location 1 size:loc:240
subrequest_output_buffer_size http,server,location 1 size:loc:256
aio http,server,location 1
aio_write http,server,location flag flag:loc:448
read_ahead http,server,location 1 size:loc:248
directio http,server,location 1
directio_alignment http,server,location 1 off:loc:208
tcp_nopush http,server,location flag flag:loc:456
tcp_nodelay http,server,location flag flag:loc:464
send_timeout http,server,location 1 msec:loc:288
send_lowat http,server,location 1 size:loc:224
postpone_output http,server,location 1 size:loc:232
limit_rate http,server,location,lif 1
limit_rate_after http,server,location,lif 1
keepalive_time http,server,location 1 msec:loc:296
keepalive_timeout http,server,location 12
keepalive_requests http,server,location 1 num:loc:360
keepalive_disable http,server,location 12
satisfy http,server,location 1 enum:loc:376
auth_delay http,server,location 1 msec:loc:336
internal location 0
lingering_close http,server,location 1 enum:loc:384
lingering_time http,server,location 1 msec:loc:312
lingering_timeout http,server,location 1 msec:loc:320
reset_timedout_connection http,server,location flag flag:loc:472
absolute_redirect http,server,location flag flag:loc:480
server_name_in_redirect http,server,location flag flag:loc:488
port_in_redirect http,server,location flag flag:loc:496
msie_padding http,server,location flag flag:loc:504
msie_refresh http,server,location flag flag:loc:512
log_not_found http,server,location flag flag:loc:520
log_subrequest http,server,location flag flag:loc:528
recursive_error_pages http,server,location flag flag:loc:536
server_tokens http,server,location 1 enum:loc:544
if_modified_since http,server,location 1 enum:loc:392
max_ranges http,server,location 1 num:loc:400
chunked_transfer_encoding http,server,location flag flag:loc:552
etag http,server,location flag flag:loc:560
error_page http,server,location,lif 2+
post_action http,server,location,lif 1 str:loc:120
error_log http,server,location 1+
open_file_cache http,server,location 12
open_file_cache_valid http,server,location 1 sec:loc:656
open_file_cache_min_uses http,server,location 1 num:loc:664
open_file_cache_errors http,server,location flag flag:loc:672
open_file_cache_events http,server,location flag flag:loc:680
resolver http,server,location 1+
resolver_timeout http,server,location 1 msec:loc:328
gzip_vary http,server,location flag flag:loc:568
gzip_http_version http,server,location 1 enum:loc:576
gzip_proxied http,server,location 1+
gzip_disable http,server,location 1+
disable_symlinks http,server,location 12
[ngx_http_log_module http]
log_format http 2+
access_log http,server,location,lif,lmt 1+
open_log_file_cache http,server,location 1234
[ngx_http_header_count_module http]
max_headers http,server 1 num:srv:0
[ngx_http_upstream_module http]
upstream http block:1
server upstream 1+
[ngx_http_v2_module http]
http2_recv_buffer_size http 1 size:main:0
http2_pool_size http,server 1 size:srv:0
http2_max_concurrent_streams http,server 1 num:srv:8
http2_max_concurrent_pushes http,server 1 num:srv:16
http2_max_requests http,server 1
http2_max_field_size http,server 1
http2_max_header_size http,server 1
http2_body_preread_size http,server 1 size:srv:24
http2_streams_index_size http,server 1 num:srv:32
http2_recv_timeout http,server 1
http2_idle_timeout http,server 1
http2_chunk_size http,server,location 1 size:loc:0
http2_push_preload http,server,location flag flag:loc:8
http2_push http,server,location 1
[ngx_http_gzip_static_module http]
gzip_static http,server,location 1 enum:loc:0
[ngx_http_dav_module http]
dav_methods http,server,location 1+
create_full_put_path http,server,location flag flag:loc:24
min_delete_depth http,server,location 1 num:loc:16
dav_access http,server,location 123
[ngx_http_autoindex_module http]
autoindex http,server,location flag flag:loc:0
autoindex_format http,server,location 1 enum:loc:8
autoindex_localtime http,server,location flag flag:loc:16
autoindex_exact_size http,server,location flag flag:loc:24
[ngx_http_index_module http]
index http,server,location 1+
[ngx_http_random_index_module http]
random_index location flag flag:loc:0
[ngx_http_mirror_module http]
mirror http,server,location 1
mirror_request_body http,server,location flag flag:loc:8
[ngx_http_try_files_module http]
try_files server,location 2+
[ngx_http_auth_request_module http]
auth_request http,server,location 1
auth_request_set http,server,location 2
[ngx_http_auth_basic_module http]
auth_basic http,server,location,lmt 1
auth_basic_user_file http,server,location,lmt 1
[ngx_http_access_module http]
allow http,server,location,lmt 1
deny http,server,location,lmt 1
[ngx_http_limit_conn_module http]
limit_conn_zone http 2
limit_conn http,server,location 2
limit_conn_log_level http,server,location 1 enum:loc:40
limit_conn_status http,server,location 1 num:loc:48
limit_conn_dry_run http,server,location flag flag:loc:56
[ngx_http_limit_req_module http]
limit_req_zone http 3
limit_req http,server,location 123
limit_req_log_level http,server,location 1 enum:loc:40
limit_req_status http,server,location 1 num:loc:56
limit_req_dry_run http,server,location flag flag:loc:64
[ngx_http_realip_module http]
set_real_ip_from http,server,location 1
real_ip_header http,server,location 1
real_ip_recursive http,server,location flag flag:loc:40
[ngx_http_geo_module http]
geo http block:12
[ngx_http_map_module http]
map http block:2
map_hash_max_size http 1 num:main:0
map_hash_bucket_size http 1 num:main:8
[ngx_http_split_clients_module http]
split_clients http block:2
[ngx_http_referer_module http]
valid_referers server,location 1+
referer_hash_max_size server,location 1 num:loc:80
referer_hash_bucket_size server,location 1 num:loc:88
[ngx_http_rewrite_module http]
rewrite server,location,sif,lif 23
return server,location,sif,lif 12
break server,location,sif,lif 0
if server,location block:1+
set server,location,sif,lif 2
rewrite_log http,server,location,sif,lif flag flag:loc:16
uninitialized_variable_warn http,server,location,sif,lif flag flag:loc:24
[ngx_http_ssl_module http]
ssl http,server flag
ssl_certificate http,server 1
ssl_certificate_key http,server 1
ssl_password_file http,server 1
ssl_dhparam http,server 1 str:srv:136
ssl_ecdh_curve http,server 1 str:srv:152
ssl_protocols http,server 1+
ssl_ciphers http,server 1 str:srv:216
ssl_buffer_size http,server 1 size:srv:80
ssl_verify_client http,server 1 enum:srv:64
ssl_verify_depth http,server 1 num:srv:72
ssl_client_certificate http,server 1 str:srv:168
ssl_trusted_certificate http,server 1 str:srv:184
ssl_prefer_server_ciphers http,server flag flag:srv:32
ssl_session_cache http,server 12
ssl_session_tickets http,server flag flag:srv:256
ssl_session_ticket_key http,server 1
ssl_session_timeout http,server 1 sec:srv:96
ssl_crl http,server 1 str:srv:200
ssl_ocsp http,server flag enum:srv:272
ssl_ocsp_responder http,server 1 str:srv:280
ssl_ocsp_cache http,server 1
ssl_stapling http,server flag flag:srv:304
ssl_stapling_file http,server 1 str:srv:320
ssl_stapling_responder http,server 1 str:srv:336
ssl_stapling_verify http,server flag flag:srv:312
ssl_early_data http,server flag flag:srv:40
ssl_conf_command http,server 2
ssl_reject_handshake http,server flag flag:srv:48
[ngx_http_proxy_module http]
proxy_pass location,lif,lmt 1
proxy_redirect http,server,location 12
proxy_cookie_domain http,server,location 12
proxy_cookie_path http,server,location 12
proxy_cookie_flags http,server,location 1234
proxy_store http,server,location 1
proxy_store_access http,server,location 123
proxy_buffering http,server,location flag flag:loc:160
proxy_request_buffering http,server,location flag flag:loc:168
proxy_ignore_client_abort http,server,location flag flag:loc:192
proxy_bind http,server,location 12
proxy_socket_keepalive http,server,location flag flag:loc:272
proxy_connect_timeout http,server,location 1 msec:loc:8
proxy_send_timeout http,server,location 1 msec:loc:16
proxy_send_lowat http,server,location 1 size:loc:40
proxy_intercept_errors http,server,location flag flag:loc:200
proxy_set_header http,server,location 2
proxy_headers_hash_max_size http,server,location 1 num:loc:888
proxy_headers_hash_bucket_size http,server,location 1 num:loc:896
proxy_set_body http,server,location 1 str:loc:552
proxy_method http,server,location 1
proxy_pass_request_headers http,server,location flag flag:loc:176
proxy_pass_request_body http,server,location flag flag:loc:184
proxy_buffer_size http,server,location 1 size:loc:48
proxy_read_timeout http,server,location 1 msec:loc:24
proxy_buffers http,server,location 2 bufs:loc:112
proxy_busy_buffers_size http,server,location 1 size:loc:88
proxy_force_ranges http,server,location flag flag:loc:216
proxy_limit_rate http,server,location 1 size:loc:56
proxy_cache http,server,location 1
proxy_cache_key http,server,location 1
proxy_cache_path http 2+
proxy_cache_bypass http,server,location 1+
proxy_no_cache http,server,location 1+
proxy_cache_valid http,server,location 1+
proxy_cache_min_uses http,server,location 1 num:loc:296
proxy_cache_max_range_offset http,server,location 1 off:loc:320
proxy_cache_use_stale http,server,location 1+
proxy_cache_methods http,server,location 1+
proxy_cache_lock http,server,location flag flag:loc:328
proxy_cache_lock_timeout http,server,location 1 msec:loc:336
proxy_cache_lock_age http,server,location 1 msec:loc:344
proxy_cache_revalidate http,server,location flag flag:loc:352
proxy_cache_convert_head http,server,location flag flag:loc:360
proxy_cache_background_update http,server,location flag flag:loc:368
proxy_temp_path http,server,location 1234
proxy_max_temp_file_size http,server,location 1 size:loc:96
proxy_temp_file_write_size http,server,location 1 size:loc:104
proxy_next_upstream http,server,location 1+
proxy_next_upstream_tries http,server,location 1 num:loc:152
proxy_next_upstream_timeout http,server,location 1 msec:loc:32
proxy_pass_header http,server,location 1
proxy_hide_header http,server,location 1
proxy_ignore_headers http,server,location 1+
proxy_http_version http,server,location 1 enum:loc:880
proxy_ssl_session_reuse http,server,location flag flag:loc:440
proxy_ssl_protocols http,server,location 1+
proxy_ssl_ciphers http,server,location 1 str:loc:920
proxy_ssl_name http,server,location 1
proxy_ssl_server_name http,server,location flag flag:loc:456
proxy_ssl_verify http,server,location flag flag:loc:464
proxy_ssl_verify_depth http,server,location 1 num:loc:936
proxy_ssl_trusted_certificate http,server,location 1 str:loc:944
proxy_ssl_crl http,server,location 1 str:loc:960
proxy_ssl_certificate http,server,location 1
proxy_ssl_certificate_key http,server,location 1
proxy_ssl_password_file http,server,location 1
proxy_ssl_conf_command http,server,location 2
[ngx_http_fastcgi_module http]
fastcgi_pass location,lif 1
fastcgi_index http,server,location 1 str:loc:528
fastcgi_split_path_info http,server,location 1
fastcgi_store http,server,location 1
fastcgi_store_access http,server,location 123
fastcgi_buffering http,server,location flag flag:loc:160
fastcgi_request_buffering http,server,location flag flag:loc:168
fastcgi_ignore_client_abort http,server,location flag flag:loc:192
fastcgi_bind http,server,location 12
fastcgi_socket_keepalive http,server,location flag flag:loc:272
fastcgi_connect_timeout http,server,location 1 msec:loc:8
fastcgi_send_timeout http,server,location 1 msec:loc:16
fastcgi_send_lowat http,server,location 1 size:loc:40
fastcgi_buffer_size http,server,location 1 size:loc:48
fastcgi_pass_request_headers http,server,location flag flag:loc:176
fastcgi_pass_request_body http,server,location flag flag:loc:184
fastcgi_intercept_errors http,server,location flag flag:loc:200
fastcgi_read_timeout http,server,location 1 msec:loc:24
fastcgi_buffers http,server,location 2 bufs:loc:112
fastcgi_busy_buffers_size http,server,location 1 size:loc:88
fastcgi_force_ranges http,server,location flag flag:loc:216
fastcgi_limit_rate http,server,location 1 size:loc:56
fastcgi_cache http,server,location 1
fastcgi_cache_key http,server,location 1
fastcgi_cache_path http 2+
fastcgi_cache_bypass http,server,location 1+
fastcgi_no_cache http,server,location 1+
fastcgi_cache_valid http,server,location 1+
fastcgi_cache_min_uses http,server,location 1 num:loc:296
fastcgi_cache_max_range_offset http,server,location 1 off:loc:320
fastcgi_cache_use_stale http,server,location 1+
fastcgi_cache_methods http,server,location 1+
fastcgi_cache_lock http,server,location flag flag:loc:328
fastcgi_cache_lock_timeout http,server,location 1 msec:loc:336
fastcgi_cache_lock_age http,server,location 1 msec:loc:344
fastcgi_cache_revalidate http,server,location flag flag:loc:352
fastcgi_cache_background_update http,server,location flag flag:loc:368
fastcgi_temp_path http,server,location 1234
fastcgi_max_temp_file_size http,server,location 1 size:loc:96
fastcgi_temp_file_write_size http,server,location 1 size:loc:104
fastcgi_next_upstream http,server,location 1+
fastcgi_next_upstream_tries http,server,location 1 num:loc:152
fastcgi_next_upstream_timeout http,server,location 1 msec:loc:32
fastcgi_param http,server,location 23
fastcgi_pass_header http,server,location 1
fastcgi_hide_header http,server,location 1
fastcgi_ignore_headers http,server,location 1+
fastcgi_catch_stderr http,server,location 1
fastcgi_keep_conn http,server,location flag flag:loc:672
[ngx_http_uwsgi_module http]
uwsgi_pass location,lif 1
uwsgi_modifier1 http,server,location 1 num:loc:712
uwsgi_modifier2 http,server,location 1 num:loc:720
uwsgi_store http,server,location 1
uwsgi_store_access http,server,location 123
uwsgi_buffering http,server,location flag flag:loc:160
uwsgi_request_buffering http,server,location flag flag:loc:168
uwsgi_ignore_client_abort http,server,location flag flag:loc:192
uwsgi_bind http,server,location 12
uwsgi_socket_keepalive http,server,location flag flag:loc:272
uwsgi_connect_timeout http,server,location 1 msec:loc:8
uwsgi_send_timeout http,server,location 1 msec:loc:16
uwsgi_buffer_size http,server,location 1 size:loc:48
uwsgi_pass_request_headers http,server,location flag flag:loc:176
uwsgi_pass_request_body http,server,location flag flag:loc:184
uwsgi_intercept_errors http,server,location flag flag:loc:200
uwsgi_read_timeout http,server,location 1 msec:loc:24
uwsgi_buffers http,server,location 2 bufs:loc:112
uwsgi_busy_buffers_size http,server,location 1 size:loc:88
uwsgi_force_ranges http,server,location flag flag:loc:216
uwsgi_limit_rate http,server,location 1 size:loc:56
uwsgi_cache http,server,location 1
uwsgi_cache_key http,server,location 1
uwsgi_cache_path http 2+
uwsgi_cache_bypass http,server,location 1+
uwsgi_no_cache http,server,location 1+
uwsgi_cache_valid http,server,location 1+
uwsgi_cache_min_uses http,server,location 1 num:loc:296
uwsgi_cache_max_range_offset http,server,location 1 off:loc:320
uwsgi_cache_use_stale http,server,location 1+
uwsgi_cache_methods http,server,location 1+
uwsgi_cache_lock http,server,location flag flag:loc:328
uwsgi_cache_lock_timeout http,server,location 1 msec:loc:336
uwsgi_cache_lock_age http,server,location 1 msec:loc:344
uwsgi_cache_revalidate http,server,location flag flag:loc:352
uwsgi_cache_background_update http,server,location 1 flag:loc:368
uwsgi_temp_path http,server,location 1234
uwsgi_max_temp_file_size http,server,location 1 size:loc:96
uwsgi_temp_file_write_size http,server,location 1 size:loc:104
uwsgi_next_upstream http,server,location 1+
uwsgi_next_upstream_tries http,server,location 1 num:loc:152
uwsgi_next_upstream_timeout http,server,location 1 msec:loc:32
uwsgi_param http,server,location 23
uwsgi_string http,server,location 1 str:loc:696
uwsgi_pass_header http,server,location 1
uwsgi_hide_header http,server,location 1
uwsgi_ignore_headers http,server,location 1+
uwsgi_ssl_session_reuse http,server,location flag flag:loc:440
uwsgi_ssl_protocols http,server,location 1+
uwsgi_ssl_ciphers http,server,location 1 str:loc:744
uwsgi_ssl_name http,server,location 1
uwsgi_ssl_server_name http,server,location flag flag:loc:456
uwsgi_ssl_verify http,server,location flag flag:loc:464
uwsgi_ssl_verify_depth http,server,location 1 num:loc:760
uwsgi_ssl_trusted_certificate http,server,location 1 str:loc:768
uwsgi_ssl_crl http,server,location 1 str:loc:784
uwsgi_ssl_certificate http,server,location 1
uwsgi_ssl_certificate_key http,server,location 1
uwsgi_ssl_password_file http,server,location 1
uwsgi_ssl_conf_command http,server,location 2
[ngx_http_scgi_module http]
scgi_pass location,lif 1
scgi_store http,server,location 1
scgi_store_access http,server,location 123
scgi_buffering http,server,location flag flag:loc:160
scgi_request_buffering http,server,location flag flag:loc:168
scgi_ignore_client_abort http,server,location flag flag:loc:192
scgi_bind http,server,location 12
scgi_socket_keepalive http,server,location flag flag:loc:272
scgi_connect_timeout http,server,location 1 msec:loc:8
scgi_send_timeout http,server,location 1 msec:loc:16
scgi_buffer_size http,server,location 1 size:loc:48
scgi_pass_request_headers http,server,location flag flag:loc:176
scgi_pass_request_body http,server,location flag flag:loc:184
scgi_intercept_errors http,server,location flag flag:loc:200
scgi_read_timeout http,server,location 1 msec:loc:24
scgi_buffers http,server,location 2 bufs:loc:112
scgi_busy_buffers_size http,server,location 1 size:loc:88
scgi_force_ranges http,server,location flag flag:loc:216
scgi_limit_rate http,server,location 1 size:loc:56
scgi_cache http,server,location 1
scgi_cache_key http,server,location 1
scgi_cache_path http 2+
scgi_cache_bypass http,server,location 1+
scgi_no_cache http,server,location 1+
scgi_cache_valid http,server,location 1+
scgi_cache_min_uses http,server,location 1 num:loc:296
scgi_cache_max_range_offset http,server,location 1 off:loc:320
scgi_cache_use_stale http,server,location 1+
scgi_cache_methods http,server,location 1+
scgi_cache_lock http,server,location flag flag:loc:328
scgi_cache_lock_timeout http,server,location 1 msec:loc:336
scgi_cache_lock_age http,server,location 1 msec:loc:344
scgi_cache_revalidate http,server,location flag flag:loc:352
scgi_cache_background_update http,server,location flag flag:loc:368
scgi_temp_path http,server,location 1234
scgi_max_temp_file_size http,server,location 1 size:loc:96
scgi_temp_file_write_size http,server,location 1 size:loc:104
scgi_next_upstream http,server,location 1+
scgi_next_upstream_tries http,server,location 1 num:loc:152
scgi_next_upstream_timeout http,server,location 1 msec:loc:32
scgi_param http,server,location 23
scgi_pass_header http,server,location 1
scgi_hide_header http,server,location 1
scgi_ignore_headers http,server,location 1+
[ngx_http_grpc_module http]
grpc_pass location,lif 1
grpc_bind http,server,location 12
grpc_socket_keepalive http,server,location flag flag:loc:272
grpc_connect_timeout http,server,location 1 msec:loc:8
grpc_send_timeout http,server,location 1 msec:loc:16
grpc_intercept_errors http,server,location flag flag:loc:200
grpc_buffer_size http,server,location 1 size:loc:48
grpc_read_timeout http,server,location 1 msec:loc:24
grpc_next_upstream http,server,location 1+
grpc_next_upstream_tries http,server,location 1 num:loc:152
grpc_next_upstream_timeout http,server,location 1 msec:loc:32
grpc_set_header http,server,location 2
grpc_pass_header http,server,location 1
grpc_hide_header http,server,location 1
grpc_ignore_headers http,server,location 1+
grpc_ssl_session_reuse http,server,location flag flag:loc:440
grpc_ssl_protocols http,server,location 1+
grpc_ssl_ciphers http,server,location 1 str:loc:632
grpc_ssl_name http,server,location 1
grpc_ssl_server_name http,server,location flag flag:loc:456
grpc_ssl_verify http,server,location flag flag:loc:464
grpc_ssl_verify_depth http,server,location 1 num:loc:648
grpc_ssl_trusted_certificate http,server,location 1 str:loc:656
grpc_ssl_crl http,server,location 1 str:loc:672
grpc_ssl_certificate http,server,location 1
grpc_ssl_certificate_key http,server,location 1
grpc_ssl_password_file http,server,location 1
grpc_ssl_conf_command http,server,location 2
[ngx_http_memcached_module http]
memcached_pass location,lif 1
memcached_bind http,server,location 12
memcached_socket_keepalive http,server,location flag flag:loc:272
memcached_connect_timeout http,server,location 1 msec:loc:8
memcached_send_timeout http,server,location 1 msec:loc:16
memcached_buffer_size http,server,location 1 size:loc:48
memcached_read_timeout http,server,location 1 msec:loc:24
memcached_next_upstream http,server,location 1+
memcached_next_upstream_tries http,server,location 1 num:loc:152
memcached_next_upstream_timeout http,server,location 1 msec:loc:32
memcached_gzip_flag http,server,location 1 num:loc:536
[ngx_http_empty_gif_module http]
empty_gif location 0
[ngx_http_browser_module http]
modern_browser http,server,location 12
ancient_browser http,server,location 1+
modern_browser_value http,server,location 1
ancient_browser_value http,server,location 1
[ngx_http_secure_link_module http]
secure_link http,server,location 1
secure_link_md5 http,server,location 1
secure_link_secret http,server,location 1 str:loc:16
[ngx_http_flv_module http]
flv location 0
[ngx_http_mp4_module http]
mp4 location 0
mp4_buffer_size http,server,location 1 size:loc:0
mp4_max_buffer_size http,server,location 1 size:loc:8
mp4_start_key_frame http,server,location flag flag:loc:16
[ngx_http_upstream_hash_module http]
hash upstream 12
[ngx_http_upstream_ip_hash_module http]
ip_hash upstream 0
[ngx_http_upstream_least_conn_module http]
least_conn upstream 0
[ngx_http_upstream_random_module http]
random upstream 012
[ngx_http_upstream_keepalive_module http]
keepalive upstream 1
keepalive_time upstream 1 msec:srv:16
keepalive_timeout upstream 1 msec:srv:24
keepalive_requests upstream 1 num:srv:8
[ngx_http_upstream_zone_module http]
zone upstream 12
[ngx_http_stub_status_module http]
stub_status server,location 01
[ngx_http_gzip_filter_module http]
gzip http,server,location,lif flag flag:loc:0
gzip_buffers http,server,location 2 bufs:loc:32
gzip_types http,server,location 1+
gzip_comp_level http,server,location 1 num:loc:56
gzip_window http,server,location 1 size:loc:64
gzip_hash http,server,location 1 size:loc:72
postpone_gzipping http,server,location 1 size:loc:48
gzip_no_buffer http,server,location flag flag:loc:8
gzip_min_length http,server,location 1 size:loc:80
[ngx_http_ssi_filter_module http]
ssi http,server,location,lif flag flag:loc:0
ssi_silent_errors http,server,location flag flag:loc:8
ssi_ignore_recycled_buffers http,server,location flag flag:loc:16
ssi_min_file_chunk http,server,location 1 size:loc:48
ssi_value_length http,server,location 1 size:loc:56
ssi_types http,server,location 1+
ssi_last_modified http,server,location flag flag:loc:24
[ngx_http_charset_filter_module http]
charset http,server,location,lif 1
source_charset http,server,location,lif 1
override_charset http,server,location,lif flag flag:loc:16
charset_types http,server,location 1+
charset_map http block:2
[ngx_http_sub_filter_module http]
sub_filter http,server,location 2
sub_filter_types http,server,location 1+
sub_filter_once http,server,location flag flag:loc:40
sub_filter_last_modified http,server,location flag flag:loc:48
[ngx_http_addition_filter_module http]
add_before_body http,server,location 1 str:loc:0
add_after_body http,server,location 1 str:loc:16
addition_types http,server,location 1+
[ngx_http_gunzip_filter_module http]
gunzip http,server,location flag flag:loc:0
gunzip_buffers http,server,location 2 bufs:loc:8
[ngx_http_userid_filter_module http]
userid http,server,location 1 enum:loc:0
userid_service http,server,location 1 num:loc:16
userid_name http,server,location 1 str:loc:24
userid_domain http,server,location 1 str:loc:40
userid_path http,server,location 1 str:loc:56
userid_expires http,server,location 1
userid_flags http,server,location 123
userid_p3p http,server,location 1 str:loc:72
userid_mark http,server,location 1
[ngx_http_headers_filter_module http]
expires http,server,location,lif 12
add_header http,server,location,lif 23
add_trailer http,server,location,lif 23
[ngx_http_copy_filter_module http]
output_buffers http,server,location 2 bufs:loc:0
[ngx_http_slice_filter_module http]
slice http,server,location 1 size:loc:0
[ngx_stream_module core]
stream main block:0
[ngx_stream_core_module stream]
variables_hash_max_size stream 1 num:main:192
variables_hash_bucket_size stream 1 num:main:200
server stream block:0
listen stream_server 1+
error_log stream,stream_server 1+
resolver stream,stream_server 1+
resolver_timeout stream,stream_server 1 msec:srv:64
proxy_protocol_timeout stream,stream_server 1 msec:srv:80
tcp_nodelay stream,stream_server flag flag:srv:32
preread_buffer_size stream,stream_server 1 size:srv:40
preread_timeout stream,stream_server 1 msec:srv:48
[ngx_stream_log_module stream]
log_format stream 2+
access_log stream,stream_server 1+
open_log_file_cache stream,stream_server 1234
[ngx_stream_proxy_module stream]
proxy_pass stream_server 1
proxy_bind stream,stream_server 12
proxy_socket_keepalive stream,stream_server flag flag:srv:104
proxy_connect_timeout stream,stream_server 1 msec:srv:0
proxy_timeout stream,stream_server 1 msec:srv:8
proxy_buffer_size stream,stream_server 1 size:srv:24
proxy_downstream_buffer stream,stream_server 1 size:srv:24
proxy_upstream_buffer stream,stream_server 1 size:srv:24
proxy_upload_rate stream,stream_server 1
proxy_download_rate stream,stream_server 1
proxy_requests stream,stream_server 1 num:srv:48
proxy_responses stream,stream_server 1 num:srv:56
proxy_next_upstream stream,stream_server flag flag:srv:72
proxy_next_upstream_tries stream,stream_server 1 num:srv:64
proxy_next_upstream_timeout stream,stream_server 1 msec:srv:16
proxy_protocol stream,stream_server flag flag:srv:80
proxy_half_close stream,stream_server flag flag:srv:88
proxy_ssl stream,stream_server flag flag:srv:112
proxy_ssl_session_reuse stream,stream_server flag flag:srv:120
proxy_ssl_protocols stream,stream_server 1+
proxy_ssl_ciphers stream,stream_server 1 str:srv:136
proxy_ssl_name stream,stream_server 1
proxy_ssl_server_name stream,stream_server flag flag:srv:160
proxy_ssl_verify stream,stream_server flag flag:srv:168
proxy_ssl_verify_depth stream,stream_server 1 num:srv:176
proxy_ssl_trusted_certificate stream,stream_server 1 str:srv:184
proxy_ssl_crl stream,stream_server 1 str:srv:200
proxy_ssl_certificate stream,stream_server 1
proxy_ssl_certificate_key stream,stream_server 1
proxy_ssl_password_file stream,stream_server 1
proxy_ssl_conf_command stream,stream_server 2
[ngx_stream_upstream_module stream]
upstream stream block:1
server stream_upstream 1+
[ngx_stream_ssl_module stream]
ssl_handshake_timeout stream,stream_server 1 msec:srv:0
ssl_certificate stream,stream_server 1
ssl_certificate_key stream,stream_server 1
ssl_password_file stream,stream_server 1
ssl_dhparam stream,stream_server 1 str:srv:120
ssl_ecdh_curve stream,stream_server 1 str:srv:136
ssl_protocols stream,stream_server 1+
ssl_ciphers stream,stream_server 1 str:srv:216
ssl_verify_client stream,stream_server 1 enum:srv:56
ssl_verify_depth stream,stream_server 1 num:srv:64
ssl_client_certificate stream,stream_server 1 str:srv:152
ssl_trusted_certificate stream,stream_server 1 str:srv:168
ssl_prefer_server_ciphers stream,stream_server flag flag:srv:8
ssl_session_cache stream,stream_server 12
ssl_session_tickets stream,stream_server flag flag:srv:256
ssl_session_ticket_key stream,stream_server 1
ssl_session_timeout stream,stream_server 1 sec:srv:80
ssl_crl stream,stream_server 1 str:srv:184
ssl_conf_command stream,stream_server 2
ssl_alpn stream,stream_server 1+
[ngx_stream_realip_module stream]
set_real_ip_from stream,stream_server 1
[ngx_stream_limit_conn_module stream]
limit_conn_zone stream 2
limit_conn stream,stream_server 2
limit_conn_log_level stream,stream_server 1 enum:srv:40
limit_conn_dry_run stream,stream_server flag flag:srv:48
[ngx_stream_access_module stream]
allow stream,stream_server 1
deny stream,stream_server 1
[ngx_stream_geo_module stream]
geo stream block:12
[ngx_stream_map_module stream]
map stream block:2
map_hash_max_size stream 1 num:main:0
map_hash_bucket_size stream 1 num:main:8
[ngx_stream_split_clients_module stream]
split_clients stream block:2
[ngx_stream_return_module stream]
return stream_server 1
[ngx_stream_set_module stream]
set stream_server 2
[ngx_stream_upstream_hash_module stream]
hash stream_upstream 12
[ngx_stream_upstream_least_conn_module stream]
least_conn stream_upstream 0
[ngx_stream_upstream_random_module stream]
random stream_upstream 012
[ngx_stream_upstream_zone_module stream]
zone stream_upstream 12
[ngx_stream_ssl_preread_module stream]
ssl_preread stream,stream_server flag flag:srv:0
[ngx_mail_module core]
mail main block:0
[ngx_mail_core_module mail]
server mail block:0
listen mail_server 1+
protocol mail_server 1
timeout mail,mail_server 1 msec:srv:8
server_name mail,mail_server 1 str:srv:32
error_log mail,mail_server 1+
resolver mail,mail_server 1+
resolver_timeout mail,mail_server 1 msec:srv:16
max_errors mail,mail_server 1 num:srv:24
[ngx_mail_ssl_module mail]
ssl mail,mail_server flag
starttls mail,mail_server 1
ssl_certificate mail,mail_server 1
ssl_certificate_key mail,mail_server 1
ssl_password_file mail,mail_server 1
ssl_dhparam mail,mail_server 1 str:srv:112
ssl_ecdh_curve mail,mail_server 1 str:srv:128
ssl_protocols mail,mail_server 1+
ssl_ciphers mail,mail_server 1 str:srv:192
ssl_prefer_server_ciphers mail,mail_server flag flag:srv:8
ssl_session_cache mail,mail_server 12
ssl_session_tickets mail,mail_server flag flag:srv:232
ssl_session_ticket_key mail,mail_server 1
ssl_session_timeout mail,mail_server 1 sec:srv:88
ssl_verify_client mail,mail_server 1 enum:srv:64
ssl_verify_depth mail,mail_server 1 num:srv:72
ssl_client_certificate mail,mail_server 1 str:srv:144
ssl_trusted_certificate mail,mail_server 1 str:srv:160
ssl_crl mail,mail_server 1 str:srv:176
ssl_conf_command mail,mail_server 2
[ngx_mail_pop3_module mail]
pop3_capabilities mail,mail_server 1+
pop3_auth mail,mail_server 1+
[ngx_mail_imap_module mail]
imap_client_buffer mail,mail_server 1 size:srv:0
imap_capabilities mail,mail_server 1+
imap_auth mail,mail_server 1+
[ngx_mail_smtp_module mail]
smtp_client_buffer mail,mail_server 1 size:srv:8
smtp_greeting_delay mail,mail_server 1 msec:srv:0
smtp_capabilities mail,mail_server 1+
smtp_auth mail,mail_server 1+
[ngx_mail_auth_http_module mail]
auth_http mail,mail_server 1
auth_http_timeout mail,mail_server 1 msec:srv:8
auth_http_header mail,mail_server 2
auth_http_pass_client_cert mail,mail_server flag flag:srv:16
[ngx_mail_proxy_module mail]
proxy mail,mail_server flag flag:srv:0
proxy_buffer mail,mail_server 1 size:srv:40
proxy_timeout mail,mail_server 1 msec:srv:48
proxy_pass_error_message mail,mail_server flag flag:srv:8
xclient mail,mail_server flag flag:srv:16
proxy_smtp_auth mail,mail_server flag flag:srv:24
proxy_protocol mail,mail_server flag flag:srv:32
[ngx_mail_realip_module mail]
set_real_ip_from mail,mail_server 1
"""

_TEST_IMAGE_FILES = frozenset(
    {"nginx.conf", "mime.types", "fastcgi_params", "proxy_params", "scgi_params", "uwsgi_params"}
)
"""scripts/test-engine.sh: build_nginx_root()."""
_OFFICIAL_IMAGE_FILES = frozenset(
    {
        "nginx.conf",
        "conf.d/default.conf",
        "mime.types",
        "fastcgi_params",
        "fastcgi.conf",
        "scgi_params",
        "uwsgi_params",
        "koi-utf",
        "koi-win",
        "win-utf",
    }
)
"""The nginx.org package's files (``fastcgi.conf`` and the charset maps counted as there, in doubt)."""

_ALL = parse(_DEBIAN_1_22)
_DYNAMIC = ("ngx_stream_", "ngx_mail_")
"""Dynamic modules in Debian (not loaded by the test image, nor in the differential test)."""

DEBIAN_1_22 = Profile(
    "Debian nginx 1.22.1",
    {
        name: kept
        for name, commands in _ALL.items()
        if (kept := tuple(c for c in commands if not c.module.startswith(_DYNAMIC)))
    },
    image_files=_TEST_IMAGE_FILES,
)
"""What the differential test and the test image run: Debian's nginx without its dynamic modules."""


def _official() -> dict[str, tuple[Command, ...]]:
    out: dict[str, tuple[Command, ...]] = {}
    for name, commands in _ALL.items():
        if name == "ssl":
            continue
        if name in _NEW_PARAMETERS:
            commands = tuple(replace(c, args="any") for c in commands)
        out[name] = commands + ((_NEW_CONTEXTS[name],) if name in _NEW_CONTEXTS else ())
    return out


OFFICIAL = Profile(
    "the official nginx image",
    _official(),
    names_only=_NEWER,
    names_only_prefixes=_NEWER_PREFIXES,
    image_files=_OFFICIAL_IMAGE_FILES,
)
"""What ``nginx:*`` runs (see the module docstring)."""

_OFFICIAL_IMAGE = re.compile(
    r"^(?:(?:docker\.io|index\.docker\.io)/)?(?:library/)?nginx(?::(?P<tag>[^@]*))?(?:@.*)?$"
    r"|^nginxinc/nginx-unprivileged(?::(?P<utag>[^@]*))?(?:@.*)?$"
)
_TEST_IMAGE = re.compile(r"^dockernet-test/nginx(?:[:@].*)?$")
_VERSION_TAG = re.compile(r"^(\d+)\.(\d+)(?:[.-]|$)")

OFFICIAL_BEFORE_1_25 = Profile(
    "the official nginx image (before 1.25.1)",
    {**OFFICIAL.commands, "ssl": _ALL["ssl"]},
    names_only=_NEWER,
    names_only_prefixes=_NEWER_PREFIXES,
    image_files=_OFFICIAL_IMAGE_FILES,
)
"""A tag older than 1.25 still has the deprecated ``ssl`` directive."""


def profile_for(image: str | None) -> Profile | None:
    """The directive table of an image's nginx: the official image's (``nginx``, ``nginx:1.27-alpine``,
    ``nginxinc/nginx-unprivileged``; ``nginx:1.21`` keeps ``ssl``), the test image's (Debian's nginx), or
    None for any other image (OpenResty, a distribution's package, a build of one's own...), whose modules
    dockernet cannot know. Directives newer than an old tag are not flagged (a miss, never a false error)."""
    if not image:
        return None
    if _TEST_IMAGE.match(image):
        return DEBIAN_1_22
    m = _OFFICIAL_IMAGE.match(image)
    if m is None:
        return None
    version = _VERSION_TAG.match(m.group("tag") or m.group("utag") or "")
    if version is not None and (int(version.group(1)), int(version.group(2))) < (1, 25):
        return OFFICIAL_BEFORE_1_25
    return OFFICIAL
