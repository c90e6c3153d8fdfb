"""A lab's history over REST [H]: its versions, any version's document, the diff between two, undo, redo,
revert and checkpoints."""

from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, Path, Query, Request, Response
from sqlmodel import Session

from app.api.deps import EngineDep, IfMatch, LabId, get_simulation_cache, prepare_simulation, tag
from app.api.labs import ERRORS, document_response, public
from app.api.schemas import (
    CheckpointBody,
    DiffPublic,
    LabPublic,
    ProblemList,
    RevertBody,
    VersionPublic,
)
from app.db.labs import get_lab
from app.db.session import read_session, write_session
from app.engine.diff import diff_labs
from app.engine.simulate import Simulation
from app.labs import history
from app.labs.changes import Change, stored_document
from app.labs.versions import get_version, kept_document, list_versions

router = APIRouter(prefix="/labs/{lab_id}", tags=["history"])
WRITE_ERRORS = {
    **ERRORS,
    409: {"model": ProblemList, "description": "Nothing to undo or redo, or that version's document is not kept"},
}
LAB_EXAMPLE = {
    "id": 1,
    "name": "Seed classroom",
    "description": None,
    "clock": "2009-09-15T10:04:03",
    "version": 3,
    "created_at": "2026-12-01T05:26:46Z",
    "updated_at": "2026-12-01T05:27:02Z",
}
VERSION_EXAMPLE = {
    "version": 2,
    "created_at": "2026-12-01T05:27:02Z",
    "via": "designer",
    "summary": "xp-off: not connected → Shared networking (NAT)",
    "checkpoint": None,
}
DIFF_EXAMPLE = {
    "summary": "xp-off: not connected → Shared networking (NAT); 1 address changed; 4 pairs gained",
    "document": [
        {
            "path": "/hosts/host1/vms/xp-off/adapters/1/network",
            "op": "added",
            "before": None,
            "after": "Shared networking (NAT)",
        }
    ],
    "adapters": [
        {
            "adapter": "host1/xp-off#1",
            "before": {"network": None, "ip": None, "source": "none"},
            "after": {"network": "Shared networking (NAT)", "ip": "192.168.131.65", "source": "dhcp"},
        }
    ],
    "reachability": {"gained": [["vm:host1/xp-off", "internet"]], "lost": [], "listed": True},
}


def example(value: object) -> dict:
    return {200: {"content": {"application/json": {"example": value}}}}


IDS_NOTE = (
    " The lab's parts get new ids (their names, attachments and addresses are the version's own): read them again."
)


@router.get(
    "/versions",
    summary="The lab's versions, newest first",
    response_model=list[VersionPublic],
    responses={**ERRORS, **example([VERSION_EXAMPLE])},
)
def versions(
    lab_id: LabId,
    engine: EngineDep,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    before: Annotated[int | None, Query(ge=1, description="only versions older than this one")] = None,
) -> list[VersionPublic]:
    with read_session(engine) as session:
        lab = get_lab(session, lab_id)
        rows = list_versions(session, lab_id, limit, before)
        result = [VersionPublic.model_validate(row, from_attributes=True) for row in rows]
    tag(response, lab.version)
    return result


@router.get(
    "/versions/{version}/document",
    summary="A version's whole lab document",
    description="JSON by default, YAML with `?format=yaml`.",
    responses={
        **WRITE_ERRORS,
        200: {
            "content": {
                "application/json": {"example": {"vnetlab": 1, "name": "Seed classroom", "lans": [], "hosts": []}},
                "application/yaml": {"example": "vnetlab: 1\nname: Seed classroom\n"},
            }
        },
    },
)
def version_document(
    lab_id: LabId,
    version: Annotated[int, Path(ge=1, le=2**31 - 1)],
    engine: EngineDep,
    format: Annotated[Literal["json", "yaml"], Query()] = "json",
) -> Response:
    with read_session(engine) as session:
        get_lab(session, lab_id)
        document = stored_document(kept_document(get_version(session, lab_id, version)))
    return document_response(document, format)


@router.get(
    "/diff",
    summary="What changed between two versions",
    description="Document changes by path, adapters whose network, address or source changed, and the pairs "
    "gained and lost (not compared when a version has over 300 endpoints).",
    response_model=DiffPublic,
    responses={**WRITE_ERRORS, **example(DIFF_EXAMPLE)},
)
def diff(
    lab_id: LabId,
    engine: EngineDep,
    from_: Annotated[int, Query(alias="from", ge=1, le=2**31 - 1, examples=[1])],
    to: Annotated[int, Query(ge=1, le=2**31 - 1, examples=[2])],
) -> DiffPublic:
    with read_session(engine) as session:
        get_lab(session, lab_id)
        before = kept_document(get_version(session, lab_id, from_))
        after = kept_document(get_version(session, lab_id, to))
    found = diff_labs(
        before,
        after,
        Simulation(stored_document(before)),
        Simulation(stored_document(after)),
    )
    return DiffPublic.model_validate(
        {
            "summary": found.summary,
            "document": [{"path": c.pointer, "op": c.op, "before": c.before, "after": c.after} for c in found.document],
            "adapters": [{"adapter": a.adapter, "before": a.before, "after": a.after} for a in found.adapters],
            "reachability": {"gained": found.gained, "lost": found.lost, "listed": found.pairs_listed},
        }
    )


def _step(
    request: Request, tasks: BackgroundTasks, response: Response, engine, make: Callable[[Session], Change]
) -> LabPublic:
    """Makes an undo, redo or revert; the next read gets the restored version's kept result when there is one."""
    with write_session(engine) as session:
        change = make(session)
        lab = public(change.lab)
    restored = change.restored
    if restored is None or not get_simulation_cache(request).reuse(change.lab, restored):
        prepare_simulation(request, tasks, change.lab, change.document)
    tag(response, lab.version)
    return lab


@router.post(
    "/undo",
    summary="Undo the last change",
    description="The lab returns to the document before its last change, as a new version (which can itself be "
    "undone). 409 when there is nothing to undo." + IDS_NOTE,
    response_model=LabPublic,
    responses={**WRITE_ERRORS, **example(LAB_EXAMPLE)},
)
def undo(
    request: Request,
    tasks: BackgroundTasks,
    lab_id: LabId,
    engine: EngineDep,
    response: Response,
    if_match: IfMatch = None,
) -> LabPublic:
    return _step(request, tasks, response, engine, lambda session: history.undo(session, lab_id, if_match))


@router.post(
    "/redo",
    summary="Redo what the last undo took back",
    description="As a new version. Any change other than an undo empties what can be redone; 409 when there is "
    "nothing to redo." + IDS_NOTE,
    response_model=LabPublic,
    responses={**WRITE_ERRORS, **example(LAB_EXAMPLE)},
)
def redo(
    request: Request,
    tasks: BackgroundTasks,
    lab_id: LabId,
    engine: EngineDep,
    response: Response,
    if_match: IfMatch = None,
) -> LabPublic:
    return _step(request, tasks, response, engine, lambda session: history.redo(session, lab_id, if_match))


@router.post(
    "/revert",
    summary="Go back to an earlier version",
    description="The lab takes that version's document, as a new version." + IDS_NOTE,
    response_model=LabPublic,
    responses={**WRITE_ERRORS, **example(LAB_EXAMPLE)},
)
def revert(
    request: Request,
    tasks: BackgroundTasks,
    lab_id: LabId,
    body: RevertBody,
    engine: EngineDep,
    response: Response,
    if_match: IfMatch = None,
) -> LabPublic:
    return _step(
        request, tasks, response, engine, lambda session: history.revert(session, lab_id, body.version, if_match)
    )


@router.post(
    "/checkpoints",
    status_code=201,
    summary="Name the current version",
    description="The name shows in `versions` as `checkpoint`; a checkpoint's document is kept whatever "
    "VNETLAB_KEEP_VERSIONS says. Makes no new version.",
    response_model=VersionPublic,
    responses={
        **ERRORS,
        201: {"content": {"application/json": {"example": {**VERSION_EXAMPLE, "checkpoint": "as handed out"}}}},
    },
)
def checkpoint(lab_id: LabId, body: CheckpointBody, engine: EngineDep, response: Response) -> VersionPublic:
    with write_session(engine) as session:
        row = history.name_version(session, lab_id, body.name)
        result = VersionPublic.model_validate(row, from_attributes=True)
    tag(response, result.version)
    return result
