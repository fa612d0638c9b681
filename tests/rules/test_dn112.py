"""DN112 address-plan-conflict: every branch, on inline compose projects run through the static pipeline.

What ``docker compose up`` does with each of these was checked on the test engine (Engine 20.10.24,
Compose 2.26.1; ``docker compose config`` accepts all of them):

* static address outside the subnet: ``Invalid address 10.211.113.5: It does not belong to any of this
  network's subnets`` (also compose-samples/dn112-address-plan-conflict/broken);
* gateway outside the subnet: ``failed to allocate gateway (10.211.121.1): Requested address is out of
  range``;
* overlapping subnets: ``Pool overlaps with other one on this address space``;
* one static address for two services: ``Address already in use``;
* static address on a network without a subnet: ``user specified IP address is supported only when
  connecting to networks with user configured subnets``;
* subnet ``10.211.128.0/33``: ``Invalid subnet 10.211.128.0/33 : invalid CIDR address``;
* ``ipv4_address: 10.211.129.5/24``: ``invalid IPv4 address: 10.211.129.5/24``.

And two that the engine accepts, so DN112 stays quiet on them (the tests at the end): a subnet with host bits
set (``10.211.125.5/24`` works as 10.211.125.0/24) and an ``ip_range`` outside the subnet (the container gets
an address from the subnet).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from dockernet import pipeline
from dockernet.model.findings import Finding
from dockernet.pipeline.requests import ComposeRequest


def dn112(tmp_path: Path, compose: str, *more: str) -> list[Finding]:
    """DN112 findings of the project(s): ``compose`` in tmp_path/a, each of ``more`` in tmp_path/b, c..."""
    dirs = []
    for i, text in enumerate((compose, *more)):
        d = tmp_path / "abcdefgh"[i]
        d.mkdir()
        (d / "compose.yaml").write_text(textwrap.dedent(text).lstrip("\n"))
        dirs.append(str(d))
    topology = pipeline.load_static(ComposeRequest(dirs=tuple(dirs)))
    return [f for f in pipeline.analyse(topology).findings if f.rule == "DN112"]


def where(findings: list[Finding]) -> list[tuple[str, int]]:
    return sorted((Path(f.loc.file).name, f.loc.line) for f in findings)


# ------------------------------------------------------------------------------------- static addresses


def test_static_address_outside_subnet(tmp_path: Path) -> None:
    found = dn112(
        tmp_path,
        """
        name: t
        services:
          app:
            image: dockernet-test/busybox:latest
            networks:
              back:
                ipv4_address: 10.211.113.5
        networks:
          back:
            ipam:
              config:
                - subnet: 10.211.112.0/24
        """,
    )
    assert where(found) == [("compose.yaml", 6)]
    (f,) = found
    assert f.severity.value == "error"
    assert f.service == "app"
    assert "10.211.113.5 is outside the subnet of network t_back (10.211.112.0/24)" in f.message
    assert "10.211.112.0/24" in f.hint


def test_static_address_inside_subnet_is_quiet(tmp_path: Path) -> None:
    assert not dn112(
        tmp_path,
        """
        name: t
        services:
          app:
            image: dockernet-test/busybox:latest
            networks:
              back:
                ipv4_address: 10.211.112.5
        networks:
          back:
            ipam:
              config:
                - subnet: 10.211.112.0/24
        """,
    )


def test_static_address_in_second_of_two_subnets_is_quiet(tmp_path: Path) -> None:
    assert not dn112(
        tmp_path,
        """
        name: t
        services:
          app:
            image: dockernet-test/busybox:latest
            networks:
              back:
                ipv4_address: 10.211.113.5
        networks:
          back:
            ipam:
              config:
                - subnet: 10.211.112.0/24
                - subnet: 10.211.113.0/24
        """,
    )


def test_static_ipv6_address_outside_subnet(tmp_path: Path) -> None:
    found = dn112(
        tmp_path,
        """
        name: t
        services:
          app:
            image: dockernet-test/busybox:latest
            networks:
              back:
                ipv4_address: 10.211.112.5
                ipv6_address: fd00:dd:113::5
        networks:
          back:
            enable_ipv6: true
            ipam:
              config:
                - subnet: 10.211.112.0/24
                - subnet: fd00:dd:112::/64
        """,
    )
    assert len(found) == 1
    assert "fd00:dd:113::5 is outside the subnet" in found[0].message


def test_static_address_on_network_without_subnet(tmp_path: Path) -> None:
    found = dn112(
        tmp_path,
        """
        name: t
        services:
          app:
            image: dockernet-test/busybox:latest
            networks:
              back:
                ipv4_address: 10.211.124.5
        networks:
          back: {}
        """,
    )
    assert where(found) == [("compose.yaml", 6)]
    assert "10.211.124.5 on network t_back, which has no configured subnet" in found[0].message
    assert "ipam" in found[0].hint


def test_static_address_on_implicit_default_network(tmp_path: Path) -> None:
    found = dn112(
        tmp_path,
        """
        name: t
        services:
          app:
            image: dockernet-test/busybox:latest
            networks:
              default:
                ipv4_address: 10.211.124.5
        """,
    )
    assert len(found) == 1
    assert "no configured subnet" in found[0].message


def test_static_address_on_external_network_is_not_judged(tmp_path: Path) -> None:
    # The subnet of a network created elsewhere is unknown to a static check.
    assert not dn112(
        tmp_path,
        """
        name: t
        services:
          app:
            image: dockernet-test/busybox:latest
            networks:
              shared:
                ipv4_address: 10.211.124.5
        networks:
          shared:
            external: true
        """,
    )


def test_duplicate_static_address(tmp_path: Path) -> None:
    found = dn112(
        tmp_path,
        """
        name: t
        services:
          app:
            image: dockernet-test/busybox:latest
            networks:
              back:
                ipv4_address: 10.211.123.5
          app2:
            image: dockernet-test/busybox:latest
            networks:
              back:
                ipv4_address: 10.211.123.5
        networks:
          back:
            ipam:
              config:
                - subnet: 10.211.123.0/24
        """,
    )
    assert len(found) == 1
    (f,) = found
    # Reported once, at the second service's attachment, naming the first.
    assert f.service == "app2"
    assert where(found) == [("compose.yaml", 11)]
    assert "10.211.123.5 on network t_back is also given to app" in f.message


def test_distinct_addresses_on_two_networks_are_quiet(tmp_path: Path) -> None:
    found = dn112(
        tmp_path,
        """
        name: t
        services:
          app:
            image: dockernet-test/busybox:latest
            networks:
              a:
                ipv4_address: 10.211.123.5
          app2:
            image: dockernet-test/busybox:latest
            networks:
              b:
                ipv4_address: 10.211.131.5
        networks:
          a:
            ipam:
              config:
                - subnet: 10.211.123.0/24
          b:
            ipam:
              config:
                - subnet: 10.211.131.0/24
        """,
    )
    assert found == []


def test_invalid_static_address(tmp_path: Path) -> None:
    found = dn112(
        tmp_path,
        """
        name: t
        services:
          app:
            image: dockernet-test/busybox:latest
            networks:
              back:
                ipv4_address: 10.211.129.5/24
        networks:
          back:
            ipam:
              config:
                - subnet: 10.211.129.0/24
        """,
    )
    assert len(found) == 1
    assert '"10.211.129.5/24" is not a valid IP address' in found[0].message


# ------------------------------------------------------------------------------------------- networks


def test_gateway_outside_subnet(tmp_path: Path) -> None:
    found = dn112(
        tmp_path,
        """
        name: t
        services:
          app:
            image: dockernet-test/busybox:latest
            networks: [back]
        networks:
          back:
            ipam:
              config:
                - subnet: 10.211.120.0/24
                  gateway: 10.211.121.1
        """,
    )
    assert len(found) == 1
    (f,) = found
    assert where(found) == [("compose.yaml", 10)]  # the ipam entry
    assert "gateway 10.211.121.1 is outside its subnet 10.211.120.0/24" in f.message


def test_gateway_inside_subnet_is_quiet(tmp_path: Path) -> None:
    assert not dn112(
        tmp_path,
        """
        name: t
        services:
          app:
            image: dockernet-test/busybox:latest
            networks: [back]
        networks:
          back:
            ipam:
              config:
                - subnet: 10.211.120.0/24
                  gateway: 10.211.120.254
        """,
    )


def test_overlapping_subnets(tmp_path: Path) -> None:
    found = dn112(
        tmp_path,
        """
        name: t
        services:
          app:
            image: dockernet-test/busybox:latest
            networks: [a, b]
        networks:
          a:
            ipam:
              config:
                - subnet: 10.211.122.0/24
          b:
            ipam:
              config:
                - subnet: 10.211.122.0/25
        """,
    )
    assert len(found) == 1
    (f,) = found
    assert "overlaps" in f.message and "Pool overlaps" in f.message
    assert "network t_b: subnet 10.211.122.0/25 overlaps 10.211.122.0/24 of network t_a" in f.message
    # At the second network's ipam entry, pointing at the first one's.
    assert where(found) == [("compose.yaml", 14)]
    assert [loc.line for loc in f.related] == [10]


def test_adjacent_subnets_are_quiet(tmp_path: Path) -> None:
    assert not dn112(
        tmp_path,
        """
        name: t
        services:
          app:
            image: dockernet-test/busybox:latest
            networks: [a, b]
        networks:
          a:
            ipam:
              config:
                - subnet: 10.211.122.0/25
          b:
            ipam:
              config:
                - subnet: 10.211.122.128/25
        """,
    )


def test_overlapping_subnets_across_projects(tmp_path: Path) -> None:
    one = """
        name: one
        services:
          app:
            image: dockernet-test/busybox:latest
            networks: [back]
        networks:
          back:
            ipam:
              config:
                - subnet: 10.211.130.0/24
        """
    found = dn112(tmp_path, one, one.replace("name: one", "name: two"))
    assert len(found) == 1
    assert "one_back" in found[0].message and "two_back" in found[0].message


def test_one_network_shared_by_two_projects_does_not_overlap_itself(tmp_path: Path) -> None:
    creator = """
        name: one
        services:
          app:
            image: dockernet-test/busybox:latest
            networks: [shared]
        networks:
          shared:
            name: dn112-shared
            ipam:
              config:
                - subnet: 10.211.130.0/24
        """
    user = """
        name: two
        services:
          proxy:
            image: dockernet-test/busybox:latest
            networks: [shared]
        networks:
          shared:
            name: dn112-shared
            external: true
        """
    assert dn112(tmp_path, creator, user) == []


def test_invalid_subnet(tmp_path: Path) -> None:
    found = dn112(
        tmp_path,
        """
        name: t
        services:
          app:
            image: dockernet-test/busybox:latest
            networks: [back]
        networks:
          back:
            ipam:
              config:
                - subnet: 10.211.128.0/33
        """,
    )
    assert len(found) == 1
    assert '"10.211.128.0/33" is not a valid subnet' in found[0].message


# ----------------------------------------------------------------- what the engine accepts after all


def test_subnet_with_host_bits_is_not_an_error(tmp_path: Path) -> None:
    found = dn112(
        tmp_path,
        """
        name: t
        services:
          app:
            image: dockernet-test/busybox:latest
            networks: [back]
        networks:
          back:
            ipam:
              config:
                - subnet: 10.211.125.5/24
        """,
    )
    assert [f for f in found if f.severity.value == "error"] == []


def test_ip_range_outside_subnet_does_not_fail_up(tmp_path: Path) -> None:
    found = dn112(
        tmp_path,
        """
        name: t
        services:
          app:
            image: dockernet-test/busybox:latest
            networks: [back]
        networks:
          back:
            ipam:
              config:
                - subnet: 10.211.126.0/24
                  ip_range: 10.211.127.0/25
        """,
    )
    assert not any("up fails" in f.message for f in found)
