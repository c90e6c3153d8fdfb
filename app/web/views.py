"""What the designer pages show, worked out from a lab's rows and its simulation result."""

import sys
import threading
from collections import namedtuple
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import Engine

from app.api.simulation_cache import CacheBudget, SimulationCache
from app.db.convert import LabRows, document_from_rows
from app.db.labs import read_lab_rows
from app.db.models import AdapterRow, LabRow
from app.db.session import read_session
from app.engine.checks import Check, check_goals
from app.engine.document import LabDocument, OperatingSystem
from app.engine.guests import OS_NAMES
from app.engine.products import PRODUCTS, Product
from app.engine.result import AdapterResult, SimulationResult
from app.engine.segments import NAT_GATEWAY, NAT_POOL, NAT_SUBNET
from app.engine.simulate import MAX_LISTED_ENDPOINTS, Simulation
from app.labs.versions import stacks, summaries
from app.web.matrix import (
    FULL_MATRIX_ENDPOINTS,
    Answers,
    Group,
    answers_text,
    host_groups,
    network_groups,
    read_answers,
    segments_of,
)


@dataclass
class Chip:
    id: int
    hook: str  # data-adapter: "<host>/<vm>#<index>"
    index: int
    network_id: int | None
    network_name: str | None
    result: AdapterResult
    vlan: int | None = None


@dataclass
class VmCard:
    id: int
    name: str
    endpoint: str
    os_name: str  # as people know the guest OS, e.g. "Windows 7"
    chips: list[Chip] = field(default_factory=list)
    x: float | None = None  # its place in its host's frame; None: the automatic layout
    y: float | None = None

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


@dataclass
class HostPanel:
    id: int
    name: str
    product: str
    lan: str | None
    zones: list[NetworkZone]
    vms: list[VmCard]
    nic: str = "Ethernet"
    product_code: str = ""  # e.g. "hyper_v"
    address: str = ""  # the host OS's addresses, e.g. "192.168.11.100 (dhcp)"
    warnings: list[str] = field(default_factory=list)
    x: float | None = None  # its place on the canvas; None: the automatic layout
    y: float | None = None


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
    result: SimulationResult  # without its pair list: `answers` has it
    vm_refs: list[str]
    answers: Answers | None  # every pair's answer; None beyond 300 endpoints
    groups: list[Group]  # the endpoints by network
    by_host: list[Group]  # the endpoints by host
    segments: dict[str, str]  # each endpoint's segment
    created_at: object = None  # with the id, tells the lab from a deleted one that had its id
    matrix_left_out: bool = False  # not worked out here: the page fetches it after (app/web/patches.py)
    # What the undo and redo buttons would do (their titles), None when there is nothing to do.
    undo_summary: str | None = None
    redo_summary: str | None = None
    read_only: bool = False  # shown to a view key: nothing on the page changes the lab, and it follows changes
    checks: list[Check] = field(default_factory=list)  # the lab's goals, checked (SPEC §12)

    @property
    def goals_total(self) -> int:
        return len(self.checks)

    @property
    def goals_passed(self) -> int:
        return sum(check.passed for check in self.checks)


def _pool(dhcp: dict) -> str:
    start, end = dhcp["range"]
    return f"{start}–{end}"


def _addressing(product: str, kind: str, dhcp: dict | None, lan, management_os: bool | None) -> str:
    shared = kind == "external" and Product(product) == Product.HYPER_V and management_os is not False
    return _how_addressed(product, kind, dhcp, lan) + (" · shared with the management OS" if shared else "")


def _how_addressed(product: str, kind: str, dhcp: dict | None, lan) -> str:
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


def build_workspace(rows: LabRows, simulation: Simulation, answers: str | None) -> Workspace:
    """`answers`: the text of `answers_text`, or None beyond 300 endpoints."""
    result = simulation.overview()
    lans = {lan.id: lan for lan in rows.lans}
    hosts_by_id = {host.id: host for host in rows.hosts}
    networks_by_id = {network.id: network for network in rows.networks}
    results = {(a.host, a.vm, a.index): a for a in result.adapters}
    panels: dict[int, HostPanel] = {}
    for host in rows.hosts:
        lan = lans.get(host.lan_id) if host.lan_id is not None else None
        label = PRODUCTS[Product(host.product)].label
        panels[host.id] = HostPanel(
            host.id, host.name, label, lan.name if lan else None, [], [], host.nic, host.product, x=host.x, y=host.y
        )
    for host_result in result.hosts:
        panel = next(p for p in panels.values() if p.name == host_result.host)
        panel.address = ", ".join(
            f"{a.ip} ({a.source})" + ("" if a.network == panel.lan else f" on {a.network}")
            for a in host_result.addresses
            if a.ip
        )
    for warning in result.warnings:  # the host NICs' warnings: each names its host first
        for panel in panels.values():
            if warning.message.startswith(panel.name):
                panel.warnings.append(f"{warning.code}: {warning.message}")
    zones: dict[int, NetworkZone] = {}
    for network in rows.networks:
        host = hosts_by_id[network.host_id]
        lan = lans.get(host.lan_id) if host.lan_id is not None else None
        zone = NetworkZone(
            network.id,
            network.name,
            network.kind,
            f"{host.name}/{network.name}",
            _addressing(host.product, network.kind, network.dhcp, lan, network.management_os),
        )
        zones[network.id] = zone
        panels[network.host_id].zones.append(zone)
    cards: dict[int, VmCard] = {}
    for vm in rows.vms:
        host = hosts_by_id[vm.host_id]
        card = VmCard(vm.id, vm.name, f"vm:{host.name}/{vm.name}", OS_NAMES[OperatingSystem(vm.os)], x=vm.x, y=vm.y)
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
            adapter.vlan,
        )
        card.chips.append(chip)
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
    return Workspace(
        rows.lab.id,
        rows.lab.version,
        rows.lab.name,
        badges,
        list(panels.values()),
        result,
        refs,
        read_answers(result.endpoints, answers) if answers is not None else None,
        network_groups(
            [(panel.name, [zone.name for zone in panel.zones]) for panel in panels.values()],
            result.endpoints,
            {card.endpoint: card.attached[0].network_name for card in cards.values() if card.attached},  # type: ignore[misc]
        ),
        host_groups(result),
        segments_of(result),
        rows.lab.created_at,
        checks=check_goals(simulation),
    )


# Drops made and answered at once, per process (a worker of `vnetlab serve --workers N`): one. A change holds
# the database's write lock while it validates the lab, and shares the interpreter with every thread that
# renders another drop's answer: with dozens of those, a change of 3.5 ms of work held the lock 12 ms (p95
# 40 ms), and at 60 drops/s the writers queued for it (p99 0.7 s, bench/load.py). One at a time renders no
# slower (one thread runs Python at a time anyway); the change gets the interpreter to itself and holds the
# lock 5 ms, and drops queue here in arrival order instead.
DROPS_AT_ONCE = threading.BoundedSemaphore(1)

_ADAPTER_COLUMNS = tuple(column.name for column in AdapterRow.__table__.columns)  # type: ignore[attr-defined]
_AdapterValues = namedtuple("_AdapterValues", _ADAPTER_COLUMNS)  # type: ignore[misc]


@dataclass(frozen=True)
class Drop:
    """What a drop's transaction leaves for the workspace that answers it: the lab row after it (with its new
    version), the lab as the document the change validated, and the dropped adapter's row after it."""

    lab: LabRow
    document: LabDocument
    adapter: AdapterRow
    summary: str  # what the drop did, for the undo button


def editor_workspace(
    matrix_cache: SimulationCache, engine: Engine, lab_id: int, drop: Drop | None = None, matrix: bool = True
) -> Workspace:
    """The lab as the editor shows it. Its matrix is kept per version and a new version builds on the last one's
    answers (see `answers_text`); its rows are kept per lab, so that the workspace answering a drop is the previous
    version's rows with the dropped adapter's row replaced, simulated from the document the drop validated:
    nothing is read again. (A drop changes that one row and the lab's version, nothing else.) What is kept counts
    against the caches' byte budget."""
    budget = matrix_cache.budget
    kept = _rows_after(budget, drop) if drop is not None else None
    if kept is None:
        rows = read_lab_rows(engine, lab_id)
        kept = _KeptRows(rows, _rows_bytes(rows))
    rows = kept.rows
    budget.put(_rows_key(rows.lab), kept, kept.size)
    dropped = drop is not None and rows.lab.version == drop.lab.version
    simulation = Simulation(drop.document if dropped else document_from_rows(rows))  # type: ignore[union-attr]
    too_many = len(simulation.endpoints) > MAX_LISTED_ENDPOINTS
    # Left out on request, for the page to fetch after — unless the lab is small enough for its matrix to cost
    # less than a request of its own.
    left_out = not matrix and len(simulation.endpoints) > FULL_MATRIX_ENDPOINTS
    answers = None
    if not left_out and not too_many:
        answers = matrix_cache.result(rows.lab, lambda previous: answers_text(simulation, previous))
    workspace = build_workspace(rows, simulation, answers)
    workspace.matrix_left_out = left_out
    if dropped:  # a change just made: it is what undo takes back, and nothing is left to redo
        workspace.undo_summary = drop.summary  # type: ignore[union-attr]
    else:
        workspace.undo_summary, workspace.redo_summary = undo_redo_summaries(engine, lab_id, rows.lab.version)
    return workspace


def undo_redo_summaries(engine: Engine, lab_id: int, version: int) -> tuple[str | None, str | None]:
    """What undo and redo would do to `version` of the lab (the one the page shows, even if another change has
    landed since it was read)."""
    with read_session(engine) as session:
        pending = stacks(session, lab_id, up_to=version)
        tops = [stack[-1] for stack in (pending.undo, pending.redo) if stack]
        texts = summaries(session, lab_id, tops)
    undo = texts.get(pending.undo[-1]) if pending.undo else None
    redo = texts.get(pending.redo[-1]) if pending.redo else None
    return undo, redo


def _rows_key(lab: LabRow) -> tuple:
    return ("designer rows", lab.id, lab.created_at)


class _KeptRows(NamedTuple):
    rows: LabRows
    size: int  # about what they take, in bytes


def _rows_bytes(rows: LabRows) -> int:
    size = 1024
    for table in (rows.lans, rows.hosts, rows.networks, rows.vms, rows.adapters):
        for row in table:
            size += sys.getsizeof(row) + sum(sys.getsizeof(value) for value in row)
    return size


def _rows_after(budget: CacheBudget, drop: Drop) -> _KeptRows | None:
    """The lab's rows after `drop`, from the rows of the version before it when they are kept."""
    before: _KeptRows | None = budget.get(_rows_key(drop.lab))
    if before is None or before.rows.lab.version != drop.lab.version - 1:
        return None
    rows = before.rows
    dropped = _AdapterValues(*(getattr(drop.adapter, name) for name in _ADAPTER_COLUMNS))
    adapters = [dropped if row.id == dropped.id else row for row in rows.adapters]
    return _KeptRows(LabRows(drop.lab, rows.lans, rows.hosts, rows.networks, rows.vms, adapters), before.size)
