"""Who shares a layer-2 domain [R 5.1]: segments, the interfaces on them, built-in DHCP and routers."""

from datetime import datetime
from ipaddress import IPv4Address, IPv4Interface, IPv4Network

from app.engine.document import Host, LabDocument, Lan, Network
from app.engine.macs import nic_mac_from_name
from app.engine.products import PRODUCTS, NetworkKind, Product
from app.engine.topology import (
    DhcpServer,
    Endpoint,
    Forwarder,
    ForwarderKind,
    HostState,
    Nic,
    Segment,
    SegmentKind,
    Topology,
)

NAT_SUBNET = IPv4Network("192.168.131.0/24")
NAT_GATEWAY = IPv4Address("192.168.131.254")
NAT_POOL = (IPv4Address("192.168.131.64"), IPv4Address("192.168.131.191"))  # [NAT-2..4]
NAT_LEASE_SECONDS = 536_870_911  # [NAT-9]
INTERNET = "internet"


def vm_endpoint_id(host: str, vm: str) -> str:
    return f"vm:{host}/{vm}"


def host_endpoint_id(host: str) -> str:
    return f"host:{host}"


def lan_endpoint_id(lan: str) -> str:
    return f"lan:{lan}"


def _vlan_suffix(vlan: int | None) -> str:
    return f" [vlan {vlan}]" if vlan is not None else ""


class _Builder:
    def __init__(self, lab: LabDocument):
        self.lab = lab
        self.lans = {lan.name: lan for lan in lab.lans}
        self.segments: dict[str, Segment] = {}

    def _segment(self, segment_id: str, **fields) -> Segment:
        segment = self.segments.get(segment_id)
        if segment is None:
            segment = Segment(id=segment_id, **fields)
            self.segments[segment_id] = segment
        return segment

    def lan_segment(self, lan: Lan, vlan: int | None = None) -> Segment:
        segment_id = lan.name + _vlan_suffix(vlan)
        if vlan is not None:  # a tagged slice of the LAN: no router and no DHCP answer there
            return self._segment(segment_id, label=segment_id, network_key=lan.name, kind=SegmentKind.LAN, vlan=vlan)
        if segment_id in self.segments:
            return self.segments[segment_id]
        segment = self._segment(segment_id, label=segment_id, network_key=lan.name, kind=SegmentKind.LAN)
        segment.subnet = lan.subnet
        if lan.gateway is not None:
            label = f"router {lan.gateway}"
            segment.forwarders[lan.gateway] = Forwarder(ForwarderKind.ROUTER, lan.gateway, label, lan=lan)
            segment.held[lan.gateway] = f"the router of {lan.name}"
        if lan.dhcp is not None:
            server_address = lan.gateway or next(lan.subnet.hosts())
            segment.held.setdefault(server_address, f"the DHCP server of {lan.name}")
            segment.dhcp_servers.append(
                DhcpServer(
                    label=f"the DHCP server of {lan.name}",
                    builtin=True,
                    network=lan.subnet,
                    first=int(lan.dhcp.range.start),
                    last=int(lan.dhcp.range.end),
                    server_address=server_address,
                    gateway=lan.gateway,
                    dns_servers=list(lan.dns_servers),
                    dns_suffix=lan.dns_suffix,
                    lease_seconds=lan.dhcp.lease_seconds,
                )
            )
        return segment

    def virtual_segment(self, host: Host, network: Network, vlan: int | None) -> Segment:
        key = f"{host.name}/{network.name}"
        segment_id = key + _vlan_suffix(vlan)
        kind = SegmentKind.PRIVATE if network.kind == NetworkKind.PRIVATE else SegmentKind.INTERNAL
        segment = self._segment(
            segment_id, label=segment_id, network_key=key, kind=kind, owner_host=host.name, vlan=vlan
        )
        dhcp = network.dhcp
        if dhcp is not None and not segment.dhcp_servers:
            label = f"the Virtual Server DHCP server of {key}"
            segment.subnet = dhcp.network
            segment.held.setdefault(dhcp.server, label)
            segment.dhcp_servers.append(
                DhcpServer(
                    label=label,
                    builtin=True,
                    network=dhcp.network,
                    first=int(dhcp.range.start),
                    last=int(dhcp.range.end),
                    server_address=dhcp.server,
                    gateway=dhcp.gateway,
                    dns_servers=list(dhcp.dns_servers),
                    dns_suffix=None,
                    lease_seconds=dhcp.lease_seconds,
                )
            )
        return segment

    def nat_segment(self, host: Host, network: Network, nat_server: DhcpServer, guest_label: str) -> Segment:
        key = f"{host.name}/{network.name}"
        segment = self._segment(
            f"{key} [{guest_label}]",
            label=key,
            network_key=key,
            kind=SegmentKind.NAT,
            owner_host=host.name,
            subnet=NAT_SUBNET,
            nat_network=key,
            behind_nat=True,
        )
        segment.dhcp_servers.append(nat_server)
        segment.forwarders[NAT_GATEWAY] = Forwarder(
            ForwarderKind.VIRTUAL_PC_NAT,
            NAT_GATEWAY,
            f"NAT {NAT_GATEWAY}",
            upstream_endpoint=host_endpoint_id(host.name),
        )
        segment.held[NAT_GATEWAY] = f"the NAT gateway of {key}"
        return segment


def _nat_server(host: Host, network: Network) -> DhcpServer:
    return DhcpServer(
        label=f"the NAT of {host.name}/{network.name}",
        builtin=True,
        network=NAT_SUBNET,
        first=int(NAT_POOL[0]),
        last=int(NAT_POOL[1]),
        server_address=NAT_GATEWAY,
        gateway=NAT_GATEWAY,
        dns_servers=[],  # the host OS's, filled in once the host has its address
        dns_suffix=None,
        lease_seconds=NAT_LEASE_SECONDS,
    )


def build_topology(lab: LabDocument, clock: datetime) -> Topology:
    builder = _Builder(lab)
    for lan in lab.lans:
        builder.lan_segment(lan)
    hosts: list[HostState] = []
    endpoints: list[Endpoint] = []
    for host in lab.hosts:
        state, host_endpoints = _build_host(builder, host)
        hosts.append(state)
        endpoints.extend(host_endpoints)
    for lan in lab.lans:
        endpoints.append(_lan_endpoint(builder.lan_segment(lan), lan))
    return Topology(segments=list(builder.segments.values()), hosts=hosts, endpoints=endpoints, clock=clock)


def _lan_endpoint(segment: Segment, lan: Lan) -> Endpoint:
    """An ordinary PC on the LAN, behind its router; its address is placed once statics are known (addressing)."""
    address = lan.subnet.broadcast_address - 1
    while address in segment.held and address > lan.subnet.network_address + 1:
        address -= 1
    endpoint_id = lan_endpoint_id(lan.name)
    pc = Nic(
        endpoint=endpoint_id,
        label=f"a PC on {lan.name}",
        segment=segment,
        setting=None,
        network_name=lan.name,
        state="connected",
        source="static",
        interface=IPv4Interface((address, lan.subnet.prefixlen)),
        gateway=lan.gateway,
    )
    return Endpoint(id=endpoint_id, name=lan.name, nics=[pc])


def _build_host(builder: _Builder, host: Host) -> tuple[HostState, list[Endpoint]]:
    rules = PRODUCTS[host.product]
    networks = {network.name: network for network in host.effective_networks()}
    host_id = host_endpoint_id(host.name)
    lan = builder.lans.get(host.lan) if host.lan else None
    nic_mac = host.nic_mac or nic_mac_from_name(host.name)
    externals = [n for n in networks.values() if n.kind == NetworkKind.EXTERNAL]
    absent_from: dict[str, str] = {}

    lan_nic = None
    if lan is not None:
        shares_lan = host.product != Product.HYPER_V or all(n.shares_with_management_os for n in externals)
        if shares_lan:
            lan_nic = Nic(
                endpoint=host_id,
                label=f"{host.name} OS",
                segment=builder.lan_segment(lan),
                setting=None if host.address == "dhcp" else host.address,
                network_name=lan.name,
                mac=nic_mac,
                automatic_mac=False,
            )
        else:
            absent_from[lan.name] = "mgmt_os_not_shared"

    vnics: list[Nic] = []
    nat_servers: dict[str, DhcpServer] = {}
    for network in networks.values():
        key = f"{host.name}/{network.name}"
        if network.kind == NetworkKind.NAT:
            nat_servers[network.name] = _nat_server(host, network)
        elif network.kind == NetworkKind.INTERNAL and host.product == Product.HYPER_V:
            address = network.host_address or "dhcp"
            vnics.append(
                Nic(
                    endpoint=host_id,
                    label=f"{host.name} vEthernet ({network.name})",
                    segment=builder.virtual_segment(host, network, None),
                    setting=None if address == "dhcp" else address,
                    network_name=network.name,
                    network_kind=network.kind,
                )
            )
        elif network.kind in (NetworkKind.INTERNAL, NetworkKind.PRIVATE):
            builder.virtual_segment(host, network, None)
            absent_from[key] = "host_not_on_segment"

    endpoints: list[Endpoint] = []
    vm_nics: list[Nic] = []
    for vm in host.vms:
        vm_id = vm_endpoint_id(host.name, vm.name)
        nics = []
        for index, adapter in enumerate(vm.adapters, start=1):
            label = f"{vm.name} NIC {index}"
            network = networks.get(adapter.network) if adapter.network is not None else None
            vlan = adapter.vlan if rules.vlan_allowed else None
            segment = None
            if network is None:
                pass
            elif network.kind == NetworkKind.NAT:
                segment = builder.nat_segment(host, network, nat_servers[network.name], label)
            elif network.kind == NetworkKind.EXTERNAL:
                assert lan is not None  # [P-5] is checked by validation
                segment = builder.lan_segment(lan, vlan)
            else:
                segment = builder.virtual_segment(host, network, vlan)
            nics.append(
                Nic(
                    endpoint=vm_id,
                    label=label,
                    segment=segment,
                    setting=None if adapter.address == "dhcp" else adapter.address,
                    network_name=network.name if network is not None else None,
                    network_kind=network.kind if network is not None else None,
                    mac=adapter.mac or "",
                    automatic_mac=adapter.mac is None,
                )
            )
        vm_nics.extend(nics)
        endpoints.append(Endpoint(id=vm_id, name=vm.name, nics=nics))
    host_nics = ([lan_nic] if lan_nic is not None else []) + vnics
    endpoints.append(Endpoint(id=host_id, name=host.name, nics=host_nics, absent_from=absent_from))
    state = HostState(
        name=host.name,
        rules=rules,
        lan_nic=lan_nic,
        vnics=vnics,
        vm_nics=vm_nics,
        nic_mac=nic_mac,
        nat_servers=list(nat_servers.values()),
    )
    return state, endpoints
