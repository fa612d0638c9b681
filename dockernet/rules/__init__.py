"""The rule registry, written by hand: adding a rule touches its module, one line here, its test and its docs
page (generated from the module's docstring)."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Protocol

from dockernet.errors import UsageError
from dockernet.model.findings import Finding, Severity
from dockernet.rules import (
    dn101_loopback_upstream,
    dn102_unknown_upstream_host,
    dn103_no_shared_network,
    dn104_port_not_exposed,
    dn105_published_port_used,
    dn106_default_bridge_no_dns,
    dn107_host_gateway_missing,
    dn108_unreachable_ip,
    dn109_unix_socket_not_shared,
    dn110_upstream_not_running,
    dn111_upstream_binds_loopback,
    dn112_address_plan_conflict,
    dn113_external_network_missing,
    dn114_resolver_missing,
    dn115_resolver_cannot_see_docker,
    dn116_config_mount_source_missing,
    dn117_host_port_not_published,
    dn201_missing_depends_on,
    dn202_proxy_pass_uri_mismatch,
    dn203_localhost_dual_stack,
    dn204_ambiguous_name,
    dn205_hard_coded_gateway_ip,
    dn206_stale_upstream_address,
    dn207_upstream_on_external_network,
    dn208_unset_variable,
    dn209_container_ip_from_host,
    dn300_unused_suppression,
    dn301_startup_dns_resolution,
    dn302_upstream_no_keepalive,
    dn303_no_502_error_page,
    dn304_upstream_outside_graph,
    dn305_proxy_config_unknown,
    dn306_upstream_timeout,
    dn401_nginx_config_rejected,
    dn501_traefik_service_missing,
    dn502_traefik_container_not_enabled,
    dn503_traefik_network_random,
    dn504_traefik_network_not_found,
    dn505_traefik_port_missing,
    dn506_traefik_docker_socket_missing,
    dn507_traefik_labels_unreachable,
    dn508_traefik_default_port_wrong,
    dn509_traefik_https_to_plain_http,
    dn510_traefik_port_undetermined,
    dn601_caddy_config_refused,
    dn602_caddy_no_upstreams,
    dn603_caddy_automatic_https,
    dn701_haproxy_config_refused,
    dn702_haproxy_no_server,
    dn703_haproxy_server_port_missing,
    dn801_apache_config_refused,
    dn802_apache_protocol_module_missing,
    dn850_nginxproxy_docker_socket_missing,
    dn851_nginxproxy_no_proxy,
    dn852_nginxproxy_virtual_port_invalid,
    dn901_stack_option_ignored,
    dn902_stack_task_addresses_resolved_once,
    dn903_stack_no_replicas,
    dn904_stack_labels_not_deploy,
    dn905_stack_task_container_name,
)
from dockernet.rules.base import Context, Meta


class Rule(Protocol):
    """What a rule module is: its docstring is its documentation, ``META`` its identity, ``check`` its
    findings (mypy checks every module below against this)."""

    __doc__: str | None
    META: Meta

    def check(self, ctx: Context) -> Iterator[Finding]:
        """Every finding of the rule in one run."""
        ...


# The registry, in ID order: one line per rule. Nothing is discovered.
_MODULES: tuple[Rule, ...] = (
    dn101_loopback_upstream,
    dn102_unknown_upstream_host,
    dn103_no_shared_network,
    dn104_port_not_exposed,
    dn105_published_port_used,
    dn106_default_bridge_no_dns,
    dn107_host_gateway_missing,
    dn108_unreachable_ip,
    dn109_unix_socket_not_shared,
    dn110_upstream_not_running,
    dn111_upstream_binds_loopback,
    dn112_address_plan_conflict,
    dn113_external_network_missing,
    dn114_resolver_missing,
    dn115_resolver_cannot_see_docker,
    dn116_config_mount_source_missing,
    dn117_host_port_not_published,
    dn201_missing_depends_on,
    dn202_proxy_pass_uri_mismatch,
    dn203_localhost_dual_stack,
    dn204_ambiguous_name,
    dn205_hard_coded_gateway_ip,
    dn206_stale_upstream_address,
    dn207_upstream_on_external_network,
    dn208_unset_variable,
    dn209_container_ip_from_host,
    dn300_unused_suppression,
    dn301_startup_dns_resolution,
    dn302_upstream_no_keepalive,
    dn303_no_502_error_page,
    dn304_upstream_outside_graph,
    dn305_proxy_config_unknown,
    dn306_upstream_timeout,
    dn401_nginx_config_rejected,
    dn501_traefik_service_missing,
    dn502_traefik_container_not_enabled,
    dn503_traefik_network_random,
    dn504_traefik_network_not_found,
    dn505_traefik_port_missing,
    dn506_traefik_docker_socket_missing,
    dn507_traefik_labels_unreachable,
    dn508_traefik_default_port_wrong,
    dn509_traefik_https_to_plain_http,
    dn510_traefik_port_undetermined,
    dn601_caddy_config_refused,
    dn602_caddy_no_upstreams,
    dn603_caddy_automatic_https,
    dn701_haproxy_config_refused,
    dn702_haproxy_no_server,
    dn703_haproxy_server_port_missing,
    dn801_apache_config_refused,
    dn802_apache_protocol_module_missing,
    dn850_nginxproxy_docker_socket_missing,
    dn851_nginxproxy_no_proxy,
    dn852_nginxproxy_virtual_port_invalid,
    dn901_stack_option_ignored,
    dn902_stack_task_addresses_resolved_once,
    dn903_stack_no_replicas,
    dn904_stack_labels_not_deploy,
    dn905_stack_task_container_name,
)
RULES: dict[str, Rule] = {module.META.id: module for module in _MODULES}
BY_NAME: dict[str, str] = {module.META.name: rule_id for rule_id, module in RULES.items()}
DEFAULT: frozenset[str] = frozenset(
    i for i, module in RULES.items() if module.META.severity is not Severity.NOTE or i == "DN300"
)
"""The rules that run unless the configuration or ``--select`` says otherwise: the errors and warnings, and
DN300 (a suppression comment that suppresses nothing is stale). The other notes are advice a clean project
may well ignore: ``--select ALL`` adds them, as ruff keeps its opinionated rules out of its default set."""


def meta(rule_id: str) -> Meta:
    """A rule's ID, name and default severity."""
    m: Meta = RULES[rule_id].META
    return m


def get(code: str) -> Rule:
    """A rule by ID (``DN103``) or name (``no-shared-network``); a clear error for anything else."""
    key = BY_NAME.get(code, code.upper())
    if key not in RULES:
        raise UsageError(f'unknown rule "{code}"{suggest(code)}')
    return RULES[key]


def suggest(code: str) -> str:
    """``; did you mean "DN103" (no-shared-network)?`` for a code or name close to a rule's, else a pointer at
    the list."""
    ids = difflib.get_close_matches(code.upper(), list(RULES), n=1, cutoff=0.6)
    names = difflib.get_close_matches(code.lower(), list(BY_NAME), n=1, cutoff=0.6)
    if names:
        return f'; did you mean "{names[0]}" ({BY_NAME[names[0]]})?'
    if ids:
        return f'; did you mean "{ids[0]}" ({RULES[ids[0]].META.name})?'
    return " (see `dockernet rules`)"


def run(ctx: Context, selected: frozenset[str] | None = None) -> Iterator[Finding]:
    """Every finding of every selected rule."""
    for rule_id, module in RULES.items():
        if selected is None or rule_id in selected:
            yield from module.check(ctx)
