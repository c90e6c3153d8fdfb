"""What the designer pages show, worked out from a lab's rows and its simulation result."""

from dataclasses import dataclass, field

from markupsafe import Markup, escape

from app.db.convert import LabRows
from app.engine.products import PRODUCTS, Product
from app.engine.result import AdapterResult, SimulationResult
from app.engine.segments import NAT_GATEWAY, NAT_POOL, NAT_SUBNET
from app.engine.simulate import MAX_LISTED_ENDPOINTS, PairRows, Simulation


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
    result: SimulationResult  # without its pair list: the matrix below has it
    vm_refs: list[str]
    matrix: Markup | None  # None beyond 300 endpoints
    reachable_count: int = 0
    pair_count: int = 0


def _pool(dhcp: dict) -> str:
    start, end = dhcp["range"]
    return f"{start}–{end}"


def _addressing(product: str, kind: str, dhcp: dict | None, lan) -> str:
    if kind == "nat":
        return f"{NAT_SUBNET} · DHCP {NAT_POOL[0]}–{NAT_POOL[1]} · gateway {NAT_GATEWAY}"
    if kind == "external":
        if lan is None:
            return "bridged (no LAN)"
        pool = f" · DHCP {_pool(lan.dhcp)}" if lan.dhcp else " · no DHCP server"
        return f"bridged to {lan.name} {lan.subnet}{pool}"
    if dhcp:
        return f"{dhcp['network']} · DHCP {_pool(dhcp)}"
    if Product(product) == Product.HYPER_V and kind == "private":
        return "VMs only · no DHCP (APIPA)"
    return "no DHCP server (APIPA 169.254/16)"


def matrix_cells(simulation: Simulation, previous: PairRows | None) -> tuple[str, PairRows | None]:
    """The reachability matrix as HTML rows, written directly (Jinja loops over tens of thousands of cells
    were the slowest part of the page), and built on the cells of an earlier version of the lab where the
    pairs did not change. Every value is escaped."""
    endpoints = simulation.endpoints
    if len(endpoints) > MAX_LISTED_ENDPOINTS:
        return "", None
    quoted = {endpoint: str(escape(endpoint)) for endpoint in endpoints}

    def cell(source: str, target: str, outcome) -> str:
        yes = outcome.reachable
        return (
            f'<td data-from="{quoted[source]}" data-to="{quoted[target]}" '
            f'data-reachable="{"true" if yes else "false"}" '
            f'class="cell {"yes" if yes else "no"}">{"✓" if yes else "·"}</td>'
        )

    rows = simulation.pair_rows_after(previous, cell)
    head = "".join(f'<th title="{quoted[e]}">{number}</th>' for number, e in enumerate(endpoints, start=1))
    lines = [f"<thead><tr><th>from \\ to</th>{head}</tr></thead><tbody>"]
    for number, source in enumerate(endpoints, start=1):
        cells = rows.rows[source]
        lines.append(
            f'<tr><th class="endpoint">{number} {quoted[source]}</th>{"".join(cells[: number - 1])}'
            f'<td class="self"></td>{"".join(cells[number - 1 :])}</tr>'
        )
    lines.append("</tbody>")
    return "".join(lines), rows


def build_workspace(rows: LabRows, simulation: Simulation, matrix: str | None) -> Workspace:
    """`matrix`: the rows of `matrix_cells`, or None beyond 300 endpoints."""
    result = simulation.overview()
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
            _pool(lan.dhcp) if lan.dhcp else None,
            bool(lan.gateway) if lan.internet is None else bool(lan.internet),
        )
        for lan in rows.lans
    ]
    refs = [f"{card.endpoint[3:]}" for card in cards.values()]
    reachable = matrix.count('data-reachable="true"') if matrix else 0
    pairs = reachable + matrix.count('data-reachable="false"') if matrix else 0
    return Workspace(
        rows.lab.id,
        rows.lab.version,
        rows.lab.name,
        badges,
        list(panels.values()),
        result,
        refs,  # type: ignore[arg-type]
        Markup(matrix) if matrix is not None else None,  # written escaped by matrix_cells
        reachable,
        pairs,
    )
