"""The designer's history: undo and redo (buttons and keys), the list of versions, what a version changed,
revert and naming a version. Every change goes through app/labs, as the REST API's do."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from app.api.deps import EngineDep, LabId
from app.db.labs import get_lab
from app.db.session import read_session, write_session
from app.engine.diff import diff_labs
from app.engine.simulate import Simulation
from app.errors import ClientError
from app.labs import history
from app.labs.changes import stored_document
from app.labs.versions import get_version, kept_document, list_versions
from app.web import forms
from app.web.forms import Version
from app.web.pages import Flash, attempt_change, render, workspace_page

router = APIRouter(include_in_schema=False)
SHOWN_VERSIONS = 30
SHOWN_PAIRS = 40


def _history_step(request: Request, lab_id: int, engine, step, unchanged: str, done: str) -> HTMLResponse:
    made: list = []
    flash: Flash = attempt_change(engine, lambda session: made.append(step(session)), unchanged)
    if flash is None:
        flash = ("info", done + made[0].summary.split(": ", 1)[-1])
    return workspace_page(request, engine, lab_id, flash=flash)


@router.post("/labs/{lab_id}/undo", response_class=HTMLResponse)
def undo(request: Request, lab_id: LabId, engine: EngineDep, version: Version) -> HTMLResponse:
    step = lambda session: history.undo(session, lab_id, f'"{version}"')  # noqa: E731
    return _history_step(request, lab_id, engine, step, "nothing was undone", "Undone: ")


@router.post("/labs/{lab_id}/redo", response_class=HTMLResponse)
def redo(request: Request, lab_id: LabId, engine: EngineDep, version: Version) -> HTMLResponse:
    step = lambda session: history.redo(session, lab_id, f'"{version}"')  # noqa: E731
    return _history_step(request, lab_id, engine, step, "nothing was redone", "Redone: ")


@router.post("/labs/{lab_id}/revert", response_class=HTMLResponse)
def revert(request: Request, lab_id: LabId, engine: EngineDep, version: Version, to: Version) -> HTMLResponse:
    step = lambda session: history.revert(session, lab_id, to, f'"{version}"')  # noqa: E731
    return _history_step(request, lab_id, engine, step, "nothing was reverted", "Reverted: ")


@router.get("/labs/{lab_id}/history", response_class=HTMLResponse)
def history_list(request: Request, lab_id: LabId, engine: EngineDep, error: str = "") -> HTMLResponse:
    with read_session(engine) as session:
        current = get_lab(session, lab_id).version
        versions = list_versions(session, lab_id, SHOWN_VERSIONS, None)
    return render(
        request, "fragments/history.html", lab_id=lab_id, current=current, versions=versions, error=error[:200]
    )


@router.post("/labs/{lab_id}/checkpoint", response_class=HTMLResponse)
def name_version(
    request: Request, lab_id: LabId, engine: EngineDep, name: Annotated[str, Form(max_length=500)] = ""
) -> HTMLResponse:
    name = name.strip()
    problem = forms.text_problem(name) if name else "give the version a name"
    if problem is None and len(name) > 100:
        problem = "at most 100 characters"
    if problem is None:
        with write_session(engine) as session:
            history.name_version(session, lab_id, name)
    return history_list(request, lab_id, engine, error=f"name: {problem}" if problem else "")


@router.get("/labs/{lab_id}/history/{version}/diff", response_class=HTMLResponse)
def version_diff(request: Request, lab_id: LabId, version: LabId, engine: EngineDep) -> HTMLResponse:
    """What that version's change did: the diff from the version before it."""
    try:
        with read_session(engine) as session:
            get_lab(session, lab_id)
            after = kept_document(get_version(session, lab_id, version))
            before = kept_document(get_version(session, lab_id, version - 1)) if version > 1 else None
    except ClientError as problem:
        return render(request, "fragments/diff.html", version=version, found=None, error=problem.message)
    if before is None:
        return render(request, "fragments/diff.html", version=version, found=None, error="the lab's first version")
    found = diff_labs(before, after, Simulation(stored_document(before)), Simulation(stored_document(after)))
    return render(request, "fragments/diff.html", version=version, found=found, error="", shown_pairs=SHOWN_PAIRS)
