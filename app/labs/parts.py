"""Adding, changing and removing one part of a lab — a LAN, host, network, VM or adapter — through the one
change path, with the checks the lab document cannot make itself (references by id, names per scope, the
products' own networks)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, func, select

from app.db.labs import PART_TABLES, get_part, next_position
from app.db.models import AdapterRow, HostRow, NetworkRow, VmRow
from app.engine.document import default_networks
from app.engine.products import PRODUCTS, NetworkKind, Product
from app.engine.rules import CASE_ONLY_NOTE
from app.errors import Conflict, FieldProblem, RuleViolation
from app.labs.changes import Change, change_lab
from app.labs.versions import Via

# Body fields that name another part, and which kind of part that is.
REFERENCES = {"lan_id": "lan", "host_id": "host", "vm_id": "vm", "network_id": "network"}


def stored(values: dict[str, Any]) -> dict[str, Any]:
    """Request values as rows keep them: defaults (dhcp, no DNS servers, no services) as NULL."""
    out = {}
    for key, value in values.items():
        if (key in ("address", "host_address") and value == "dhcp") or value in ([], {}):
            value = None
        out[key] = value
    return out


def _create_fixed_networks(session: Session, host: HostRow, body: BaseModel) -> None:
    """A Virtual PC host comes with its fixed networks, as when a document omits `networks`."""
    networks = default_networks(Product(host.product), host.nic, on_lan=host.lan_id is not None)
    for position, network in enumerate(networks):
        session.add(
            NetworkRow(lab_id=host.lab_id, host_id=host.id, position=position, name=network.name, kind=network.kind)  # type: ignore[arg-type]
        )


def _create_vm_adapters(session: Session, vm: VmRow, body: BaseModel) -> None:
    for position, adapter in enumerate(body.adapters):  # type: ignore[attr-defined]
        values = stored(adapter.model_dump(mode="json"))
        check_references(session, vm.lab_id, values)
        session.add(AdapterRow(lab_id=vm.lab_id, vm_id=vm.id, position=position, **values))  # type: ignore[arg-type]


@dataclass(frozen=True)
class PartRules:
    kind: str
    name_scope: str | None  # the column names are unique within ("lab_id" or "host_id")
    position_scope: str  # the column document order is counted within
    after_create: Callable[[Session, Any, BaseModel], None] = lambda session, row, body: None

    @property
    def table(self) -> Any:
        return PART_TABLES[self.kind]


PART_RULES = {
    "lan": PartRules("lan", name_scope="lab_id", position_scope="lab_id"),
    "host": PartRules("host", name_scope="lab_id", position_scope="lab_id", after_create=_create_fixed_networks),
    "network": PartRules("network", name_scope="host_id", position_scope="host_id"),
    "vm": PartRules("vm", name_scope="host_id", position_scope="host_id", after_create=_create_vm_adapters),
    "adapter": PartRules("adapter", name_scope=None, position_scope="vm_id"),
}


def check_references(session: Session, lab_id: int, values: dict[str, Any]) -> None:
    problems = []
    for key, kind in REFERENCES.items():
        ident = values.get(key)
        if ident is None:
            continue
        row = session.get(PART_TABLES[kind], ident)
        if row is None or row.lab_id != lab_id:
            problems.append(FieldProblem(("body", key), f"no {kind} {ident} in lab {lab_id}", "reference", ident))
    if problems:
        raise RuleViolation(problems)


def check_name_free(session: Session, rules: PartRules, scope_value: int, name: str, row_id: int | None) -> None:
    if rules.name_scope is None:
        return
    table = rules.table
    # VM names are Windows computer names in the lab's eyes: unique per host whatever their case.
    same_name = func.lower(table.name) == name.lower() if rules.kind == "vm" else table.name == name
    clash = session.exec(select(table).where(getattr(table, rules.name_scope) == scope_value, same_name)).first()
    if clash is not None and clash.id != row_id:
        if rules.name_scope == "lab_id":
            raise Conflict(f"{rules.kind} name '{name}' is already used in this lab")
        host = session.get(HostRow, scope_value)
        case_note = CASE_ONLY_NOTE if clash.name != name else ""
        where = f"host {host.name}" if host is not None else "this host"
        raise Conflict(f"{rules.kind} name '{name}' is already used on {where} by '{clash.name}'{case_note}")


def check_fixed_network(session: Session, network: NetworkRow, change: str) -> None:
    """Virtual PC's Local only and Shared networking (NAT) come with the product: they stay, by their names."""
    host = session.get(HostRow, network.host_id)
    if host is None or not PRODUCTS[Product(host.product)].fixed_network_set:
        return
    if network.kind in (NetworkKind.INTERNAL, NetworkKind.NAT):
        label = PRODUCTS[Product(host.product)].label
        raise Conflict(f"'{network.name}' is one of {label}'s own networks: it cannot be {change}")


def add_part(session: Session, kind: str, lab_id: int, body: BaseModel, if_match: str | None, via: Via) -> Change[Any]:
    """Adds a part from its validated create body and validates the lab."""
    rules = PART_RULES[kind]
    values = stored(body.model_dump(mode="json", exclude={"adapters"}))
    table = rules.table

    def apply(lab: Any) -> Any:
        check_references(session, lab_id, values)
        scope = lab_id if rules.position_scope == "lab_id" else values[rules.position_scope]
        if rules.name_scope is not None:
            check_name_free(session, rules, scope, values["name"], None)
        row = table(lab_id=lab_id, position=next_position(session, table, **{rules.position_scope: scope}), **values)
        session.add(row)
        session.flush()
        rules.after_create(session, row, body)
        return row

    return change_lab(session, lab_id, if_match, via, apply, lambda row: (kind, row.id))


def change_part(
    session: Session, kind: str, lab_id: int, part_id: int, changes: dict[str, Any], if_match: str | None, via: Via
) -> Change[Any]:
    """Changes fields of one part (values as rows keep them) and validates the lab: what PATCH does, and what a
    drop in the designer does."""
    rules = PART_RULES[kind]

    def apply(lab: Any) -> Any:
        row = get_part(session, kind, lab_id, part_id)
        if kind == "network" and changes.get("name", row.name) != row.name:
            check_fixed_network(session, row, "renamed")
        check_references(session, lab_id, changes)
        if "name" in changes and rules.name_scope is not None:
            check_name_free(session, rules, getattr(row, rules.name_scope), changes["name"], row.id)
        for key, value in changes.items():
            setattr(row, key, value)
        session.add(row)
        return row

    return change_lab(session, lab_id, if_match, via, apply, lambda row: (kind, row.id))


def remove_part(session: Session, kind: str, lab_id: int, part_id: int, if_match: str | None, via: Via) -> Change[None]:
    """Deletes a part (and what the database cascades) if the lab stays valid: 409 otherwise."""

    def apply(lab: Any) -> None:
        row = get_part(session, kind, lab_id, part_id)
        if kind == "network":
            check_fixed_network(session, row, "deleted")
        session.delete(row)

    return change_lab(session, lab_id, if_match, via, apply, status=409)


def tidy_layout(session: Session, lab_id: int, if_match: str | None, via: Via) -> Change[None]:
    """Every host and VM back to the automatic layout (SPEC §3: no `x`, `y`), as one change."""

    def apply(lab: Any) -> None:
        for table in (HostRow, VmRow):
            for row in session.exec(select(table).where(table.lab_id == lab_id, table.x.is_not(None))):  # type: ignore[union-attr]
                row.x = row.y = None
                session.add(row)

    summary = "tidied up: every node back to the automatic layout"
    return change_lab(session, lab_id, if_match, via, apply, summary=summary)


def change_lab_fields(
    session: Session, lab_id: int, changes: dict[str, Any], if_match: str | None, via: Via
) -> Change[Any]:
    """The lab's own name, description or clock."""

    def apply(lab: Any) -> Any:
        for key, value in changes.items():
            setattr(lab, key, value)
        session.add(lab)
        return lab

    return change_lab(session, lab_id, if_match, via, apply)


def change_goals(
    session: Session, lab_id: int, goals: list[dict[str, Any]], if_match: str | None, via: Via, summary: str
) -> Change[Any]:
    """The lab's goals (SPEC §3, §12) become `goals`, validated with the rest of the lab."""

    def apply(lab: Any) -> Any:
        lab.goals = goals or None
        session.add(lab)
        return lab

    return change_lab(session, lab_id, if_match, via, apply, summary=summary)
