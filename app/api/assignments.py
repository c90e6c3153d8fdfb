"""Assignments (SPEC §12): made from a lab with goals (its edit key), joined by students with the join token (no
key), and their results — every student's copy with its goals checked — read with the lab's edit key."""

import csv
import io
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request, Response

from app.access.guard import access_of, authorize, caller_keys, edit_key_needed
from app.access.links import results_link, student_link
from app.access.store import Level
from app.api.deps import MAX_ID, EngineDep, LabId
from app.api.labs import ERRORS, created
from app.api.schemas import (
    AssignmentCreate,
    AssignmentPublic,
    CheckPublic,
    JoinBody,
    Joined,
    ProblemList,
    StudentResultPublic,
)
from app.db.models import AssignmentRow
from app.db.session import read_session, write_session
from app.errors import LabClosed, NotFound, Unauthorized
from app.labs import assignments
from app.labs.assignments import StudentResult

router = APIRouter(tags=["assignments"])
AssignmentId = Annotated[int, Path(ge=1, le=MAX_ID, description="The assignment's id")]
JoinToken = Annotated[str, Path(min_length=1, max_length=200, description="The token in the student link")]


def public(request: Request, assignment: AssignmentRow) -> AssignmentPublic:
    token = assignments.join_token(access_of(request).admin_token, assignment)
    return AssignmentPublic(
        id=assignment.id,  # type: ignore[arg-type]
        lab_id=assignment.lab_id,
        title=assignment.title,
        created_at=assignment.created_at,
        join_token=token,
        student_link=student_link(request, token) if token else None,
        results_link=results_link(request, assignment.id),  # type: ignore[arg-type]
    )


@router.post(
    "/labs/{lab_id}/assignments",
    status_code=201,
    summary="Make an assignment of a lab with goals (edit key)",
    response_model=AssignmentPublic,
    responses=ERRORS,
)
def create_assignment(request: Request, lab_id: LabId, body: AssignmentCreate, engine: EngineDep) -> AssignmentPublic:
    secret = access_of(request).admin_token  # first: it may be read from the database
    with write_session(engine) as session:
        assignment = assignments.create_assignment(session, lab_id, body.title, secret)
        return public(request, assignment)


@router.get(
    "/labs/{lab_id}/assignments",
    summary="A lab's assignments (edit key)",
    response_model=list[AssignmentPublic],
    responses=ERRORS,
)
@edit_key_needed  # a GET, but it gives out join tokens
def list_assignments(request: Request, lab_id: LabId, engine: EngineDep) -> list[AssignmentPublic]:
    with read_session(engine) as session:
        return [public(request, a) for a in assignments.assignments_of(session, lab_id)]


@router.post(
    "/assignments/{join_token}/join",
    status_code=201,
    summary="Join an assignment: a copy of its lab for the student (no key)",
    response_model=Joined,
    responses={404: {"model": ProblemList}, 422: {"model": ProblemList}},
)
def join(request: Request, join_token: JoinToken, body: JoinBody, engine: EngineDep, response: Response) -> Joined:
    keys = access_of(request).new_keys()
    with write_session(engine) as session:
        assignment = assignments.by_token(session, join_token)
        made = assignments.join(session, assignment, body.student, keys)
        lab = created(made, response)
    return Joined(**lab.model_dump(), assignment_id=assignment.id, student=body.student)


@router.get(
    "/assignments/{assignment_id}/results",
    summary="Every student's copy with its goals checked (the lab's edit key)",
    description="JSON by default; `?format=csv`: one row per student and goal.",
    response_model=list[StudentResultPublic],
    responses={**ERRORS, 200: {"content": {"application/json": {}, "text/csv": {}}}},
)
def results(
    request: Request, assignment_id: AssignmentId, engine: EngineDep, format: Literal["json", "csv"] = "json"
) -> list[StudentResultPublic] | Response:
    _, found = student_results(request, engine, assignment_id)
    if format == "csv":
        return Response(results_csv(found), media_type="text/csv; charset=utf-8")
    return [result_public(result) for result in found]


def student_results(request: Request, engine, assignment_id: int) -> tuple[AssignmentRow, list[StudentResult]]:
    """The assignment and its results, once the caller's keys show its lab's edit key. An assignment that is not
    there and one the keys do not open answer alike."""
    if not caller_keys(request):
        raise Unauthorized("the results need the lab's edit key: send 'Authorization: Bearer <key>'")
    with read_session(engine) as session:
        assignment = session.get(AssignmentRow, assignment_id)
    closed = NotFound(f"no assignment {assignment_id} opens with the keys sent")
    if assignment is None:
        raise closed
    try:
        authorize(request, assignment.lab_id, Level.EDIT)
    except LabClosed:
        raise closed from None
    with read_session(engine) as session:
        return assignment, assignments.results(session, assignment, request.app.state.matrix_cache.budget)


def result_public(result: StudentResult) -> StudentResultPublic:
    return StudentResultPublic(
        student=result.student,
        lab_id=result.lab_id,
        version=result.version,
        updated_at=result.updated_at,
        goals_passed=result.goals_passed,
        goals_total=len(result.checks),
        checks=[CheckPublic(goal=c.goal, name=c.name, passed=c.passed, detail=c.detail) for c in result.checks],
    )


def results_csv(found: list[StudentResult]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["student", "lab_id", "version", "updated_at", "goal", "passed", "detail"])
    for result in found:
        for check in result.checks:
            writer.writerow(
                [
                    _cell(result.student),
                    result.lab_id,
                    result.version,
                    result.updated_at.isoformat(),
                    _cell(check.title),
                    "yes" if check.passed else "no",
                    _cell(check.detail),
                ]
            )
    return out.getvalue()


def _cell(text: str) -> str:
    """A spreadsheet must not take a student's name for a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
