"""The reachability matrix as the designer shows it: endpoints by name; up to `FULL_MATRIX_ENDPOINTS` as one
table grouped by host (each row saying its endpoint's segment), beyond that network × network with a
drill-down into any two groups.

Every pair's answer is kept per lab version as one character (`1` reachable, `0` not) in a compact text that a
new version builds on (see `Simulation.pair_rows_after`): the table and the group counts are read from it.
"""

import hashlib
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup, escape

from app.engine.result import SimulationResult
from app.engine.simulate import PairRows, Simulation

FULL_MATRIX_ENDPOINTS = 60


def answers_text(simulation: Simulation, previous: PairRows | None) -> tuple[str, PairRows]:
    """One line per source endpoint (in endpoint order), one character per other endpoint."""
    rows = simulation.pair_rows_after(previous, lambda source, target, outcome: "1" if outcome.reachable else "0")
    return "\n".join("".join(cells) for cells in rows.rows.values()), rows


@dataclass(frozen=True)
class Group:
    key: int
    label: str
    members: list[str]


@dataclass(frozen=True)
class Answers:
    endpoints: list[str]
    lines: list[str]  # per source: "1"/"0" per other endpoint, the source itself left out

    def reachable(self, source: int, target: int) -> bool:
        return self.lines[source][target - (target > source)] == "1"

    @property
    def reachable_count(self) -> int:
        return sum(line.count("1") for line in self.lines)

    @property
    def pair_count(self) -> int:
        return len(self.endpoints) * (len(self.endpoints) - 1)


def read_answers(endpoints: list[str], text: str) -> Answers:
    return Answers(endpoints, text.split("\n") if endpoints else [])


def segments_of(result: SimulationResult) -> dict[str, str]:
    """Each endpoint's segment: a VM's first connected adapter's, a host OS's and a LAN's own LAN, the internet."""
    found: dict[str, str] = {}
    for adapter in result.adapters:
        endpoint = f"vm:{adapter.host}/{adapter.vm}"
        if adapter.segment and endpoint not in found:
            found[endpoint] = adapter.segment
    networks_of = {h.host: [a.network for a in h.addresses] for h in result.hosts}
    for endpoint in result.endpoints:
        kind, _, name = endpoint.partition(":")
        if endpoint in found:
            continue
        if kind == "vm":
            found[endpoint] = f"{name.split('/', 1)[0]}: not connected"
        elif kind == "host":
            found[endpoint] = (networks_of.get(name) or [f"{name}: host"])[0]
        elif kind == "lan":
            found[endpoint] = name
        else:
            found[endpoint] = endpoint
    return found


def network_groups(
    hosts: list[tuple[str, list[str]]], endpoints: list[str], first_network: dict[str, str]
) -> list[Group]:
    """The endpoints by the network they are on: a VM by its first connected adapter's, a host's OS apart, the
    LANs together, the internet alone. One group for every network there is, empty or not, in the hosts' order:
    a drop moves an endpoint from one group to another and changes no group (nor the table's rows)."""
    groups: dict[str, list[str]] = {}
    for host, networks in hosts:
        for network in networks:
            groups[f"{host}/{network}"] = []
        groups[f"{host}: not connected"] = []
        groups[f"{host}: host OS"] = []
    groups["LANs"], groups["internet"] = [], []
    for endpoint in endpoints:
        kind, _, name = endpoint.partition(":")
        if kind == "vm":
            host = name.split("/", 1)[0]
            label = f"{host}/{first_network[endpoint]}" if endpoint in first_network else f"{host}: not connected"
        elif kind == "host":
            label = f"{name}: host OS"
        elif kind == "lan":
            label = "LANs"
        else:
            label = "internet"
        groups.setdefault(label, []).append(endpoint)
    return [Group(key, label, members) for key, (label, members) in enumerate(groups.items())]


def host_groups(result: SimulationResult) -> list[Group]:
    """The endpoints by host (a VM and its host OS under its host), then the LANs, then the internet."""
    groups: dict[str, list[str]] = {}
    for endpoint in result.endpoints:
        kind, _, name = endpoint.partition(":")
        label = name.split("/", 1)[0] if kind in ("vm", "host") else "LANs" if kind == "lan" else endpoint
        groups.setdefault(label, []).append(endpoint)
    return [Group(key, label, members) for key, (label, members) in enumerate(groups.items())]


def short_name(endpoint: str) -> str:
    return endpoint.partition(":")[2].rpartition("/")[2] or endpoint


@dataclass(frozen=True)
class Table:
    """A matrix as a table: its markup, and its cells by id, so that a change answers the cells that changed
    (the table itself only when its rows or columns did: `skeleton` is what says so)."""

    markup: Markup
    cells: dict[str, str]
    skeleton: str


@lru_cache(maxsize=100_000)  # the same pairs, version after version
def _cell_id(prefix: str, source: str, target: str) -> str:
    return prefix + hashlib.blake2b(f"{source}\0{target}".encode(), digest_size=6).hexdigest()


def _table(head: str, rows: list[tuple[str, list[tuple[str, str]]]]) -> Table:
    """`rows`: each row's opening (`<tr…>`) and its cells as (id, markup), its header cell first."""
    cells: dict[str, str] = {}
    lines = [f'<thead><tr><th class="corner" scope="col">from ↓ · to →</th>{head}</tr></thead><tbody>']
    skeleton = [head]
    for opening, row_cells in rows:
        cells.update(row_cells)
        lines.append(opening + "".join(markup for _, markup in row_cells) + ("</tr>" if row_cells else ""))
        skeleton.append(opening + " ".join(cell_id for cell_id, _ in row_cells))
    lines.append("</tbody>")
    return Table(Markup("".join(lines)), cells, "\n".join(skeleton))


def pairs_table(answers: Answers, rows: list[Group], columns: list[Group], segments: dict[str, str]) -> Table:
    """Rows' endpoints × columns' endpoints, names in sticky headers, a header row per row group; each row's
    header says its endpoint's segment."""
    index = {endpoint: i for i, endpoint in enumerate(answers.endpoints)}
    quoted = {endpoint: str(escape(endpoint)) for endpoint in answers.endpoints}
    targets = [e for g in columns for e in g.members]
    head = "".join(
        f'<th scope="col" class="to" data-endpoint="{quoted[e]}" data-group="{escape(g.label)}" title="{quoted[e]}">'
        f"<span>{escape(short_name(e))}</span></th>"
        for g in columns
        for e in g.members
    )
    table_rows: list[tuple[str, list[tuple[str, str]]]] = []
    for group in rows:
        table_rows.append(
            (f'<tr class="group"><th scope="rowgroup" colspan="{len(targets) + 1}">{escape(group.label)}</th></tr>', [])
        )
        for source in group.members:
            row = index[source]
            row_cells = [
                _pair_cell(source, target, None if source == target else answers.reachable(row, index[target]))
                for target in targets
            ]
            header_id = _cell_id("r", source, "")
            header = (
                f'<th id="{header_id}" scope="row" class="from" title="{quoted[source]} — {escape(segments[source])}">'
                f"{escape(short_name(source))} <small>{escape(segments[source])}</small></th>"
            )
            table_rows.append((f'<tr data-endpoint="{quoted[source]}">', [(header_id, header), *row_cells]))
    return _table(head, table_rows)


def _group_counts(answers: Answers, groups: list[Group]) -> dict[tuple[int, int], int]:
    """(source group, target group) → how many of the pairs between them are reachable, read from the answers'
    `1`s alone (a lab's answers are mostly `0`: a few thousand `1`s among tens of thousands)."""
    group_of = {endpoint: group.key for group in groups for endpoint in group.members}
    order = [group_of[endpoint] for endpoint in answers.endpoints]
    counts: dict[tuple[int, int], int] = {}
    for source, line in enumerate(answers.lines):
        source_group = order[source]
        found = line.find("1")
        while found >= 0:
            key = (source_group, order[found + (found >= source)])  # the line leaves the source itself out
            counts[key] = counts.get(key, 0) + 1
            found = line.find("1", found + 1)
    return counts


@lru_cache(maxsize=200_000)  # the same cells, version after version: drawn once
def _pair_cell(source: str, target: str, yes: bool | None) -> tuple[str, str]:
    """(id, markup) of the cell for `source` → `target` (`yes` None: the source itself)."""
    cell_id = _cell_id("p", source, target)
    if yes is None:
        return cell_id, f'<td id="{cell_id}" class="self"></td>'
    return cell_id, (
        f'<td id="{cell_id}"><button type="button" class="cell {"yes" if yes else "no"}" '
        f'data-from="{escape(source)}" data-to="{escape(target)}" data-reachable="{"true" if yes else "false"}" '
        f'tabindex="-1" aria-label="{"reachable" if yes else "not reachable"}">{"✓" if yes else "✗"}</button></td>'
    )


def groups_table(answers: Answers, groups: list[Group]) -> Table:
    """Group × group: how many of the pairs between them are reachable; each cell drills down."""
    counts = _group_counts(answers, groups)
    head = "".join(
        f'<th scope="col" class="to" title="{escape(g.label)}" data-group="{escape(g.label)}">'
        f"<span>{escape(g.label)}</span></th>"
        for g in groups
    )
    table_rows = []
    for source in groups:
        row_cells = []
        for target in groups:
            pairs = len(source.members) * (len(target.members) - (source is target))
            yes = counts.get((source.key, target.key), 0)
            state = "none" if not pairs else "yes" if yes == pairs else "no" if yes == 0 else "some"
            cell_id = _cell_id("g", source.label, target.label)
            # Its groups are its row's and its column's (the page's script reads them there): a cell is small.
            row_cells.append(
                (
                    cell_id,
                    f'<td id="{cell_id}"><button class="cell {state}" tabindex="-1">{yes}/{pairs}</button></td>',
                )
            )
        header_id = _cell_id("h", source.label, "")
        header = (
            f'<th id="{header_id}" scope="row" class="from">{escape(source.label)} '
            f"<small>({len(source.members)})</small></th>"
        )
        table_rows.append((f'<tr data-group="{escape(source.label)}">', [(header_id, header), *row_cells]))
    return _table(head, table_rows)
