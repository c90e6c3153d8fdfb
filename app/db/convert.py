"""The one place that converts between stored rows and the lab document."""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, insert
from sqlalchemy import select as sa_select
from sqlmodel import Session

from app.db.models import AdapterRow, HostRow, LabRow, LanRow, NetworkRow, VmRow
from app.engine.document import LabDocument

Loc = tuple[str | int, ...]


@dataclass
class LabRows:
    """A whole lab as rows, each list in document order."""

    lab: LabRow
    lans: list[LanRow] = field(default_factory=list)
    hosts: list[HostRow] = field(default_factory=list)
    networks: list[NetworkRow] = field(default_factory=list)
    vms: list[VmRow] = field(default_factory=list)
    adapters: list[AdapterRow] = field(default_factory=list)


def _rows_query(table: Any) -> Any:
    columns = table.__table__.columns
    return sa_select(*columns).where(columns.lab_id == bindparam("lab_id")).order_by(columns.position, columns.id)


# Built once: building a statement took more time than SQLite took to answer it (every drop loads a lab).
_ROWS_QUERIES = {table: _rows_query(table) for table in (LanRow, HostRow, NetworkRow, VmRow, AdapterRow)}


def load_rows(session: Session, lab: LabRow) -> LabRows:
    """Five queries, whatever the size of the lab. Plain rows, not ORM objects: they are only read, and
    they always show what this transaction has written so far."""

    def rows(table):
        return list(session.execute(_ROWS_QUERIES[table], {"lab_id": lab.id}))

    return LabRows(lab, rows(LanRow), rows(HostRow), rows(NetworkRow), rows(VmRow), rows(AdapterRow))


class CrossReferenceError(Exception):
    """A stored id points outside the lab or across hosts: reported like a document error."""

    def __init__(self, loc: Loc, value: Any, message: str):
        super().__init__(message)
        self.loc, self.value, self.message = loc, value, message


@dataclass
class DocumentView:
    """The document built from rows, and where each row stands in it (for error messages)."""

    data: dict[str, Any]
    locations: dict[tuple[str, int], Loc]


def _set(target: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        target[key] = value


def document_data(rows: LabRows) -> DocumentView:
    """Builds the lab document's data. Raises CrossReferenceError for an id that crosses lab or host bounds."""
    lab = rows.lab
    data: dict[str, Any] = {"vnetlab": 1, "name": lab.name}
    _set(data, "description", lab.description)
    if lab.clock is not None:
        data["clock"] = lab.clock.isoformat()
    locations: dict[tuple[str, int], Loc] = {}
    lan_names: dict[int, str] = {}
    data["lans"] = []
    for i, lan in enumerate(rows.lans):
        locations[("lan", lan.id)] = ("lans", i)  # type: ignore[index]
        lan_names[lan.id] = lan.name  # type: ignore[index]
        item: dict[str, Any] = {"name": lan.name, "subnet": lan.subnet}
        for key in ("gateway", "internet", "dns_servers", "dns_suffix", "dhcp"):
            _set(item, key, getattr(lan, key))
        data["lans"].append(item)

    networks_by_host: dict[int, list[NetworkRow]] = {}
    for network in rows.networks:
        networks_by_host.setdefault(network.host_id, []).append(network)
    vms_by_host: dict[int, list[VmRow]] = {}
    for vm in rows.vms:
        vms_by_host.setdefault(vm.host_id, []).append(vm)
    adapters_by_vm: dict[int, list[AdapterRow]] = {}
    for adapter in rows.adapters:
        adapters_by_vm.setdefault(adapter.vm_id, []).append(adapter)
    network_by_id = {n.id: n for n in rows.networks}

    data["hosts"] = []
    for h, host in enumerate(rows.hosts):
        hloc: Loc = ("hosts", h)
        locations[("host", host.id)] = hloc  # type: ignore[index]
        item = {"name": host.name, "product": host.product, "nic": host.nic}
        if host.lan_id is not None:
            if host.lan_id not in lan_names:
                raise CrossReferenceError((*hloc, "lan_id"), host.lan_id, f"no LAN {host.lan_id} in this lab")
            item["lan"] = lan_names[host.lan_id]
        _set(item, "nic_mac", host.nic_mac)
        _set(item, "address", host.address)
        _set(item, "x", host.x)
        _set(item, "y", host.y)
        item["networks"] = []
        for n, network in enumerate(networks_by_host.get(host.id, [])):  # type: ignore[arg-type]
            locations[("network", network.id)] = (*hloc, "networks", n)  # type: ignore[index]
            net: dict[str, Any] = {"name": network.name, "kind": network.kind}
            for key in ("dhcp", "management_os", "host_address"):
                _set(net, key, getattr(network, key))
            item["networks"].append(net)
        item["vms"] = []
        for v, vm in enumerate(vms_by_host.get(host.id, [])):  # type: ignore[arg-type]
            vloc: Loc = (*hloc, "vms", v)
            locations[("vm", vm.id)] = vloc  # type: ignore[index]
            machine: dict[str, Any] = {"name": vm.name, "os": vm.os, "node_type": vm.node_type, "adapters": []}
            _set(machine, "hostname", vm.hostname)
            _set(machine, "services", vm.services)
            _set(machine, "x", vm.x)
            _set(machine, "y", vm.y)
            for a, adapter in enumerate(adapters_by_vm.get(vm.id, [])):  # type: ignore[arg-type]
                aloc: Loc = (*vloc, "adapters", a)
                locations[("adapter", adapter.id)] = aloc  # type: ignore[index]
                card: dict[str, Any] = {}
                if adapter.network_id is not None:
                    network = network_by_id.get(adapter.network_id)
                    if network is None:
                        raise CrossReferenceError(
                            (*aloc, "network_id"), adapter.network_id, f"no network {adapter.network_id} in this lab"
                        )
                    if network.host_id != host.id:
                        raise CrossReferenceError(
                            (*aloc, "network_id"),
                            adapter.network_id,
                            f"network {adapter.network_id} ('{network.name}') belongs to another host; an adapter "
                            f"attaches only to networks of its own VM's host ({host.name}) [P-4]",
                        )
                    card["network"] = network.name
                for key in ("mac", "address", "vlan"):
                    _set(card, key, getattr(adapter, key))
                machine["adapters"].append(card)
            item["vms"].append(machine)
        data["hosts"].append(item)
    _set(data, "goals", lab.goals)  # last, as documents write them
    return DocumentView(data, locations)


def stored_goals(doc: LabDocument) -> list | None:
    """The document's goals as the lab's row keeps them (None: none)."""
    return [goal.model_dump(mode="json", exclude_none=True, by_alias=True) for goal in doc.goals] or None


def document_from_rows(rows: LabRows) -> LabDocument:
    return LabDocument.model_validate(document_data(rows).data)


def _json(model: Any) -> Any:
    if model is None or isinstance(model, str):
        return model
    return model.model_dump(mode="json", exclude_none=True, by_alias=True)


def add_document_rows(session: Session, lab: LabRow, doc: LabDocument) -> None:
    """Stores a validated document's contents under `lab` (which has an id). Virtual PC's fixed
    networks are stored explicitly, so the API can address them by id. One multi-row INSERT per table:
    a 10,000-VM import is five statements, not a unit of work of 30,000 objects."""
    lab_id = lab.id
    assert lab_id is not None
    lan_ids = dict(
        zip(
            [lan.name for lan in doc.lans],
            _insert(
                session,
                LanRow,
                [
                    {
                        "lab_id": lab_id,
                        "position": position,
                        "name": lan.name,
                        "subnet": str(lan.subnet),
                        "gateway": str(lan.gateway) if lan.gateway else None,
                        "internet": lan.internet,
                        "dns_servers": [str(s) for s in lan.dns_servers] or None,
                        "dns_suffix": lan.dns_suffix,
                        "dhcp": _json(lan.dhcp),
                    }
                    for position, lan in enumerate(doc.lans)
                ],
            ),
            strict=True,
        )
    )
    host_ids = _insert(
        session,
        HostRow,
        [
            {
                "lab_id": lab_id,
                "position": h,
                "name": host.name,
                "product": str(host.product),
                "lan_id": lan_ids[host.lan] if host.lan else None,
                "nic": host.nic,
                "nic_mac": host.nic_mac,
                "address": _json(host.address) if host.address != "dhcp" else None,
                "x": host.x,
                "y": host.y,
            }
            for h, host in enumerate(doc.hosts)
        ],
    )
    networks = [(host_id, n, network) for host_id, host in zip(host_ids, doc.hosts, strict=True)
                for n, network in enumerate(host.effective_networks())]  # fmt: skip
    network_ids = _insert(
        session,
        NetworkRow,
        [
            {
                "lab_id": lab_id,
                "host_id": host_id,
                "position": n,
                "name": network.name,
                "kind": str(network.kind),
                "dhcp": _json(network.dhcp),
                "management_os": network.management_os,
                "host_address": _json(network.host_address),
            }
            for host_id, n, network in networks
        ],
    )
    network_id_of = {
        (host_id, network.name): ident for (host_id, _, network), ident in zip(networks, network_ids, strict=True)
    }
    vms = [(host_id, v, vm) for host_id, host in zip(host_ids, doc.hosts, strict=True) for v, vm in enumerate(host.vms)]
    vm_ids = _insert(
        session,
        VmRow,
        [
            {
                "lab_id": lab_id,
                "host_id": host_id,
                "position": v,
                "name": vm.name,
                "hostname": vm.hostname,
                "os": str(vm.os),
                "node_type": str(vm.node_type),
                "x": vm.x,
                "y": vm.y,
                "services": _json(vm.services) or None,
            }
            for host_id, v, vm in vms
        ],
    )
    _insert(
        session,
        AdapterRow,
        [
            {
                "lab_id": lab_id,
                "vm_id": vm_id,
                "position": a,
                "network_id": network_id_of[(host_id, adapter.network)] if adapter.network else None,
                "mac": adapter.mac,
                "address": _json(adapter.address) if adapter.address != "dhcp" else None,
                "vlan": adapter.vlan,
            }
            for vm_id, (host_id, _, vm) in zip(vm_ids, vms, strict=True)
            for a, adapter in enumerate(vm.adapters)
        ],
        returning=False,
    )


def _insert(session: Session, model: Any, rows: list[dict[str, Any]], returning: bool = True) -> list[int]:
    """Inserts rows in one statement; their new ids in the order of `rows`."""
    if not rows:
        return []
    table = model.__table__
    if not returning:
        session.execute(insert(table), rows)
        return []
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return [ident for (ident,) in session.execute(statement, rows)]
