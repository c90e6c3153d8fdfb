"""The parts of a lab — LANs, hosts, networks, VMs, adapters — one router each, built from one pattern:
list, create, read, change, delete; every change validated as the whole lab, with the lab's version."""

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request, Response
from pydantic import BaseModel
from sqlmodel import Session, col, select

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
from app.db.labs import get_lab, get_part
from app.db.models import AdapterRow
from app.db.session import read_session, write_session
from app.labs.parts import PART_RULES, add_part, change_part, remove_part, stored
from app.labs.versions import Via

ERRORS = {
    404: {"model": ProblemList, "description": "No such lab or part"},
    409: {"model": ProblemList, "description": "A name clash, or a deletion other parts depend on"},
    412: {"model": ProblemList, "description": "If-Match is stale: the lab changed elsewhere"},
    422: {"model": ProblemList, "description": "Invalid input, or a change the product does not allow"},
}


@dataclass
class Context:
    """What public views need beyond the row itself (adapters' indexes, VMs' adapter ids)."""

    adapters_by_vm: dict[int, list[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class PartSpec:
    """A kind of part as the REST API shows it: its routes, schemas and the fields PATCH cannot null."""

    kind: str
    plural: str
    tag: str
    create: type[BaseModel]
    update: type[BaseModel]
    public: type[BaseModel]
    required: frozenset[str]  # fields an update cannot set to null

    @property
    def table(self) -> Any:
        return PART_RULES[self.kind].table


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


SPECS = [
    PartSpec(kind="lan", plural="lans", tag="LANs", create=LanCreate, update=LanUpdate, public=LanPublic,
             required=frozenset({"name", "subnet", "dns_servers"})),
    PartSpec(kind="host", plural="hosts", tag="hosts", create=HostCreate, update=HostUpdate, public=HostPublic,
             required=frozenset({"name", "product", "nic", "address"})),
    PartSpec(kind="network", plural="networks", tag="networks", create=NetworkCreate, update=NetworkUpdate,
             public=NetworkPublic, required=frozenset({"name", "kind"})),
    PartSpec(kind="vm", plural="vms", tag="VMs", create=VmCreate, update=VmUpdate, public=VmPublic,
             required=frozenset({"name", "os", "node_type", "services"})),
    PartSpec(kind="adapter", plural="adapters", tag="adapters", create=AdapterCreate, update=AdapterUpdate,
             public=AdapterPublic, required=frozenset({"address"})),
]  # fmt: skip


SPEC_OF = {spec.kind: spec for spec in SPECS}


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
            change = add_part(session, spec.kind, lab_id, body, if_match, Via.API)
            row, lab = change.outcome, change.lab
            result = to_public(spec, row, context_for(session, lab_id))
        prepare_simulation(request, tasks, lab, change.document)
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
            change = change_part(session, spec.kind, lab_id, part_id, changes, if_match, Via.API)
            lab = change.lab
            result = to_public(spec, change.outcome, context_for(session, lab_id))
        prepare_simulation(request, tasks, lab, change.document)
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
            change = remove_part(session, spec.kind, lab_id, part_id, if_match, Via.API)
            lab = change.lab
        prepare_simulation(request, tasks, lab, change.document)
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
