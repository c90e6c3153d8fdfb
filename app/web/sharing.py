"""The designer's classroom pages: the Share panel (edit and view links, assignments, each with a copy button and
a QR code), joining an assignment, and its results table."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, TypeAdapter, ValidationError

from app.access.guard import access_of, edit_key_needed, held_keys
from app.access.links import is_loopback, lab_link
from app.access.store import remade_keys
from app.api.assignments import AssignmentId, JoinToken, result_public, results_csv, student_results
from app.api.assignments import public as assignment_public
from app.api.deps import EngineDep, LabId
from app.api.schemas import AssignmentCreate, JoinBody, StudentResultPublic
from app.db.labs import get_lab
from app.db.models import AssignmentRow
from app.db.session import read_session, write_session
from app.engine.checks import describe
from app.errors import ClientError, NotFound
from app.labs import assignments
from app.web import lab_keys
from app.web.editor import patch_response
from app.web.pages import opened_new_lab, panel_markup, workspace_for
from app.web.qr import qr_svg
from app.web.templating import NO_STORE, render

router = APIRouter(include_in_schema=False)
JOINED_COOKIE = "vnetlab_joined_"  # + assignment id: the student's copy, to reopen it
RESULTS = TypeAdapter(list[StudentResultPublic])


def _share_panel(request: Request, engine, lab_id: int, title_error: str = "", title: str = "") -> HTMLResponse:
    keys = remade_keys(engine, lab_id, access_of(request).admin_token)
    with read_session(engine) as session:
        handed_out = [assignment_public(request, a) for a in assignments.assignments_of(session, lab_id)]
    links = None
    if keys is not None:
        links = {"view": lab_link(request, lab_id, keys.view), "edit": lab_link(request, lab_id, keys.edit)}
    ws = workspace_for(request, engine, lab_id, matrix=False)
    markup = panel_markup(
        request,
        "editor/share_panel.html",
        ws=ws,
        links=links,
        loopback=is_loopback(str(request.base_url)) and not request.app.state.settings.public_url,
        assignments=handed_out,
        title_error=title_error,
        title=title,
        qr=qr_svg,
    )
    return patch_response(request, ws, None, markup)


@router.get("/labs/{lab_id}/panel/share", response_class=HTMLResponse)
@edit_key_needed  # it shows the edit link
def share_panel(request: Request, lab_id: LabId, engine: EngineDep) -> HTMLResponse:
    return _share_panel(request, engine, lab_id)


@router.post("/labs/{lab_id}/assignments", response_class=HTMLResponse)
def new_assignment(
    request: Request, lab_id: LabId, engine: EngineDep, title: Annotated[str, Form(max_length=1000)] = ""
) -> HTMLResponse:
    problem = _problem(AssignmentCreate, "title", title)
    if problem is None:
        secret = access_of(request).admin_token
        try:
            with write_session(engine) as session:
                assignments.create_assignment(session, lab_id, title.strip(), secret)  # the panel shows it
        except ClientError as refused:
            problem = refused.message
    return _share_panel(request, engine, lab_id, problem or "", title if problem else "")


def _problem(schema: type[BaseModel], field: str, value: str) -> str | None:
    """What the API's schema says of a form's field (the same rules, the same words), if anything."""
    try:
        schema.model_validate({field: value})
    except ValidationError as error:
        return str(error.errors(include_url=False)[0]["msg"]).removeprefix("Value error, ")
    return None


# Students: the join page, and their own copy


@router.get("/assignments/{join_token}", response_class=HTMLResponse)
def join_page(request: Request, join_token: JoinToken, engine: EngineDep) -> Response:
    found = _opened(request, engine, join_token)
    if isinstance(found, Response):
        return found
    return render(request, "join.html", **found, error="", student="")


def _opened(request: Request, engine, join_token: str) -> Response | dict:
    """The assignment a student link names, with its lab's name — or the page to answer instead: the student's
    copy again, or a page saying the link does not work."""
    try:
        with read_session(engine) as session:
            assignment = assignments.by_token(session, join_token)
            lab_name = get_lab(session, assignment.lab_id).name
    except NotFound:
        return render(request, "join.html", 404, assignment=None)
    again = _joined_before(request, assignment)
    return again if again is not None else {"assignment": assignment, "lab_name": lab_name}


def _joined_before(request: Request, assignment: AssignmentRow) -> Response | None:
    """Joining again from the same browser reopens the student's copy (as long as the browser holds its key)."""
    copy = request.cookies.get(f"{JOINED_COOKIE}{assignment.id}", "")
    if copy.isascii() and copy.isdigit() and len(copy) < 11:
        held = held_keys(request).values()
        if held and access_of(request).level(int(copy), list(held)) is not None:
            return RedirectResponse(f"/labs/{copy}", status_code=303)
    return None


@router.post("/assignments/{join_token}/join")
def join(
    request: Request,
    join_token: JoinToken,
    engine: EngineDep,
    student: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    found = _opened(request, engine, join_token)
    if isinstance(found, Response):
        return found
    assignment = found["assignment"]
    problem = _problem(JoinBody, "student", student)
    student = student.strip()
    if problem is not None:
        return render(request, "join.html", 422, **found, error=problem, student=student)
    keys = access_of(request).new_keys()
    with write_session(engine) as session:
        made = assignments.join(session, assignment, student, keys)
    response = opened_new_lab(request, made)
    lab_keys.remember(request, response, f"{JOINED_COOKIE}{assignment.id}", str(made.lab.id))
    return response


# The teacher's results


@router.get("/assignments/{assignment_id}/results", response_class=HTMLResponse)
def results_page(request: Request, assignment_id: AssignmentId, engine: EngineDep) -> HTMLResponse:
    context = _results(request, engine, assignment_id)
    return render(request, "results.html", **context)


@router.get("/assignments/{assignment_id}/results/table", response_class=HTMLResponse)
def results_table(request: Request, assignment_id: AssignmentId, engine: EngineDep) -> HTMLResponse:
    context = _results(request, engine, assignment_id)
    return render(request, "results_table.html", **context)


@router.get("/assignments/{assignment_id}/results.csv")
def results_as_csv(request: Request, assignment_id: AssignmentId, engine: EngineDep) -> Response:
    _, found = student_results(request, engine, assignment_id)
    return Response(
        results_csv(found),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="assignment-{assignment_id}.csv"', **NO_STORE},
    )


@router.get("/assignments/{assignment_id}/results.json")
def results_as_json(request: Request, assignment_id: AssignmentId, engine: EngineDep) -> Response:
    _, found = student_results(request, engine, assignment_id)
    return Response(
        RESULTS.dump_json([result_public(result) for result in found]),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="assignment-{assignment_id}.json"', **NO_STORE},
    )


def _results(request: Request, engine, assignment_id: int) -> dict:
    assignment, found = student_results(request, engine, assignment_id)  # the keys are checked here
    with read_session(engine) as session:
        lab = get_lab(session, assignment.lab_id)
    goals = [goal.get("name") or describe(goal) for goal in assignment.goals]
    met = [sum(result.checks[n].passed for result in found) for n in range(len(goals))]
    return {"assignment": assignment, "lab": lab, "results": found, "goals": goals, "met": met}
