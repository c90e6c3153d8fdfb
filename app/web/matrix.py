"""The reachability matrix as the designer shows it: endpoints by name, grouped by host and segment; up to
`FULL_MATRIX_ENDPOINTS` as one table, beyond that segment × segment with a drill-down into any two groups.

Every pair's answer is kept per lab version as one character (`1` reachable, `0` not) in a compact text that a
new version builds on (see `Simulation.pair_rows_after`): the table and the group counts are read from it.
"""

from dataclasses import dataclass

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


def endpoint_groups(result: SimulationResult) -> list[Group]:
    """Each endpoint in one group: a VM in its first connected adapter's segment, a host OS and a LAN in the
    LAN, the internet alone. Groups are in the order their first endpoint comes."""
    segment_of: dict[str, str] = {}
    for adapter in result.adapters:
        endpoint = f"vm:{adapter.host}/{adapter.vm}"
        if adapter.segment and endpoint not in segment_of:
            segment_of[endpoint] = adapter.segment
    networks_of = {h.host: [a.network for a in h.addresses] for h in result.hosts}
    groups: dict[str, list[str]] = {}
    for endpoint in result.endpoints:
        kind, _, name = endpoint.partition(":")
        if kind == "vm":
            label = segment_of.get(endpoint, f"{name.split('/', 1)[0]}: not connected")
        elif kind == "host":
            label = (networks_of.get(name) or [f"{name}: host"])[0]
        elif kind == "lan":
            label = name
        else:
            label = endpoint
        groups.setdefault(label, []).append(endpoint)
    return [Group(key, label, members) for key, (label, members) in enumerate(groups.items())]


def short_name(endpoint: str) -> str:
    return endpoint.partition(":")[2].rpartition("/")[2] or endpoint


def _cell(answers: Answers, index: dict[str, int], source: str, target: str) -> str:
    if source == target:
        return '<td class="self"></td>'
    yes = answers.reachable(index[source], index[target])
    mark, word = ("✓", "can reach") if yes else ("✗", "cannot reach")
    source_q, target_q = escape(source), escape(target)
    return (
        f'<td><button type="button" class="cell {"yes" if yes else "no"}" data-from="{source_q}" data-to="{target_q}" '
        f'data-reachable="{"true" if yes else "false"}" tabindex="-1" '
        f'aria-label="{source_q} {word} {target_q}">{mark}</button></td>'
    )


def pairs_table(answers: Answers, rows: list[Group], columns: list[Group]) -> Markup:
    """Rows' endpoints × columns' endpoints, names in sticky headers, a header row per row group."""
    index = {endpoint: i for i, endpoint in enumerate(answers.endpoints)}
    targets = [e for g in columns for e in g.members]
    head = "".join(
        f'<th scope="col" class="to" data-endpoint="{escape(e)}" title="{escape(e)}">'
        f"<span>{escape(short_name(e))}</span></th>"
        for e in targets
    )
    lines = [f'<thead><tr><th class="corner" scope="col">from ↓ · to →</th>{head}</tr></thead><tbody>']
    for group in rows:
        lines.append(
            f'<tr class="group"><th scope="rowgroup" colspan="{len(targets) + 1}">{escape(group.label)}</th></tr>'
        )
        for source in group.members:
            cells = "".join(_cell(answers, index, source, target) for target in targets)
            lines.append(
                f'<tr data-endpoint="{escape(source)}"><th scope="row" class="from" title="{escape(source)}">'
                f"{escape(short_name(source))}</th>{cells}</tr>"
            )
    lines.append("</tbody>")
    return Markup("".join(lines))


def groups_table(answers: Answers, groups: list[Group]) -> Markup:
    """Group × group: how many of the pairs between them are reachable; each cell drills down."""
    index = {endpoint: i for i, endpoint in enumerate(answers.endpoints)}
    head = "".join(
        f'<th scope="col" class="to" title="{escape(g.label)}"><span>{escape(g.label)}</span></th>' for g in groups
    )
    lines = [f'<thead><tr><th class="corner" scope="col">from ↓ · to →</th>{head}</tr></thead><tbody>']
    for source in groups:
        cells = []
        for target in groups:
            pairs = [(s, t) for s in source.members for t in target.members if s != t]
            yes = sum(answers.reachable(index[s], index[t]) for s, t in pairs)
            state = "none" if not pairs else "yes" if yes == len(pairs) else "no" if yes == 0 else "some"
            cells.append(
                f'<td><button type="button" class="cell {state}" data-group-from="{source.key}" '
                f'data-group-to="{target.key}" tabindex="-1" aria-label="{escape(source.label)} to '
                f'{escape(target.label)}: {yes} of {len(pairs)} pairs reachable">{yes}/{len(pairs)}</button></td>'
            )
        lines.append(
            f'<tr data-group="{escape(source.label)}"><th scope="row" class="from">{escape(source.label)} '
            f"<small>({len(source.members)})</small></th>{''.join(cells)}</tr>"
        )
    lines.append("</tbody>")
    return Markup("".join(lines))
