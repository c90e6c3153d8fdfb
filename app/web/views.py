"""What the designer pages show, worked out from a lab's rows and its simulation result."""

from dataclasses import dataclass, field

from app.db.convert import LabRows
from app.engine.products import PRODUCTS, Product
from app.engine.result import AdapterResult, SimulationResult
from app.engine.segments import NAT_POOL, NAT_SUBNET


@dataclass
class Chip:
    id: int
    hook: str  # data-adapter: "<host>/<vm>#<index>"
    index: int
    network_id: int | None
    network_name: str | None
    result: AdapterResult


@dataclass
class VmCard:
    id: int
    name: str
    endpoint: str
    chips: list[Chip] = field(default_factory=list)

    @property
    def tray(self) -> list[Chip]:
        return [chip for chip in self.chips if chip.network_id is None]

    @property
    def attached(self) -> list[Chip]:
        return [chip for chip in self.chips if chip.network_id is not None]


@dataclass
class NetworkZone:
    id: int
    name: str
    kind: str
    hook: str  # data-network: "<host>/<network name>"
    addressing: str  # subnet and DHCP pool, or what happens without DHCP
    members: list[Chip] = field(default_factory=list)


@dataclass
class HostPanel:
    id: int
    name: str
    product: str
    lan: str | None
    zones: list[NetworkZone]
    vms: list[VmCard]


@dataclass
class LanBadge:
    id: int
    name: str
    subnet: str
    router: str | None
    dhcp: str | None
    internet: bool


@dataclass
class Workspace:
    lab_id: int
    version: int
    name: str
    lans: list[LanBadge]
    hosts: list[HostPanel]
    result: SimulationResult
    vm_refs: list[str]

    @property
    def reachable_count(self) -> int:
        return sum(row.reachable for row in self.result.reachability or [])


def _addressing(product: str, kind: str, dhcp: dict | None, lan) -> str:
    if kind == "nat":
        return f"{NAT_SUBNET} · DHCP {NAT_POOL[0]}–{NAT_POOL[1]} · gateway 192.168.131.254"
    if kind == "external":
        if lan is None:
            return "bridged (no LAN)"
        pool = f" · DHCP {lan.dhcp['range'][0]}–{lan.dhcp['range'][1]}" if lan.dhcp else " · no DHCP server"
        return f"bridged to {lan.name} {lan.subnet}{pool}"
    if dhcp:
        return f"{dhcp['network']} · DHCP {dhcp['range'][0]}–{dhcp['range'][1]}"
    if Product(product) == Product.HYPER_V and kind == "private":
        return "VMs only · no DHCP (APIPA)"
    return "no DHCP server (APIPA 169.254/16)"


def build_workspace(rows: LabRows, result: SimulationResult) -> Workspace:
    lans = {lan.id: lan for lan in rows.lans}
    hosts_by_id = {host.id: host for host in rows.hosts}
    networks_by_id = {network.id: network for network in rows.networks}
    results = {(a.host, a.vm, a.index): a for a in result.adapters}
    panels: dict[int, HostPanel] = {}
    for host in rows.hosts:
        lan = lans.get(host.lan_id) if host.lan_id is not None else None
        label = PRODUCTS[Product(host.product)].label
        panels[host.id] = HostPanel(host.id, host.name, label, lan.name if lan else None, [], [])
    zones: dict[int, NetworkZone] = {}
    for network in rows.networks:
        host = hosts_by_id[network.host_id]
        lan = lans.get(host.lan_id) if host.lan_id is not None else None
        zone = NetworkZone(
            network.id,
            network.name,
            network.kind,
            f"{host.name}/{network.name}",
            _addressing(host.product, network.kind, network.dhcp, lan),
        )
        zones[network.id] = zone
        panels[network.host_id].zones.append(zone)
    cards: dict[int, VmCard] = {}
    for vm in rows.vms:
        host = hosts_by_id[vm.host_id]
        card = VmCard(vm.id, vm.name, f"vm:{host.name}/{vm.name}")
        cards[vm.id] = card
        panels[vm.host_id].vms.append(card)
    counters: dict[int, int] = {}
    for adapter in rows.adapters:
        card = cards[adapter.vm_id]
        host_name = card.endpoint[3:].split("/", 1)[0]
        index = counters[adapter.vm_id] = counters.get(adapter.vm_id, 0) + 1
        network = networks_by_id.get(adapter.network_id) if adapter.network_id is not None else None
        chip = Chip(
            adapter.id,
            f"{host_name}/{card.name}#{index}",
            index,
            adapter.network_id,
            network.name if network else None,
            results[(host_name, card.name, index)],
        )
        card.chips.append(chip)
        if network is not None:
            zones[network.id].members.append(chip)
    badges = [
        LanBadge(
            lan.id,
            lan.name,
            lan.subnet,
            lan.gateway,
            f"{lan.dhcp['range'][0]}–{lan.dhcp['range'][1]}" if lan.dhcp else None,
            bool(lan.gateway) if lan.internet is None else bool(lan.internet),
        )
        for lan in rows.lans
    ]
    refs = [f"{card.endpoint[3:]}" for card in cards.values()]
    return Workspace(rows.lab.id, rows.lab.version, rows.lab.name, badges, list(panels.values()), result, refs)  # type: ignore[arg-type]
