"""Labs: list, create, read, rename, delete; import, export and replace whole lab documents."""

from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request, Response
from fastapi.responses import PlainTextResponse

from app.access.guard import access_of, admin_only, bearer_keys, view_suffices
from app.access.store import opened_labs, remade_keys
from app.api.deps import (
    DOCUMENT_BODY,
    EngineDep,
    IfMatch,
    LabId,
    lab_document_body,
    prepare_simulation,
    refuse_nulls,
    tag,
)
from app.api.schemas import LabCreate, LabCreated, LabKeysPublic, LabPublic, LabUpdate, ProblemList
from app.db.convert import document_from_rows, load_rows
from app.db.labs import get_lab
from app.db.models import LabRow
from app.db.session import read_session, write_session
from app.engine.document import LabDocument
from app.engine.loading import lab_to_json, lab_to_yaml
from app.errors import Conflict, Unauthorized
from app.labs import changes
from app.labs.changes import Change
from app.labs.parts import change_lab_fields
from app.labs.versions import Via

router = APIRouter(prefix="/labs", tags=["labs"])
ERRORS = {
    401: {"model": ProblemList, "description": "No key sent"},
    403: {"model": ProblemList, "description": "A change sent with only the view key"},
    404: {"model": ProblemList, "description": "No such lab, or the keys sent do not open it"},
    412: {"model": ProblemList},
    422: {"model": ProblemList},
}
DOCUMENT_ERRORS = {
    **ERRORS,
    413: {"model": ProblemList, "description": "Over the body size limit or one of the server's caps"},
    415: {"model": ProblemList, "description": "Not sent as JSON or YAML"},
}
LabDocumentBody = Annotated[LabDocument, Depends(lab_document_body)]


def public(lab: LabRow) -> LabPublic:
    return LabPublic.model_validate(lab, from_attributes=True)


def created(change: Change, response: Response) -> LabCreated:
    """A new lab's answer: the lab, its keys (this once), where it is and its version."""
    lab, keys = change.lab, change.keys
    assert keys is not None
    response.headers["Location"] = f"/api/v1/labs/{lab.id}"
    tag(response, lab.version)
    return LabCreated(**public(lab).model_dump(), keys=LabKeysPublic(edit=keys.edit, view=keys.view))


def document_response(doc: LabDocument, format: Literal["json", "yaml"]) -> Response:
    """A lab document as the export routes answer it: JSON, or YAML when asked."""
    if format == "yaml":
        return PlainTextResponse(lab_to_yaml(doc), media_type="application/yaml")
    return Response(lab_to_json(doc), media_type="application/json")


@router.get(
    "",
    summary="List the labs your keys open",
    description="The labs that one of the keys sent opens; with the admin token, every lab.",
    response_model=list[LabPublic],
    responses={401: ERRORS[401]},
)
def list_labs(request: Request, engine: EngineDep) -> list[LabPublic]:
    keys = bearer_keys(request)
    if not keys:
        raise Unauthorized("send 'Authorization: Bearer <key>[, <key>…]': the labs those keys open are listed")
    with read_session(engine) as session:
        return [public(lab) for lab, _ in opened_labs(session, keys, access_of(request).is_admin(keys))]


@router.post(
    "",
    status_code=201,
    summary="Create an empty lab",
    description="Needs no key; the answer has the new lab's keys, shown only this once.",
    response_model=LabCreated,
    responses=ERRORS,
)
def create_lab(request: Request, body: LabCreate, engine: EngineDep, response: Response) -> LabCreated:
    doc = LabDocument(vnetlab=1, name=body.name, description=body.description, clock=body.clock)
    keys = access_of(request).new_keys()  # first: it may read the admin token
    with write_session(engine) as session:
        return created(changes.create_lab(session, doc, Via.API, keys), response)


@router.post(
    "/import",
    status_code=201,
    summary="Import a lab document (JSON or YAML)",
    description="Stores a whole lab at once. An invalid document stores nothing and gets 422 with every problem. "
    "Needs no key; the answer has the new lab's keys, shown only this once.",
    response_model=LabCreated,
    responses=DOCUMENT_ERRORS,
    openapi_extra=DOCUMENT_BODY,
)
def import_document(
    request: Request, tasks: BackgroundTasks, doc: LabDocumentBody, engine: EngineDep, response: Response
) -> LabCreated:
    keys = access_of(request).new_keys()  # first: it may read the admin token
    with write_session(engine) as session:
        change = changes.create_lab(session, doc, Via.IMPORT, keys)
        result = created(change, response)
    prepare_simulation(request, tasks, change.lab, doc)
    return result


@router.post(
    "/{lab_id}/copy",
    status_code=201,
    summary="Copy a lab",
    description="A new lab with this lab's document as it now is, a history of its own and its own keys "
    "(SPEC §12): a student's own copy. Either of the lab's keys will do.",
    response_model=LabCreated,
    responses=ERRORS,
)
@view_suffices
def copy_lab(request: Request, lab_id: LabId, engine: EngineDep, response: Response) -> LabCreated:
    keys = access_of(request).new_keys()  # first: it may read the admin token
    with write_session(engine) as session:
        return created(changes.copy_lab(session, lab_id, keys), response)


@router.get(
    "/{lab_id}/keys",
    summary="Read a lab's keys (admin token only)",
    description="Made again from the admin token they were made with; 409 if the lab's keys were made with "
    "another token (they still open the lab, but cannot be made again).",
    response_model=LabKeysPublic,
    responses={**ERRORS, 409: {"model": ProblemList}},
)
@admin_only
def read_keys(request: Request, lab_id: LabId, engine: EngineDep) -> LabKeysPublic:
    keys = remade_keys(engine, lab_id, access_of(request).admin_token)
    if keys is None:
        raise Conflict(f"lab {lab_id}'s keys were made with another admin token; they cannot be made again")
    return LabKeysPublic(edit=keys.edit, view=keys.view)


@router.get("/{lab_id}", summary="Read a lab", response_model=LabPublic, responses=ERRORS)
def read_lab(lab_id: LabId, engine: EngineDep, response: Response) -> LabPublic:
    with read_session(engine) as session:
        result = public(get_lab(session, lab_id))
    tag(response, result.version)
    return result


@router.patch("/{lab_id}", summary="Rename or describe a lab", response_model=LabPublic, responses=ERRORS)
def update_lab(
    request: Request,
    tasks: BackgroundTasks,
    lab_id: LabId,
    body: LabUpdate,
    engine: EngineDep,
    response: Response,
    if_match: IfMatch = None,
):
    fields = body.model_dump(exclude_unset=True)
    refuse_nulls(fields, {"name"})
    with write_session(engine) as session:
        change = change_lab_fields(session, lab_id, fields, if_match, Via.API)
        lab = change.lab
        result = public(lab)
    prepare_simulation(request, tasks, lab, change.document)
    tag(response, result.version)
    return result


@router.delete("/{lab_id}", status_code=204, summary="Delete a lab and everything in it", responses=ERRORS)
def delete_lab(lab_id: LabId, engine: EngineDep, if_match: IfMatch = None) -> Response:
    with write_session(engine) as session:
        changes.delete_lab(session, lab_id, if_match)
    return Response(status_code=204)


@router.get(
    "/{lab_id}/document",
    summary="Export a lab as a document",
    description="JSON by default, YAML with `?format=yaml`. Importing the export gives an equal lab.",
    responses={**ERRORS, 200: {"content": {"application/json": {}, "application/yaml": {}}}},
)
def export_document(
    lab_id: LabId, engine: EngineDep, format: Annotated[Literal["json", "yaml"], Query()] = "json"
) -> Response:
    with read_session(engine) as session:
        lab = get_lab(session, lab_id)
        doc = document_from_rows(load_rows(session, lab))
        version = lab.version
    response = document_response(doc, format)
    tag(response, version)
    response.headers["Content-Disposition"] = f'inline; filename="lab-{lab_id}.{format}"'
    return response


@router.put(
    "/{lab_id}/document",
    summary="Replace a whole lab atomically",
    description="All parts get new ids. An invalid document changes nothing.",
    response_model=LabPublic,
    responses=DOCUMENT_ERRORS,
    openapi_extra=DOCUMENT_BODY,
)
def replace_document(
    request: Request,
    tasks: BackgroundTasks,
    lab_id: LabId,
    doc: LabDocumentBody,
    engine: EngineDep,
    response: Response,
    if_match: IfMatch = None,
) -> LabPublic:
    with write_session(engine) as session:
        lab = changes.replace_lab(session, lab_id, doc, if_match, Via.API).lab
        result = public(lab)
    prepare_simulation(request, tasks, lab, doc)
    tag(response, result.version)
    return result
