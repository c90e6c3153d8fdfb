"""Rules that look across a lab document: unique names, references, product rules, services.

Each broken rule becomes one error with its place in the document, the offending value and what is
allowed, so the CLI, the API and the forms all show the same message next to the same field.
"""

from __future__ import annotations

import itertools
from ipaddress import IPv4Network
from typing import TYPE_CHECKING, Any

from pydantic_core import InitErrorDetails, PydanticCustomError

from app.engine.products import HYPER_V_MAC_POOL_SIZE, PRODUCTS, MacScheme, NetworkKind, Product

if TYPE_CHECKING:
    from app.engine.document import Host, LabDocument, Lan, Network, PoolRange, Vm

Loc = tuple[str | int, ...]


class _Collector:
    def __init__(self) -> None:
        self.errors: list[InitErrorDetails] = []

    def add(self, loc: Loc, value: Any, message: str) -> None:
        self.errors.append(
            InitErrorDetails(
                type=PydanticCustomError("lab_rule", message),  # type: ignore[arg-type]
                loc=loc,
                input=_plain(value),
            )
        )


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


MAX_NAMES_LISTED = 10
CASE_ONLY_NOTE = " (the names differ only in case, which Windows ignores)"


def listed(names: list[str]) -> str:
    """Names for a message, quoted: at most ten, then how many there are in all."""
    if not names:
        return "none"
    shown = ", ".join(repr(name) for name in names[:MAX_NAMES_LISTED])
    return shown if len(names) <= MAX_NAMES_LISTED else f"{shown}, … ({len(names)} in all)"


def _label(product: Product) -> str:
    return PRODUCTS[product].label


def _how_many(limit: int) -> str:
    return "one" if limit == 1 else f"at most {limit}"


def lab_rule_errors(lab: LabDocument) -> list[InitErrorDetails]:
    out = _Collector()
    _unique(out, ("lans",), [lan.name for lan in lab.lans], "LAN")
    _unique(out, ("hosts",), [host.name for host in lab.hosts], "host")
    for i, lan in enumerate(lab.lans):
        _check_lan(out, ("lans", i), lan)
    lans = {lan.name: lan for lan in lab.lans}
    networks_by_host = {host.name: [n.name for n in host.effective_networks()] for host in lab.hosts}
    for i, host in enumerate(lab.hosts):
        _check_host(out, ("hosts", i), host, lans, networks_by_host)
    _check_goals(out, lab)
    return out.errors


def _check_goals(out: _Collector, lab: LabDocument) -> None:
    """A goal names endpoints and adapters that are in the lab (SPEC §12)."""
    endpoints = {"internet"} | {f"lan:{lan.name}" for lan in lab.lans}
    adapters: set[str] = set()
    for host in lab.hosts:
        endpoints.add(f"host:{host.name}")
        for vm in host.vms:
            endpoints.add(f"vm:{host.name}/{vm.name}")
            adapters.update(f"{host.name}/{vm.name}#{n}" for n in range(1, len(vm.adapters) + 1))
    for g, goal in enumerate(lab.goals):
        pair = getattr(goal, "reach", None) or getattr(goal, "no_reach", None)
        field = "reach" if getattr(goal, "reach", None) else "no_reach"
        for side, endpoint in enumerate(pair or ()):
            if endpoint not in endpoints:
                out.add(
                    ("goals", g, field, side),
                    endpoint,
                    f"no endpoint '{endpoint}' in this lab: write vm:<host>/<vm>, host:<host>, lan:<lan> or internet",
                )
        address = getattr(goal, "address", None)
        if address is not None and address not in adapters:
            out.add(("goals", g, "address"), address, f"no adapter '{address}' in this lab: write <host>/<vm>#<n>")


def _unique(out: _Collector, loc: Loc, names: list[str], what: str, ignore_case: bool = False) -> None:
    first_at: dict[str, int] = {}
    for index, name in enumerate(names):
        key = name.casefold() if ignore_case else name
        if key in first_at:
            earlier = names[first_at[key]]
            case_note = CASE_ONLY_NOTE if earlier != name else ""
            out.add(
                (*loc, index, "name"),
                name,
                f"{what} name '{name}' is already used by {_path((*loc, first_at[key]))}{case_note}; "
                "names must be unique",
            )
        else:
            first_at[key] = index


def _path(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _check_range(out: _Collector, loc: Loc, pool: PoolRange, inside: IPv4Network, where: str) -> None:
    for bound, address in (("start", pool.start), ("end", pool.end)):
        if address not in inside:
            out.add((*loc, bound), address, f"range {bound} {address} is outside {where} {inside}")
        elif inside.prefixlen < 31 and address in (inside.network_address, inside.broadcast_address):
            out.add((*loc, bound), address, f"range {bound} {address} is not a host address of {inside}")
    if pool.start > pool.end:
        out.add(loc, [pool.start, pool.end], f"range start {pool.start} is above its end {pool.end}")


def _check_lan(out: _Collector, loc: Loc, lan: Lan) -> None:
    subnet = lan.subnet
    if lan.gateway is not None:
        if lan.gateway not in subnet:
            out.add((*loc, "gateway"), lan.gateway, f"gateway {lan.gateway} is outside the LAN subnet {subnet}")
        elif lan.gateway in (subnet.network_address, subnet.broadcast_address):
            out.add((*loc, "gateway"), lan.gateway, f"gateway {lan.gateway} is not a host address of {subnet}")
    elif lan.internet:
        out.add((*loc, "internet"), True, "internet access needs a router: set `gateway` or `internet: false`")
    if lan.dhcp is not None:
        pool = lan.dhcp.range
        _check_range(out, (*loc, "dhcp", "range"), pool, subnet, "the LAN subnet")
        if lan.gateway is not None and pool.start <= lan.gateway <= pool.end:
            out.add(
                (*loc, "dhcp", "range"),
                [pool.start, pool.end],
                f"the DHCP range includes the router's address {lan.gateway}; start or end it beside the router",
            )


def _check_host(
    out: _Collector, loc: Loc, host: Host, lans: dict[str, Lan], networks_by_host: dict[str, list[str]]
) -> None:
    rules = PRODUCTS[host.product]
    if host.lan is not None and host.lan not in lans:
        out.add((*loc, "lan"), host.lan, f"no LAN named '{host.lan}' (LANs: {listed(list(lans))})")
    if host.lan is None and host.address != "dhcp":
        out.add(
            (*loc, "address"),
            host.address.ip,
            f"host {host.name} is on no LAN, so its OS has no LAN address to set; add `lan:` or drop `address`",
        )
    if host.lan is not None and host.address != "dhcp":
        lan = lans.get(host.lan)
        if lan is not None and host.address.ip.ip in (lan.subnet.network_address, lan.subnet.broadcast_address):
            out.add((*loc, "address", "ip"), host.address.ip, f"not a host address of the LAN subnet {lan.subnet}")

    networks = host.effective_networks()
    _unique(out, (*loc, "networks"), [n.name for n in networks], "network")
    kind_counts: dict[NetworkKind, int] = {}
    for j, network in enumerate(networks):
        _check_network(out, (*loc, "networks", j), host, network, lans)
        kind_counts[network.kind] = kind_counts.get(network.kind, 0) + 1
        limit = rules.network_limits.get(network.kind)
        if rules.offers(network.kind) and limit is not None and kind_counts[network.kind] > limit:
            out.add(
                (*loc, "networks", j, "kind"),
                network.kind,
                f"{rules.label} allows {_how_many(limit)} {network.kind} network per host [P-1]",
            )

    _unique(out, (*loc, "vms"), [vm.name for vm in host.vms], "VM", ignore_case=True)
    own_networks = {n.name: n for n in networks}
    automatic_macs = 0
    for j, network in enumerate(networks):
        if _has_host_vnic(host, network):
            automatic_macs += 1
            if automatic_macs == HYPER_V_MAC_POOL_SIZE + 1:
                out.add(
                    (*loc, "networks", j, "kind"),
                    network.kind,
                    f"each internal network gives the host a vEthernet adapter with a MAC from the dynamic pool of "
                    f"host {host.name}, which holds {HYPER_V_MAC_POOL_SIZE} addresses: this one has none left",
                )
    for k, vm in enumerate(host.vms):
        automatic_macs = _check_vm(out, (*loc, "vms", k), host, vm, own_networks, networks_by_host, automatic_macs)


def _has_host_vnic(host: Host, network: Network) -> bool:
    return host.product == Product.HYPER_V and network.kind == NetworkKind.INTERNAL


def _check_network(out: _Collector, loc: Loc, host: Host, network: Network, lans: dict[str, Lan]) -> None:
    rules = PRODUCTS[host.product]
    fixed_name = rules.fixed_network_names.get(network.kind)
    if fixed_name is not None and network.name != fixed_name:
        out.add(
            (*loc, "name"),
            network.name,
            f"{rules.label} calls its {network.kind} network '{fixed_name}'; it cannot be renamed",
        )
    if not rules.offers(network.kind):
        out.add(
            (*loc, "kind"),
            network.kind,
            f"{rules.label} offers {rules.offered_kinds()} networks, not {network.kind} [P-1]",
        )
    if network.kind == NetworkKind.EXTERNAL and host.lan is None:
        out.add(
            (*loc, "kind"),
            network.kind,
            f"an external network bridges the host's NIC to its LAN, but host {host.name} has no `lan` [P-5]",
        )
    if network.dhcp is not None:
        if not (rules.vs_dhcp_allowed and network.kind == NetworkKind.INTERNAL):
            out.add(
                (*loc, "dhcp"),
                "dhcp",
                f"a built-in DHCP server exists only on {_label(Product.VIRTUAL_SERVER_2005_R2)} internal networks "
                f"(this network is {network.kind}, on {rules.label})",
            )
        else:
            _check_virtual_server_dhcp(out, (*loc, "dhcp"), network)
    if network.management_os is not None and not (
        host.product == Product.HYPER_V and network.kind == NetworkKind.EXTERNAL
    ):
        out.add(
            (*loc, "management_os"),
            network.management_os,
            f"management_os applies only to {_label(Product.HYPER_V)} external networks [P-6]",
        )
    if network.host_address is not None and not _has_host_vnic(host, network):
        out.add(
            (*loc, "host_address"),
            "static" if network.host_address != "dhcp" else "dhcp",
            f"host_address applies only to {_label(Product.HYPER_V)} internal networks (the host's vEthernet adapter)",
        )


def _check_virtual_server_dhcp(out: _Collector, loc: Loc, network: Network) -> None:
    dhcp = network.dhcp
    assert dhcp is not None
    subnet = dhcp.network
    _check_range(out, (*loc, "range"), dhcp.range, subnet, "the DHCP network")
    lowest_start = subnet.network_address + 16
    if dhcp.range.start in subnet and dhcp.range.start < lowest_start:
        out.add(
            (*loc, "range", "start"),
            dhcp.range.start,
            f"Virtual Server reserves the first 16 addresses of {subnet}: start at {lowest_start} or above [VSD-3]",
        )
    for field, address in (("server", dhcp.server), ("gateway", dhcp.gateway)):
        if address is not None and address not in subnet:
            out.add((*loc, field), address, f"{field} {address} is outside the DHCP network {subnet}")
    if dhcp.range.start <= dhcp.server <= dhcp.range.end:
        out.add((*loc, "server"), dhcp.server, "the server's own address must lie outside the range it hands out")
    if dhcp.lease_seconds < 60:
        out.add((*loc, "lease_seconds"), dhcp.lease_seconds, "a lease must last at least 60 seconds [VSD-4]")
    timers = [
        ("renewal_seconds", dhcp.renewal_seconds),
        ("rebinding_seconds", dhcp.rebinding_seconds),
        ("lease_seconds", dhcp.lease_seconds),
    ]
    given = [(name, value) for name, value in timers if value is not None]
    for (earlier, low), (later, high) in itertools.pairwise(given):
        if not low < high:
            out.add(
                (*loc, earlier),
                low,
                f"{earlier} ({low}) must be less than {later} ({high}): renewal < rebinding < lease [VSD-4]",
            )


def _check_vm(
    out: _Collector,
    loc: Loc,
    host: Host,
    vm: Vm,
    own_networks: dict[str, Network],
    networks_by_host: dict[str, list[str]],
    automatic_macs: int,
) -> int:
    rules = PRODUCTS[host.product]
    if len(vm.adapters) > rules.max_adapters:
        out.add(
            (*loc, "adapters"),
            len(vm.adapters),
            rules.too_many_adapters(len(vm.adapters)),
        )
    for index, adapter in enumerate(vm.adapters, start=1):
        aloc = (*loc, "adapters", index - 1)
        if adapter.network is not None:
            network = own_networks.get(adapter.network)
            if network is None:
                out.add((*aloc, "network"), adapter.network, _unknown_network(host, adapter.network, networks_by_host))
            elif (
                network.kind == NetworkKind.NAT
                and rules.nat_adapter_indexes is not None
                and index not in rules.nat_adapter_indexes
            ):
                out.add(
                    (*aloc, "network"),
                    adapter.network,
                    f"{rules.label} offers shared networking (NAT) on adapter 1 only; this is adapter {index} [P-2]",
                )
        if adapter.mac is not None and not rules.static_mac_allowed:
            out.add((*aloc, "mac"), adapter.mac, "Virtual PC assigns MAC addresses itself; remove `mac` [P-3]")
        if adapter.mac is None and rules.mac_scheme == MacScheme.HYPER_V:
            automatic_macs += 1
            if automatic_macs == HYPER_V_MAC_POOL_SIZE + 1:
                out.add(
                    (*aloc, "mac"),
                    None,
                    f"the dynamic MAC pool of host {host.name} holds {HYPER_V_MAC_POOL_SIZE} addresses and is "
                    "exhausted here; give this adapter a static `mac`",
                )
        if adapter.vlan is not None and not rules.vlan_allowed:
            out.add(
                (*aloc, "vlan"),
                adapter.vlan,
                f"VLAN ids exist only on {_label(Product.HYPER_V)}, not {rules.label} [P-6]",
            )
    _check_services(out, (*loc, "services"), vm)
    return automatic_macs


def _unknown_network(host: Host, name: str, networks_by_host: dict[str, list[str]]) -> str:
    elsewhere = [other for other, names in networks_by_host.items() if other != host.name and name in names]
    if elsewhere:
        return (
            f"network '{name}' belongs to host {elsewhere[0]}; an adapter attaches only to networks of its own "
            f"VM's host ({host.name}) [P-4]"
        )
    return f"host {host.name} has no network '{name}' (its networks: {listed(networks_by_host[host.name])}) [P-4]"


def _check_services(out: _Collector, loc: Loc, vm: Vm) -> None:
    count = len(vm.adapters)
    dhcp_server, ics = vm.services.dhcp_server, vm.services.ics
    if dhcp_server is not None:
        dloc = (*loc, "dhcp_server")
        if _adapter_exists(out, (*dloc, "adapter"), dhcp_server.adapter, count):
            address = vm.adapters[dhcp_server.adapter - 1].address
            if address == "dhcp":
                out.add(
                    (*dloc, "adapter"),
                    dhcp_server.adapter,
                    f"a DHCP server needs a static address on the adapter it serves; adapter {dhcp_server.adapter} "
                    "uses dhcp [SVC]",
                )
            else:
                subnet = address.ip.network
                _check_range(out, (*dloc, "range"), dhcp_server.range, subnet, "the served adapter's subnet")
                if dhcp_server.range.start <= address.ip.ip <= dhcp_server.range.end:
                    out.add(
                        (*dloc, "range"),
                        [dhcp_server.range.start, dhcp_server.range.end],
                        f"the range includes the server's own address {address.ip.ip}",
                    )
                if dhcp_server.gateway is not None and dhcp_server.gateway not in subnet:
                    out.add(
                        (*dloc, "gateway"),
                        dhcp_server.gateway,
                        f"gateway {dhcp_server.gateway} is outside the served subnet {subnet}",
                    )
    if ics is not None:
        iloc = (*loc, "ics")
        public_ok = _adapter_exists(out, (*iloc, "public"), ics.public, count)
        private_ok = _adapter_exists(out, (*iloc, "private"), ics.private, count)
        if public_ok and private_ok and ics.public == ics.private:
            out.add((*iloc, "private"), ics.private, "ICS needs two different adapters: public and private")
        if dhcp_server is not None and dhcp_server.adapter == ics.private:
            out.add(
                (*loc, "dhcp_server", "adapter"),
                dhcp_server.adapter,
                "ICS already serves DHCP on its private adapter; run the DHCP server on another adapter",
            )


def _adapter_exists(out: _Collector, loc: Loc, index: int, count: int) -> bool:
    if index > count:
        out.add(loc, index, f"the VM has {count} adapter(s); there is no adapter {index}")
        return False
    return True
