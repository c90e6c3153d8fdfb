"""The editor's goals (SPEC §12): add one ("VM … must / must not reach …", "adapter … gets an address in …") or
remove one; each a change through the one change path, validated like the whole document."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse

from app.api.deps import EngineDep, LabId
from app.db.labs import get_lab
from app.engine.checks import describe
from app.errors import NotFound
from app.labs.parts import change_goals
from app.labs.versions import Via
from app.web import forms
from app.web.forms import Version
from app.web.pages import attempt_change, workspace_page

router = APIRouter(include_in_schema=False)


@router.post("/labs/{lab_id}/goals", response_class=HTMLResponse)
def add_goal(
    request: Request,
    lab_id: LabId,
    engine: EngineDep,
    version: Version,
    kind: Annotated[Literal["reach", "no_reach", "address"], Form()],
    source: Annotated[str, Form(alias="from", max_length=1000)] = "",
    target: Annotated[str, Form(alias="to", max_length=1000)] = "",
) -> HTMLResponse:
    source, target = source.strip(), target.strip()
    problems = [
        f"{label}: {problem}"
        for label, value in (("from", source), ("to", target))
        if (problem := "fill it in" if not value else forms.text_problem(value)) is not None
    ]
    if problems:
        return workspace_page(
            request, engine, lab_id, flash=("error", "The goal was not added: " + "; ".join(problems))
        )
    goal: dict[str, Any] = {"address": source, "in": target} if kind == "address" else {kind: [source, target]}

    def change(session) -> None:
        goals = [*(get_lab(session, lab_id).goals or []), goal]
        change_goals(session, lab_id, goals, f'"{version}"', Via.DESIGNER, f"added goal: {describe(goal)}")

    flash = attempt_change(engine, change, "the goal was not added", "The goal was not added: ")
    return workspace_page(request, engine, lab_id, flash=flash)


@router.post("/labs/{lab_id}/goals/{index}/delete", response_class=HTMLResponse)
def remove_goal(
    request: Request,
    lab_id: LabId,
    engine: EngineDep,
    index: Annotated[int, Path(ge=0, le=10_000)],
    version: Version,
) -> HTMLResponse:
    def change(session) -> None:
        goals = list(get_lab(session, lab_id).goals or [])
        if index >= len(goals):
            raise NotFound(f"this lab has no goal {index + 1}")
        removed = goals.pop(index)
        change_goals(session, lab_id, goals, f'"{version}"', Via.DESIGNER, f"removed goal: {describe(removed)}")

    flash = attempt_change(engine, change, "no goal was removed")
    return workspace_page(request, engine, lab_id, flash=flash)
