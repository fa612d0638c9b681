"""Host proxies (--host-nginx, --host-proxy): the options, the service that stands for the proxy, and how a
loopback address from the host meets the containers' published ports."""

from __future__ import annotations

import pytest

from dockernet.analysis.resolve import accepts, loopback_addresses
from dockernet.errors import InputError, UsageError
from dockernet.model import HOST_PROJECT, NetworkMode, PortMapping, Proxy
from dockernet.sources import hostproxy
from tests.conftest import REPO

SAMPLE = REPO / "compose-samples/dn117-host-port-not-published/broken/host-nginx.conf"


def test_parse_takes_every_kind_by_name() -> None:
    assert hostproxy.parse(["caddy=/etc/caddy/Caddyfile"], ["/etc/nginx/nginx.conf"]) == (
        ("nginx", "/etc/nginx/nginx.conf"),
        ("caddy", "/etc/caddy/Caddyfile"),
    )
    with pytest.raises(UsageError, match='no reader for "squid"'):
        hostproxy.parse(["squid=/etc/squid.conf"])
    with pytest.raises(UsageError, match="KIND=PATH"):
        hostproxy.parse(["nginx"])


def test_names_are_unique() -> None:
    assert hostproxy.names(["nginx", "caddy", "nginx"]) == ["nginx", "caddy", "nginx-2"]


def test_a_host_proxy_is_a_service_in_the_hosts_namespace() -> None:
    ((service, proxy),) = hostproxy.from_files([("nginx", str(SAMPLE))])
    assert service.project == HOST_PROJECT and service.on_host
    assert service.network_mode is NetworkMode.HOST and not service.networks
    assert isinstance(proxy, Proxy) and len(proxy.routes) == 3
    assert proxy.origin == "on the host (--host-nginx)"


def test_a_missing_file_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no such file"):
        hostproxy.from_files([("nginx", "/nonexistent/nginx.conf")])


@pytest.mark.parametrize(
    ("host_ip", "address", "reached"),
    [
        (None, "127.0.0.1", True),  # no address: all of them
        (None, "::1", True),
        ("0.0.0.0", "127.0.0.1", True),
        ("0.0.0.0", "::1", False),
        ("127.0.0.1", "127.0.0.1", True),
        ("127.0.0.2", "127.0.0.1", False),
        ("172.17.0.1", "127.0.0.1", False),  # the docker0 address is not on the loopback interface
        ("::", "::1", True),
        ("[::1]", "::1", True),
    ],
)
def test_which_published_ports_loopback_reaches(host_ip: str | None, address: str, reached: bool) -> None:
    assert accepts(PortMapping(target=80, published=8080, host_ip=host_ip), address) is reached


def test_loopback_addresses() -> None:
    assert loopback_addresses("localhost") == ("127.0.0.1", "::1")
    assert loopback_addresses("0.0.0.0") == ("127.0.0.1",)
    assert loopback_addresses("127.0.0.1") == ("127.0.0.1",)
