"""The engine's working picture of a lab: segments, the interfaces on them, DHCP servers and routers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from ipaddress import IPv4Address, IPv4Interface, IPv4Network

from app.engine.document import Lan, StaticAddress
from app.engine.products import NetworkKind, ProductRules


class SegmentKind(StrEnum):
    LAN = "lan"
    INTERNAL = "internal"
    PRIVATE = "private"
    NAT = "nat"


@dataclass(eq=False, slots=True)
class Segment:
    """One layer-2 broadcast domain [R 5.1]. It does not list its interfaces (they point at it), so that
    a finished simulation holds no reference cycles and is freed the moment it is dropped."""

    id: str
    label: str  # how paths name it (a NAT guest's own segment is shown as its NAT network)
    network_key: str  # the LAN or virtual network it is cut from; VLANs of one network share it
    kind: SegmentKind
    owner_host: str | None = None
    vlan: int | None = None
    subnet: IPv4Network | None = None
    nat_network: str | None = None  # NAT guests of one network are isolated from each other [NAT-5]
    behind_nat: bool = False  # nothing outside can open a connection in
    dhcp_servers: list[DhcpServer] = field(default_factory=list)
    forwarders: dict[IPv4Address, Forwarder] = field(default_factory=dict)
    held: dict[IPv4Address, str] = field(default_factory=dict)  # address -> who holds it


@dataclass(eq=False, slots=True)
class DhcpServer:
    label: str
    builtin: bool
    network: IPv4Network
    first: int
    last: int
    server_address: IPv4Address
    gateway: IPv4Address | None
    dns_servers: list[IPv4Address]
    dns_suffix: str | None
    lease_seconds: int
    taken: set[int] = field(default_factory=set)
    next_free: int = 0

    def __post_init__(self) -> None:
        self.next_free = self.first

    def offer(self, held: dict[IPv4Address, str]) -> IPv4Address | None:
        """The lowest free address of the pool [ADDR-1], or None when it is used up [ADDR-2]."""
        candidate = self.next_free
        while candidate <= self.last:
            address = IPv4Address(candidate)
            if candidate not in self.taken and address not in held:
                self.taken.add(candidate)
                self.next_free = candidate + 1
                return address
            candidate += 1
        self.next_free = candidate
        return None


class ForwarderKind(StrEnum):
    ROUTER = "router"  # a LAN's router: the internet, when the LAN has it
    VIRTUAL_PC_NAT = "virtual_pc_nat"  # what the host OS reaches, outbound only
    ICS = "ics"  # what the ICS VM's public adapter reaches, outbound only


@dataclass(eq=False, slots=True)
class Forwarder:
    kind: ForwarderKind
    address: IPv4Address
    label: str
    lan: Lan | None = None  # ROUTER
    upstream_endpoint: str | None = None  # VIRTUAL_PC_NAT: the host; ICS: the VM
    upstream_nic: Nic | None = None  # ICS: the public adapter


@dataclass(eq=False, slots=True)
class Nic:
    """One IPv4 interface: a VM adapter, a host OS's LAN connection or a Hyper-V host vEthernet."""

    endpoint: str
    label: str
    segment: Segment | None
    setting: StaticAddress | None  # None: DHCP client
    network_name: str | None = None
    network_kind: NetworkKind | None = None
    mac: str = ""
    automatic_mac: bool = True
    # what the engine works out
    state: str = "not_connected"
    source: str = "none"
    interface: IPv4Interface | None = None
    gateway: IPv4Address | None = None
    dhcp_server: IPv4Address | None = None
    dns_servers: list[IPv4Address] = field(default_factory=list)
    dns_suffix: str | None = None
    lease_obtained: datetime | None = None
    lease_expires: datetime | None = None
    nat_outside_range: bool = False
    warnings: list[tuple[str, str]] = field(default_factory=list)
    address_bits: tuple[int, int, int] | None = None  # interface address, network and mask, once worked out

    @property
    def usable(self) -> bool:
        return self.state == "connected" and self.interface is not None

    def warn(self, code: str, message: str) -> None:
        if (code, message) not in self.warnings:
            self.warnings.append((code, message))


@dataclass(eq=False, slots=True)
class Endpoint:
    id: str
    name: str
    nics: list[Nic]  # every interface, connected or not
    # Segments (by network_key) the host OS is deliberately absent from, with the reason code.
    absent_from: dict[str, str] = field(default_factory=dict)

    @property
    def connected(self) -> list[Nic]:
        return [nic for nic in self.nics if nic.segment is not None]


@dataclass(eq=False, slots=True)
class HostState:
    name: str
    rules: ProductRules
    lan_nic: Nic | None
    vnics: list[Nic]  # Hyper-V vEthernet adapters on internal networks
    vm_nics: list[Nic]
    nic_mac: str
    nat_servers: list[DhcpServer]  # their DNS settings follow the host OS's [NAT-2..4]

    def all_nics(self) -> list[Nic]:
        """In document order: the host OS first, then its VMs' adapters [ADDR 4.1]."""
        return ([self.lan_nic] if self.lan_nic is not None else []) + self.vnics + self.vm_nics


@dataclass(eq=False, slots=True)
class Topology:
    segments: list[Segment]
    hosts: list[HostState]
    endpoints: list[Endpoint]
    clock: datetime
