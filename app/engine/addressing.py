"""What every interface gets [ADDR]: statics and their warnings, DHCP leases, APIPA, MAC addresses."""

from datetime import timedelta
from ipaddress import IPv4Address, IPv4Interface

from app.engine.macs import apipa_candidates, hyper_v_mac, virtual_pc_mac
from app.engine.products import MacScheme
from app.engine.segments import NAT_GATEWAY, NAT_POOL
from app.engine.topology import HostState, Nic, Segment, SegmentKind, Topology

APIPA_PREFIX = 16


def assign_addresses(topology: Topology) -> None:
    _claim_static_addresses(topology)
    _place_lan_pcs(topology)
    for host in topology.hosts:
        if host.lan_nic is not None:
            _assign(host.lan_nic, topology)
            for server in host.nat_servers:  # the NAT hands its guests the host OS's DNS [NAT-2..4]
                server.dns_servers = list(host.lan_nic.dns_servers)
                server.dns_suffix = host.lan_nic.dns_suffix
        _assign_automatic_macs(host)
        for nic in host.vnics + host.vm_nics:
            _assign(nic, topology)
    _flag_duplicate_macs(topology)


def _claim_static_addresses(topology: Topology) -> None:
    """Statics hold their address before any DHCP client asks; the later of two holders loses [ST]."""
    holders: dict[tuple[int, IPv4Address], Nic] = {}
    for host in topology.hosts:
        for nic in host.all_nics():
            segment, setting = nic.segment, nic.setting
            if segment is None or setting is None:
                continue
            address = setting.ip.ip
            nic.state = "connected"
            if address in segment.held:
                earlier = holders.get((id(segment), address))
                nic.state = "conflict"
                nic.warn("duplicate_ip", _duplicate_message(address, segment, earlier.label if earlier else None))
                if earlier is not None:
                    earlier.warn("duplicate_ip", _duplicate_message(address, segment, nic.label))
                continue
            segment.held[address] = nic.label
            holders[(id(segment), address)] = nic
            for server in segment.dhcp_servers:
                server.taken.add(int(address))


def _place_lan_pcs(topology: Topology) -> None:
    """Each LAN's ordinary PC takes the highest address of the subnet that nothing holds statically, and holds
    it, so that no DHCP server hands it out again."""
    for endpoint in topology.endpoints:
        if not endpoint.id.startswith("lan:"):
            continue
        pc = endpoint.nics[0]
        segment, subnet = pc.segment, pc.interface.network  # type: ignore[union-attr]
        assert segment is not None
        address = subnet.broadcast_address - 1
        while address in segment.held and address > subnet.network_address + 1:
            address -= 1
        pc.interface = IPv4Interface((address, subnet.prefixlen))
        segment.held.setdefault(address, pc.label)
        for server in segment.dhcp_servers:
            server.taken.add(int(address))


def _duplicate_message(address: IPv4Address, segment: Segment, other: str | None) -> str:
    who = other or segment.held[address]
    return f"{address} is used twice on {segment.label} (also by {who}); the later one in the lab is disabled"


def _assign_automatic_macs(host: HostState) -> None:
    host_ip = host.lan_nic.interface.ip if host.lan_nic is not None and host.lan_nic.interface else None
    counter = 0
    for nic in host.vnics + host.vm_nics:
        if not nic.automatic_mac:
            continue
        if host.rules.mac_scheme == MacScheme.HYPER_V:
            nic.mac = hyper_v_mac(host_ip, counter)
        else:
            nic.mac = virtual_pc_mac(host.nic_mac, counter)
        counter += 1


def _assign(nic: Nic, topology: Topology) -> None:
    segment = nic.segment
    if segment is None:
        nic.state, nic.source = "not_connected", "none"
        return
    if nic.setting is not None:
        _apply_static(nic, segment)
        return
    nic.state = "connected"
    servers = segment.dhcp_servers
    if len(servers) > 1:
        names = ", ".join(server.label for server in servers)
        nic.warn("multiple_dhcp_servers", f"{len(servers)} DHCP servers answer on {segment.label}: {names}")
    for server in servers:
        address = server.offer(segment.held)
        if address is None:
            continue
        segment.held[address] = nic.label
        nic.source = "dhcp"
        nic.interface = IPv4Interface((int(address), server.network.prefixlen))
        nic.gateway = server.gateway
        nic.dhcp_server = server.server_address
        nic.dns_servers = list(server.dns_servers)
        nic.dns_suffix = server.dns_suffix
        nic.lease_obtained = topology.clock
        nic.lease_expires = topology.clock + timedelta(seconds=server.lease_seconds)
        return
    if servers:
        nic.warn(
            "dhcp_pool_exhausted",
            f"no DHCP server on {segment.label} had a free address left; Windows fell back to APIPA",
        )
    _apply_apipa(nic, segment)


def _apply_static(nic: Nic, segment: Segment) -> None:
    setting = nic.setting
    assert setting is not None
    nic.source = "static"
    nic.interface = setting.ip
    nic.gateway = setting.gateway
    nic.dns_servers = list(setting.dns_servers)
    if segment.subnet is not None and setting.ip.ip not in segment.subnet:
        nic.warn(
            "subnet_mismatch",
            f"{setting.ip.ip} lies outside {segment.subnet}, the subnet used on {segment.label}",
        )
    if segment.kind == SegmentKind.NAT:
        in_pool = NAT_POOL[0] <= setting.ip.ip <= NAT_POOL[1]
        if not in_pool or setting.gateway != NAT_GATEWAY:
            nic.nat_outside_range = True
            nic.warn(
                "static_outside_nat_range",
                f"Virtual PC's NAT translates only {NAT_POOL[0]}–{NAT_POOL[1]} with gateway {NAT_GATEWAY}; "
                f"{setting.ip.ip} (gateway {setting.gateway or 'none'}) gets no outside access [NAT-6]",
            )


def _apply_apipa(nic: Nic, segment: Segment) -> None:
    for candidate in apipa_candidates(nic.mac):
        if candidate not in segment.held:
            segment.held[candidate] = nic.label
            nic.source = "apipa"
            nic.interface = IPv4Interface((int(candidate), APIPA_PREFIX))
            return


def _flag_duplicate_macs(topology: Topology) -> None:
    sharing: dict[tuple[int, str], list[Nic]] = {}
    for host in topology.hosts:
        for nic in host.all_nics():
            if nic.segment is not None:
                sharing.setdefault((id(nic.segment), nic.mac), []).append(nic)
    for nics in sharing.values():
        if len(nics) < 2:
            continue
        names = ", ".join(nic.label for nic in nics)
        for nic in nics:
            nic.warn("duplicate_mac", f"{nic.mac} is used by {names} on {nic.segment.label}: frames go astray")  # type: ignore[union-attr]
