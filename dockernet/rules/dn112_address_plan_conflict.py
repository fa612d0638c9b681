"""
## What it does
Checks the address plan of the compose networks: invalid subnets and addresses, a static address
(`ipv4_address`, `ipv6_address`) outside its network's subnet or on a network without a configured subnet,
a gateway outside its subnet, overlapping subnets between networks, and two static addresses that are equal
on one network; with `check --engine`, a subnet that overlaps a network already on the engine. (A subnet
with host bits set, or an `ip_range` outside its subnet, the engine accepts.)

## Why is this bad?
`docker compose config` accepts all of these; `docker compose up` then fails, e.g.
`Invalid address 10.99.0.5: It does not belong to any of this network's subnets`,
`Pool overlaps with other one on this address space`,
`failed to allocate gateway (172.29.41.1): Requested address is out of range`,
`user specified IP address is supported only when connecting to networks with user configured subnets`.
The proxy never starts, and the site answers nothing or 502 from an outer proxy.

## Example
```yaml
services:
  app:
    networks:
      back: {ipv4_address: 10.99.0.5}
networks:
  back:
    ipam:
      config: [{subnet: 172.29.20.0/24}]
```

## Use instead
```yaml
services:
  app:
    networks:
      back: {ipv4_address: 172.29.20.5}
```
"""

from __future__ import annotations

from collections.abc import Iterator

import netaddr

from dockernet.model import Attachment, Loc, Network
from dockernet.model.findings import Finding, Severity
from dockernet.rules.base import Context, Meta, finding

META = Meta("DN112", "address-plan-conflict", Severity.ERROR)


def _net(value: str) -> netaddr.IPNetwork | None:
    try:
        return netaddr.IPNetwork(value)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        return None


def _ip(value: str) -> netaddr.IPAddress | None:
    try:
        return netaddr.IPAddress(value, flags=netaddr.INET_PTON)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        return None


def check(ctx: Context) -> Iterator[Finding]:
    """CIDR checks over every network and static address."""
    seen_subnets: list[tuple[netaddr.IPNetwork, Network, Loc]] = []
    live = {p.name for p in ctx.topo.topology.projects if p.live}
    # Networks that exist on the engine (check --engine, scan): a compose network may not overlap them.
    engine = [
        (subnet, net)
        for net in ctx.topo.topology.engine_networks
        for subnet in (_net(cfg.subnet) for cfg in net.ipam if cfg.subnet)
        if subnet is not None
    ]
    for node in sorted(ctx.topo.networks):
        net = ctx.topo.networks[node]
        if net.external or not net.declared:
            continue
        for cfg in net.ipam:
            loc = cfg.loc if cfg.loc.file else net.loc
            subnet = _net(cfg.subnet) if cfg.subnet else None
            if cfg.subnet and subnet is None:
                yield finding(
                    META,
                    f'network {net.name}: "{cfg.subnet}" is not a valid subnet',
                    "write the subnet in CIDR form, e.g. 172.28.0.0/16",
                    loc,
                    network=net.name,
                )
                continue
            if subnet is None:
                continue
            # Engine 20.10 accepts a subnet with host bits set (it uses the network address) and an
            # ip_range outside the subnet (it allocates from the subnet): neither is checked here.
            gateway = _ip(cfg.gateway) if cfg.gateway else None
            if cfg.gateway and gateway is None:
                yield finding(
                    META,
                    f'network {net.name}: gateway "{cfg.gateway}" is not valid',
                    f"give an address inside {subnet.cidr}",
                    loc,
                    network=net.name,
                )
            elif gateway is not None and gateway not in subnet:
                yield finding(
                    META,
                    f"network {net.name}: gateway {cfg.gateway} is outside its subnet {subnet.cidr}; "
                    "docker compose up fails",
                    f"use a gateway inside {subnet.cidr}",
                    loc,
                    network=net.name,
                )
            if net.project not in live:
                for other, other_net in engine:
                    if other_net.name != net.name and (subnet in other or other in subnet):
                        yield finding(
                            META,
                            f"network {net.name}: subnet {subnet.cidr} overlaps {other.cidr} of network "
                            f"{other_net.name}, which already exists on the engine; docker compose up fails "
                            'with "Pool overlaps with other one on this address space"',
                            f"choose a subnet that no network on the engine uses, or remove {other_net.name}",
                            loc,
                            network=net.name,
                        )
            for other, other_net, other_loc in seen_subnets:
                if other_net.name != net.name and (subnet in other or other in subnet):
                    yield finding(
                        META,
                        f"network {net.name}: subnet {subnet.cidr} overlaps {other.cidr} of "
                        f'network {other_net.name}; docker compose up fails with "Pool overlaps '
                        f'with other one on this address space"',
                        "give each network its own non-overlapping subnet",
                        loc,
                        related=(other_loc,),
                        network=net.name,
                    )
            seen_subnets.append((subnet, net, loc))
    yield from _static_addresses(ctx)


def _static_addresses(ctx: Context) -> Iterator[Finding]:
    taken: dict[tuple[str, str], str] = {}
    for node in sorted(ctx.topo.services):
        svc = ctx.service(node)
        for _, net_node, data in ctx.topo.graph.out_edges(node, data=True):
            if data.get("kind") != "attach":
                continue
            att: Attachment = data["att"]
            if not (att.ipv4_address or att.ipv6_address):
                continue
            net = ctx.topo.networks[net_node]
            nets = [n for n in (_net(c.subnet) for c in net.ipam if c.subnet) if n is not None]
            for value in (att.ipv4_address, att.ipv6_address):
                if not value:
                    continue
                ip = _ip(value)
                if ip is None:
                    yield finding(
                        META,
                        f'{svc.name}: "{value}" is not a valid IP address',
                        "write a plain address, without a prefix length",
                        att.loc,
                        service=svc,
                    )
                    continue
                if not nets:
                    if not net.external:
                        yield finding(
                            META,
                            f"{svc.name}: static address {value} on network {net.name}, "
                            "which has no configured subnet; docker compose up fails",
                            f"add ipam: {{config: [{{subnet: ...}}]}} to network {net.key}",
                            att.loc,
                            service=svc,
                        )
                    continue
                if not any(ip in n for n in nets):
                    yield finding(
                        META,
                        f"{svc.name}: static address {value} is outside the subnet of network "
                        f"{net.name} ({', '.join(str(n.cidr) for n in nets)}); docker compose up "
                        "fails",
                        f"use an address inside {nets[0].cidr}",
                        att.loc,
                        service=svc,
                    )
                key = (net.name, str(ip))
                if key in taken and taken[key] != svc.name:
                    yield finding(
                        META,
                        f"{svc.name}: static address {value} on network {net.name} is also "
                        f"given to {taken[key]}",
                        "give each container its own address",
                        att.loc,
                        service=svc,
                    )
                taken.setdefault(key, svc.name)
