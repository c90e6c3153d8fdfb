"""The lab as a diagram: where every LAN, host frame, network bus, VM node and adapter link goes.

A deterministic automatic layout, overridden by the places people gave hosts and VMs (SPEC §3 `x`, `y`; a
VM's place is relative to its host's frame, so that moving a host takes its VMs along). The layout keeps
nodes and labels apart: every VM gets a column as wide as its widest label, address labels stack in a band
between the last bus and the VMs, and bus labels sit above their own bus. `templates/canvas.svg` draws it.
"""

import re
from dataclasses import dataclass, field

from app.web.views import Chip, HostPanel, NetworkZone, VmCard, Workspace

# What each kind of network and each address source looks like (the legend shows the same).
KIND_COLOURS = {"internal": "#2563eb", "external": "#15803d", "nat": "#c2410c", "private": "#7e22ce"}
SOURCE_LABELS = {"dhcp": "DHCP", "apipa": "APIPA", "static": "static", "nat": "NAT DHCP", "none": "—"}

MARGIN = 40
NODE_WIDTH, NODE_HEIGHT = 150, 48  # a VM node at least; wider for a long name, up to MAX_NODE_WIDTH
MAX_NODE_WIDTH = 280
NODE_NAME_CHARACTERS = 34  # shown in the node; the whole name is in its title and accessible name
LABEL_HEIGHT, LABEL_STEP = 16, 20  # an address label, and the distance between stacked ones
BUS_STEP = 50  # between a host's buses
LAN_STEP = 50  # between LAN buses
HOST_GAP = 60
TITLE_SPACE = 62  # a host frame's title and detail lines, above its first bus
INTERNET_Y = 44

# Characters XML 1.0 does not allow in a document (escaping cannot carry them): shown as U+FFFD.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def text(value: str) -> str:
    return _NOT_XML.sub("\ufffd", value)


def text_width(value: str, size: float) -> float:
    """About how wide `value` is in a sans-serif font of `size` px: generous (wide glyphs, digits), so that
    labels laid out by it never touch."""
    return len(value) * size * 0.64


@dataclass(frozen=True)
class Label:
    x: float  # the label's box, top left
    y: float
    width: float
    text: str


@dataclass
class LanShape:
    id: int
    name: str
    hook: str  # data-lan
    y: float
    x1: float
    x2: float
    title: str
    detail: str
    internet: bool
    router: tuple[float, float] | None  # centre of the router box, when the LAN has a gateway
    router_label: str
    detail_x: float


@dataclass
class BusShape:
    id: int
    host_id: int
    hook: str  # data-network: "<host>/<network>"
    kind: str
    colour: str
    y: float
    x1: float
    x2: float
    title: str
    detail: str
    nat_gateway: tuple[float, float] | None  # NAT: where its .254 box sits
    description: str  # the accessible name
    detail_x: float


@dataclass
class NodeShape:
    id: int
    host_id: int
    hook: str  # "<host>/<vm>"
    endpoint: str  # data-node: "vm:<host>/<vm>"
    x: float
    y: float
    name: str
    os_name: str
    warnings: list[str]
    placed: bool  # given a place by someone, rather than by the layout
    description: str
    origin: tuple[float, float]  # its place in its host's frame: what a move changes (SPEC §3 `x`, `y`)
    width: float = NODE_WIDTH


@dataclass
class LinkShape:
    id: int  # the adapter's id
    host_id: int
    vm_id: int
    hook: str  # data-link / data-adapter: "<host>/<vm>#<n>"
    ip: str
    network_hook: str  # "" when not connected
    colour: str
    connected: bool
    wire: tuple[float, float, float, float]  # from the VM to the bus (or the stub's end)
    label: Label
    warnings: list[str]
    description: str


@dataclass
class HostShape:
    id: int
    name: str
    endpoint: str  # data-node: "host:<host>"
    x: float
    y: float
    width: float
    height: float
    title: str
    detail: str
    uplink: tuple[float, float, float] | None  # x, from the LAN bus's y down to this y
    warnings: list[str]
    placed: bool
    description: str
    origin: tuple[float, float]  # its place on the canvas: what a move changes (SPEC §3 `x`, `y`)


@dataclass
class Diagram:
    name: str
    min_x: float
    min_y: float
    width: float
    height: float
    internet: tuple[float, float] | None
    lans: list[LanShape] = field(default_factory=list)
    hosts: list[HostShape] = field(default_factory=list)
    buses: list[BusShape] = field(default_factory=list)
    nodes: list[NodeShape] = field(default_factory=list)
    links: list[LinkShape] = field(default_factory=list)


def address_text(chip: Chip) -> str:
    result = chip.result
    if not result.ip:
        return f"#{chip.index} not connected" if chip.network_id is None else f"#{chip.index} no address"
    shown = f"#{chip.index} {result.ip}/{result.prefix} {SOURCE_LABELS.get(result.source, result.source)}"
    return shown + (f" · VLAN {chip.vlan}" if chip.vlan is not None else "")


def node_width(vm: VmCard) -> float:
    shown = vm.name[:NODE_NAME_CHARACTERS]
    return min(MAX_NODE_WIDTH, max(NODE_WIDTH, text_width(shown, 13) + 20, text_width(vm.os_name, 11) + 20))


# The widest an address label can be, whatever the adapter's network and address: columns are that wide, so
# that a drop, which changes labels, never moves a node (and a change answers only the parts it changed).
WIDEST_LABEL = "#8 255.255.255.255/32 NAT DHCP"
WIDEST_VLAN = " · VLAN 4094"


def _column_width(vm: VmCard, vlans: bool) -> float:
    widest = text_width(WIDEST_LABEL + (WIDEST_VLAN if vlans else ""), 11) + 10
    return max(widest, node_width(vm)) + 30


@dataclass
class _HostPlan:
    """A host laid out around its own origin (0, 0), before it is put somewhere."""

    width: float
    top: float  # may be above 0 when a VM was placed above the frame
    left: float
    height: float
    bus_y: dict[int, float]  # network id → bus y
    vm_at: dict[int, tuple[float, float]]  # vm id → top left of its node


def _plan_host(host: HostPanel) -> _HostPlan:
    bus_y = {zone.id: TITLE_SPACE + 14 + k * BUS_STEP for k, zone in enumerate(host.zones)}
    last_bus = max(bus_y.values(), default=TITLE_SPACE - 10)
    most_adapters = max((len(vm.chips) for vm in host.vms), default=1)
    vm_top = last_bus + most_adapters * LABEL_STEP + 36
    vlans = host.product_code == "hyper_v"
    columns = [_column_width(vm, vlans) for vm in host.vms]
    vm_at: dict[int, tuple[float, float]] = {}
    cursor = 20.0
    for vm, width in zip(host.vms, columns, strict=True):  # a placed VM leaves its column: the others stay put
        if vm.x is not None and vm.y is not None:
            vm_at[vm.id] = (vm.x, vm.y)
        else:
            vm_at[vm.id] = (cursor + (width - node_width(vm)) / 2, vm_top)
        cursor += width
    bus_widths = [text_width(zone.name, 12) + text_width(_bus_detail(zone), 11) + 250 for zone in host.zones]
    width = max(
        [cursor + 20, text_width(_host_title(host), 13) + 40, text_width(_host_detail(host), 11) + 40, 260, *bus_widths]
    )
    left, top, bottom = 0.0, 0.0, vm_top + NODE_HEIGHT + 20
    for vm in host.vms:
        x, y = vm_at[vm.id]
        labels_top = y - len(vm.chips) * LABEL_STEP - 24
        left, width = min(left, x - 20), max(width, x + node_width(vm) + 20)
        top, bottom = min(top, labels_top - TITLE_SPACE), max(bottom, y + NODE_HEIGHT + 20)
    return _HostPlan(width - left, top, left, bottom - top, bus_y, vm_at)


def _host_title(host: HostPanel) -> str:
    return f"{host.name} — {host.product}"


def _host_detail(host: HostPanel) -> str:
    parts = [f"NIC {host.nic}"] if host.lan else ["no LAN"]
    if host.address:
        parts.append(f"host OS {host.address}")
    return " · ".join(parts)


def _bus_detail(zone: NetworkZone) -> str:
    return f"{zone.kind} · {zone.addressing}"


def layout(ws: Workspace) -> Diagram:
    lans_on = {lan.name for lan in ws.lans}
    lan_y = {lan.name: 120 + i * LAN_STEP for i, lan in enumerate(ws.lans)}
    hosts_top = (max(lan_y.values()) + 60) if lan_y else 60
    diagram = Diagram(text(ws.name), 0, 0, 0, 0, None)
    cursor = MARGIN
    right = MARGIN + 300.0
    bottom = hosts_top
    for host in ws.hosts:
        plan = _plan_host(host)
        if host.x is not None and host.y is not None:
            origin_x, origin_y = host.x, host.y
        else:
            origin_x, origin_y = cursor - plan.left, hosts_top - plan.top
            cursor += plan.width + HOST_GAP
        frame_x, frame_y = origin_x + plan.left, origin_y + plan.top
        right = max(right, frame_x + plan.width + MARGIN)
        bottom = max(bottom, frame_y + plan.height)
        _place_host(diagram, host, plan, origin_x, origin_y, lan_y if host.lan in lans_on else {})
    _place_lans(diagram, ws, lan_y, right)
    left = min([MARGIN, *(h.x for h in diagram.hosts)]) - MARGIN
    top = min([0, *(h.y - 40 for h in diagram.hosts)])
    diagram.min_x, diagram.min_y = left, top
    diagram.width, diagram.height = right - left, bottom - top + 110  # room for the legend
    return diagram


def _place_lans(diagram: Diagram, ws: Workspace, lan_y: dict[str, float], right: float) -> None:
    if any(lan.internet for lan in ws.lans):
        diagram.internet = (MARGIN + 60, INTERNET_Y)
    for i, lan in enumerate(ws.lans):
        y = lan_y[lan.name]
        title = text(f"{lan.name} {lan.subnet}")
        router = None
        router_label = ""
        if lan.router:
            router = (MARGIN + 60 + i * 14 + text_width(title, 12) + 70, y - 20)
            router_label = text(f"router {lan.router}")
        details = [f"DHCP {lan.dhcp}" if lan.dhcp else "no DHCP server", "internet" if lan.internet else "no internet"]
        detail_x = router[0] + 64 if router else MARGIN + text_width(title, 12) + 16
        diagram.lans.append(
            LanShape(lan.id, text(lan.name), text(lan.name), y, MARGIN, right - MARGIN, title,
                     text(" · ".join(details)), lan.internet, router, router_label, detail_x)
        )  # fmt: skip


def _place_host(
    diagram: Diagram, host: HostPanel, plan: _HostPlan, ox: float, oy: float, lan_y: dict[str, float]
) -> None:
    frame_x, frame_y = ox + plan.left, oy + plan.top
    uplink_x = frame_x + plan.width - 36
    externals = [plan.bus_y[zone.id] for zone in host.zones if zone.kind == "external"]
    uplink = None
    if host.lan in lan_y:
        uplink = (uplink_x, lan_y[host.lan], oy + max(externals) if externals else frame_y)  # type: ignore[index]
    diagram.hosts.append(
        HostShape(
            host.id, text(host.name), text(f"host:{host.name}"), frame_x, frame_y, plan.width, plan.height,
            text(_host_title(host)), text(_host_detail(host)), uplink, [text(w) for w in host.warnings],
            host.x is not None, text(f"Host {host.name}, {host.product}, {_host_detail(host)}"), (ox, oy),
        )
    )  # fmt: skip
    bus_y = {network_id: oy + y for network_id, y in plan.bus_y.items()}
    for zone in host.zones:
        y = bus_y[zone.id]
        x1, x2 = frame_x + 16, frame_x + plan.width - 16
        gateway = (x2 - 150, y) if zone.kind == "nat" else None
        diagram.buses.append(
            BusShape(
                zone.id, host.id, text(zone.hook), zone.kind, KIND_COLOURS.get(zone.kind, "#555"), y, x1, x2,
                text(zone.name), text(_bus_detail(zone)), gateway,
                text(f"Network {zone.name} on {host.name}: {_bus_detail(zone)}"),
                x1 + text_width(zone.name, 12) + 14,
            )
        )  # fmt: skip
    for vm in host.vms:
        rx, ry = plan.vm_at[vm.id]
        x, y = ox + rx, oy + ry
        warnings = [text(f"NIC {chip.index}: {w.message}") for chip in vm.chips for w in chip.result.warnings]
        diagram.nodes.append(
            NodeShape(vm.id, host.id, text(vm.endpoint[3:]), text(vm.endpoint), x, y, text(vm.name),
                      text(vm.os_name), warnings, vm.x is not None,
                      text(f"VM {vm.name} on {host.name}, {vm.os_name}"), (rx, ry), node_width(vm))
        )  # fmt: skip
        for i, chip in enumerate(vm.chips):
            diagram.links.append(_link(chip, vm, host, bus_y, x, y, i))


def _link(chip: Chip, vm: VmCard, host: HostPanel, bus_y: dict[int, float], x: float, y: float, i: int) -> LinkShape:
    count = len(vm.chips)
    node = node_width(vm)
    wire_x = x + (i + 1) * node / (count + 1)
    shown = address_text(chip)
    width = text_width(shown, 11) + 10
    label = Label(x + node / 2 - width / 2, y - (count - i) * LABEL_STEP - 6, width, text(shown))
    zone = next((z for z in host.zones if z.id == chip.network_id), None)
    if zone is not None:
        end = bus_y[zone.id]
        start = y if end < y else y + NODE_HEIGHT
        wire = (wire_x, start, wire_x, end)
        colour = KIND_COLOURS.get(zone.kind, "#555")
    else:
        wire = (wire_x, y, wire_x, y - count * LABEL_STEP - 18)
        colour = "#6b7280"
    where = f"on {zone.name}" if zone is not None else "not connected"
    address = f"{chip.result.ip}/{chip.result.prefix} ({chip.result.source})" if chip.result.ip else "no address"
    vlan = f", VLAN {chip.vlan}" if chip.vlan is not None else ""
    warnings = [text(f"{w.code}: {w.message}") for w in chip.result.warnings]
    description = f"Adapter {chip.hook}: {address}{vlan}, {where}. Drag it, or press Enter, to move it."
    return LinkShape(
        chip.id, host.id, vm.id, text(chip.hook), chip.result.ip or "", text(zone.hook) if zone else "", colour,
        zone is not None, wire, label, warnings, text(description),
    )  # fmt: skip
