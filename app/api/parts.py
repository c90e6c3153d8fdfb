"""The parts of a lab — LANs, hosts, networks, VMs, adapters — one router each, built from one pattern:
list, create, read, change, delete; every change validated as the whole lab, with the lab's version."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request, Response
from pydantic import BaseModel
from sqlmodel import Session, col, func, select

from app.api.deps import EngineDep, IfMatch, LabId, PartId, prepare_simulation, refuse_nulls, tag
from app.api.schemas import (
    AdapterCreate,
    AdapterPublic,
    AdapterUpdate,
    HostCreate,
    HostPublic,
    HostUpdate,
    LanCreate,
    LanPublic,
    LanUpdate,
    NetworkCreate,
    NetworkPublic,
    NetworkUpdate,
    ProblemList,
    VmCreate,
    VmPublic,
    VmUpdate,
)
from app.db.labs import PART_TABLES, change_lab, get_lab, get_part, next_position
from app.db.models import AdapterRow, HostRow, LabRow, NetworkRow, VmRow
from app.db.session import read_session, write_session
from app.engine.document import LabDocument, default_networks
from app.engine.products import PRODUCTS, NetworkKind, Product
from app.engine.rules import CASE_ONLY_NOTE
from app.errors import Conflict, FieldProblem, RuleViolation

ERRORS = {
    404: {"model": ProblemList, "description": "No such lab or part"},
    409: {"model": ProblemList, "description": "A name clash, or a deletion other parts depend on"},
    412: {"model": ProblemList, "description": "If-Match is stale: the lab changed elsewhere"},
    422: {"model": ProblemList, "description": "Invalid input, or a change the product does not allow"},
}
# Body fields that name another part, and which kind of part that is.
REFERENCES = {"lan_id": "lan", "host_id": "host", "vm_id": "vm", "network_id": "network"}


@dataclass
class Context:
    """What public views need beyond the row itself (adapters' indexes, VMs' adapter ids)."""

    adapters_by_vm: dict[int, list[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class PartSpec:
    kind: str
    plural: str
    tag: str
    create: type[BaseModel]
    update: type[BaseModel]
    public: type[BaseModel]
    name_scope: str | None  # the column names are unique within ("lab_id" or "host_id")
    position_scope: str  # the column document order is counted within
    required: frozenset[str]  # fields an update cannot set to null
    after_create: Callable[[Session, Any, BaseModel], None] = lambda session, row, body: None

    @property
    def table(self) -> Any:
        return PART_TABLES[self.kind]


def stored(values: dict[str, Any]) -> dict[str, Any]:
    """Request values as rows keep them: defaults (dhcp, no DNS servers, no services) as NULL."""
    out = {}
    for key, value in values.items():
        if (key in ("address", "host_address") and value == "dhcp") or value in ([], {}):
            value = None
        out[key] = value
    return out


def check_references(session: Session, lab_id: LabId, values: dict[str, Any]) -> None:
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


def check_name_free(session: Session, spec: PartSpec, scope_value: int, name: str, row_id: int | None) -> None:
    if spec.name_scope is None:
        return
    table = spec.table
    # VM names are Windows computer names in the lab's eyes: unique per host whatever their case.
    same_name = func.lower(table.name) == name.lower() if spec.kind == "vm" else table.name == name
    clash = session.exec(select(table).where(getattr(table, spec.name_scope) == scope_value, same_name)).first()
    if clash is not None and clash.id != row_id:
        if spec.name_scope == "lab_id":
            raise Conflict(f"{spec.kind} name '{name}' is already used in this lab")
        host = session.get(HostRow, scope_value)
        case_note = CASE_ONLY_NOTE if clash.name != name else ""
        where = f"host {host.name}" if host is not None else "this host"
        raise Conflict(f"{spec.kind} name '{name}' is already used on {where} by '{clash.name}'{case_note}")


def check_fixed_network(session: Session, network: NetworkRow, change: str) -> None:
    """Virtual PC's Local only and Shared networking (NAT) come with the product: they stay, by their names."""
    host = session.get(HostRow, network.host_id)
    if host is None or not PRODUCTS[Product(host.product)].fixed_network_set:
        return
    if network.kind in (NetworkKind.INTERNAL, NetworkKind.NAT):
        label = PRODUCTS[Product(host.product)].label
        raise Conflict(f"'{network.name}' is one of {label}'s own networks: it cannot be {change}")


def adapters_by_vm(session: Session, lab_id: LabId) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = {}
    query = (
        select(AdapterRow.vm_id, AdapterRow.id)
        .where(AdapterRow.lab_id == lab_id)
        .order_by(col(AdapterRow.position), col(AdapterRow.id))
    )
    for vm_id, adapter_id in session.exec(query):
        grouped.setdefault(vm_id, []).append(adapter_id)
    return grouped


def to_public(spec: PartSpec, row: Any, context: Context) -> BaseModel:
    values = row.model_dump()
    if spec.kind == "lan":
        values["dns_servers"] = values["dns_servers"] or []
    elif spec.kind in ("host", "adapter"):
        values["address"] = values["address"] or "dhcp"
    if spec.kind == "vm":
        values["services"] = values["services"] or {}
        values["adapter_ids"] = context.adapters_by_vm.get(row.id, [])
    if spec.kind == "adapter":
        values["index"] = context.adapters_by_vm.get(row.vm_id, []).index(row.id) + 1
    return spec.public.model_validate(values)


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


SPECS = [
    PartSpec(
        kind="lan", plural="lans", tag="LANs", create=LanCreate, update=LanUpdate, public=LanPublic,
        name_scope="lab_id", position_scope="lab_id", required=frozenset({"name", "subnet", "dns_servers"}),
    ),
    PartSpec(
        kind="host", plural="hosts", tag="hosts", create=HostCreate, update=HostUpdate, public=HostPublic,
        name_scope="lab_id", position_scope="lab_id", required=frozenset({"name", "product", "nic", "address"}),
        after_create=_create_fixed_networks,
    ),
    PartSpec(
        kind="network", plural="networks", tag="networks", create=NetworkCreate, update=NetworkUpdate,
        public=NetworkPublic, name_scope="host_id", position_scope="host_id", required=frozenset({"name", "kind"}),
    ),
    PartSpec(
        kind="vm", plural="vms", tag="VMs", create=VmCreate, update=VmUpdate, public=VmPublic,
        name_scope="host_id", position_scope="host_id",
        required=frozenset({"name", "os", "node_type", "x", "y", "services"}),
        after_create=_create_vm_adapters,
    ),
    PartSpec(
        kind="adapter", plural="adapters", tag="adapters", create=AdapterCreate, update=AdapterUpdate,
        public=AdapterPublic, name_scope=None, position_scope="vm_id", required=frozenset({"address"}),
    ),
]  # fmt: skip


SPEC_OF = {spec.kind: spec for spec in SPECS}


def add_part(
    session: Session, spec: PartSpec, lab_id: int, body: BaseModel, if_match: str | None
) -> tuple[Any, LabRow, LabDocument]:
    """Adds a part and validates the lab: what POST does, and what the designer's forms do."""
    values = stored(body.model_dump(mode="json", exclude={"adapters"}))
    table = spec.table

    def apply(lab: LabRow) -> Any:
        check_references(session, lab_id, values)
        scope = lab_id if spec.position_scope == "lab_id" else values[spec.position_scope]
        if spec.name_scope is not None:
            check_name_free(session, spec, scope, values["name"], None)
        row = table(lab_id=lab_id, position=next_position(session, table, **{spec.position_scope: scope}), **values)
        session.add(row)
        session.flush()
        spec.after_create(session, row, body)
        return row

    return change_lab(session, lab_id, if_match, apply, lambda row: (spec.kind, row.id))


def change_part(
    session: Session, spec: PartSpec, lab_id: int, part_id: int, changes: dict[str, Any], if_match: str | None
) -> tuple[Any, LabRow, LabDocument]:
    """Changes fields of one part (values as rows keep them) and validates the lab: what PATCH does, and what a
    drop in the designer does."""

    def apply(lab: LabRow) -> Any:
        row = get_part(session, spec.kind, lab_id, part_id)
        if spec.kind == "network" and changes.get("name", row.name) != row.name:
            check_fixed_network(session, row, "renamed")
        check_references(session, lab_id, changes)
        if "name" in changes and spec.name_scope is not None:
            check_name_free(session, spec, getattr(row, spec.name_scope), changes["name"], row.id)
        for key, value in changes.items():
            setattr(row, key, value)
        session.add(row)
        return row

    return change_lab(session, lab_id, if_match, apply, lambda row: (spec.kind, row.id))


def remove_part(
    session: Session, spec: PartSpec, lab_id: int, part_id: int, if_match: str | None
) -> tuple[None, LabRow, LabDocument]:
    """Deletes a part (and what the database cascades) if the lab stays valid: 409 otherwise."""

    def apply(lab: LabRow) -> None:
        row = get_part(session, spec.kind, lab_id, part_id)
        if spec.kind == "network":
            check_fixed_network(session, row, "deleted")
        session.delete(row)

    return change_lab(session, lab_id, if_match, apply, status=409)


def build_router(spec: PartSpec) -> APIRouter:
    router = APIRouter(prefix="/labs/{lab_id}/" + spec.plural, tags=[spec.tag])
    table = spec.table

    def context_for(session: Session, lab_id: LabId) -> Context:
        needs_adapters = spec.kind in ("vm", "adapter")
        return Context(adapters_by_vm(session, lab_id) if needs_adapters else {})

    def list_parts(lab_id: LabId, engine: EngineDep, response: Response):
        with read_session(engine) as session:
            lab = get_lab(session, lab_id)
            rows = session.exec(
                select(table).where(table.lab_id == lab_id).order_by(col(table.position), col(table.id))
            ).all()
            context = context_for(session, lab_id)
            tag(response, lab.version)
            return [to_public(spec, row, context) for row in rows]

    def create_part(
        request: Request,
        tasks: BackgroundTasks,
        lab_id: LabId,
        body: spec.create,
        engine: EngineDep,
        response: Response,
        if_match: IfMatch = None,
    ):  # type: ignore[name-defined]
        with write_session(engine) as session:
            row, lab, document = add_part(session, spec, lab_id, body, if_match)
            result = to_public(spec, row, context_for(session, lab_id))
        prepare_simulation(request, tasks, lab, document)
        response.headers["Location"] = f"/api/v1/labs/{lab_id}/{spec.plural}/{row.id}"
        tag(response, lab.version)
        return result

    def read_part(lab_id: LabId, part_id: PartId, engine: EngineDep, response: Response):
        with read_session(engine) as session:
            lab = get_lab(session, lab_id)
            row = get_part(session, spec.kind, lab_id, part_id)
            result = to_public(spec, row, context_for(session, lab_id))
        tag(response, lab.version)
        return result

    def update_part(
        request: Request,
        tasks: BackgroundTasks,
        lab_id: LabId,
        part_id: PartId,
        body: spec.update,
        engine: EngineDep,
        response: Response,
        if_match: IfMatch = None,  # type: ignore[name-defined]
    ):
        changes = stored(body.model_dump(mode="json", exclude_unset=True))
        refuse_nulls(body.model_dump(exclude_unset=True), set(spec.required))
        with write_session(engine) as session:
            row, lab, document = change_part(session, spec, lab_id, part_id, changes, if_match)
            result = to_public(spec, row, context_for(session, lab_id))
        prepare_simulation(request, tasks, lab, document)
        tag(response, lab.version)
        return result

    def delete_part(
        request: Request,
        tasks: BackgroundTasks,
        lab_id: LabId,
        part_id: PartId,
        engine: EngineDep,
        if_match: IfMatch = None,
    ) -> Response:
        with write_session(engine) as session:
            _, lab, document = remove_part(session, spec, lab_id, part_id, if_match)
        prepare_simulation(request, tasks, lab, document)
        response = Response(status_code=204)
        tag(response, lab.version)
        return response

    noun = spec.tag[:-1] if spec.tag.endswith("s") else spec.tag
    router.add_api_route(
        "",
        list_parts,
        methods=["GET"],
        summary=f"List the lab's {spec.tag}",
        response_model=list[spec.public],
        responses=ERRORS,
    )  # type: ignore[name-defined]
    router.add_api_route(
        "",
        create_part,
        methods=["POST"],
        status_code=201,
        summary=f"Add a {noun}",
        response_model=spec.public,
        responses=ERRORS,
    )
    router.add_api_route(
        "/{part_id}", read_part, methods=["GET"], summary=f"Read a {noun}", response_model=spec.public, responses=ERRORS
    )
    router.add_api_route(
        "/{part_id}",
        update_part,
        methods=["PATCH"],
        summary=f"Change a {noun}",
        response_model=spec.public,
        responses=ERRORS,
    )
    router.add_api_route("/{part_id}", delete_part, methods=["DELETE"], status_code=204,
                         summary=f"Delete a {noun}", responses=ERRORS)  # fmt: skip
    return router


routers = [build_router(spec) for spec in SPECS]
