"""The canvas's own requests: moving a node, tidying up, renaming and duplicating the lab, a VM's panel with what
it can reach, the matrix's drill-down, the diagram as PNG and the printable handout. Changes go through
app/labs like every other change, and answer with the parts of the page they changed."""

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from app.access.guard import access_of, view_suffices
from app.api.deps import MAX_ID, EngineDep, LabId, PartId
from app.db.convert import document_from_rows
from app.db.labs import get_lab, read_lab_rows
from app.db.session import write_session
from app.engine.simulate import Simulation
from app.labs import changes
from app.labs.parts import change_lab_fields, change_part, tidy_layout
from app.labs.versions import Via
from app.web import editor, forms, png
from app.web.canvas import layout
from app.web.editor import standalone_svg
from app.web.forms import Version
from app.web.matrix import pairs_table
from app.web.pages import (
    CLOSED_PANEL,
    Flash,
    attempt_change,
    opened_new_lab,
    panel_markup,
    workspace_for,
    workspace_page,
)
from app.web.templating import NO_STORE, render

router = APIRouter(include_in_schema=False)
Coordinate = Annotated[float, Form(ge=-1e6, le=1e6, allow_inf_nan=False)]
COPY_SUFFIX = " (copy)"


@router.post("/labs/{lab_id}/move", response_class=HTMLResponse)
def move(
    request: Request,
    lab_id: LabId,
    engine: EngineDep,
    kind: Annotated[Literal["vm", "host"], Form()],
    part_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    x: Coordinate,
    y: Coordinate,
    version: Version,
) -> HTMLResponse:
    """A node dragged to a new place (a VM's place is relative to its host's frame, see app/web/canvas.py)."""
    values = {"x": round(x, 1), "y": round(y, 1)}
    flash = attempt_change(
        engine,
        lambda session: change_part(session, kind, lab_id, part_id, values, f'"{version}"', Via.DESIGNER),
        "your move changed nothing",
    )
    return workspace_page(request, engine, lab_id, flash=flash)


@router.post("/labs/{lab_id}/tidy", response_class=HTMLResponse)
def tidy(request: Request, lab_id: LabId, engine: EngineDep, version: Version) -> HTMLResponse:
    flash = attempt_change(
        engine, lambda session: tidy_layout(session, lab_id, f'"{version}"', Via.DESIGNER), "nothing was tidied"
    )
    return workspace_page(request, engine, lab_id, flash=flash)


@router.get("/labs/{lab_id}/panel/lab", response_class=HTMLResponse)
def lab_panel(request: Request, lab_id: LabId, engine: EngineDep) -> HTMLResponse:
    return _panel(request, engine, lab_id, "editor/lab_panel.html", error="", name=None)


def _panel(request: Request, engine, lab_id: int, template: str, flash: Flash = None, **context) -> HTMLResponse:
    ws = workspace_for(request, engine, lab_id, matrix=False)
    return editor.patch_response(request, ws, flash, panel_markup(request, template, ws=ws, **context))


@router.post("/labs/{lab_id}/rename", response_class=HTMLResponse)
def rename(
    request: Request,
    lab_id: LabId,
    engine: EngineDep,
    version: Version,
    name: Annotated[str, Form(max_length=500)] = "",
) -> HTMLResponse:
    problem = forms.text_problem(name) if name.strip() else "give the lab a name"
    if problem is None and len(name.strip()) > 100:
        problem = "at most 100 characters"
    if problem is not None:
        return _panel(request, engine, lab_id, "editor/lab_panel.html", error=f"name: {problem}", name=name)
    flash = attempt_change(
        engine,
        lambda session: change_lab_fields(session, lab_id, {"name": name.strip()}, f'"{version}"', Via.DESIGNER),
        "the lab was not renamed",
    )
    return workspace_page(request, engine, lab_id, flash=flash, close_panel=flash is None)


@router.post("/labs/{lab_id}/duplicate")
@view_suffices
def duplicate(request: Request, lab_id: LabId, engine: EngineDep) -> Response:
    """A new lab with this one's document as it now is (a copy, SPEC §12), named "… (copy)", with its own keys:
    the browser goes there holding its edit key. A viewer's "Make my own copy" too."""
    keys = access_of(request).new_keys()  # first: it may read the admin token
    with write_session(engine) as session:
        name = get_lab(session, lab_id).name
        made = changes.copy_lab(session, lab_id, keys, name[: 100 - len(COPY_SUFFIX)] + COPY_SUFFIX)
    return opened_new_lab(request, made, Response(status_code=204, headers={"HX-Redirect": f"/labs/{made.lab.id}"}))


@router.get("/labs/{lab_id}/panel/vm/{vm_id}", response_class=HTMLResponse)
def vm_panel(request: Request, lab_id: LabId, vm_id: PartId, engine: EngineDep) -> HTMLResponse:
    ws = workspace_for(request, engine, lab_id, matrix=False)
    found = [(host, vm) for host in ws.hosts for vm in host.vms if vm.id == vm_id]
    if not found:
        return editor.patch_response(request, ws, ("error", f"no VM {vm_id} in this lab (deleted?)"), CLOSED_PANEL)
    host, vm = found[0]
    markup = panel_markup(request, "editor/vm_panel.html", ws=ws, host=host, vm=vm)
    return editor.patch_response(request, ws, None, markup)


@router.get("/labs/{lab_id}/matrix-parts", response_class=HTMLResponse)
def matrix_parts(request: Request, lab_id: LabId, engine: EngineDep) -> HTMLResponse:
    """The matrix's cells that changed since the page last had them (a change answers without them)."""
    return editor.matrix_response(request, workspace_for(request, engine, lab_id))


@router.get("/labs/{lab_id}/reach", response_class=HTMLResponse)
def reach(
    request: Request, lab_id: LabId, engine: EngineDep, source: Annotated[str, Query(alias="from", max_length=250)] = ""
) -> HTMLResponse:
    """What `source` can open a connection to, and what cannot and why; and the other way round."""
    simulation = Simulation(document_from_rows(read_lab_rows(engine, lab_id)))
    if source not in simulation.endpoints:
        return render(request, "editor/reach.html", source=source, rows=None)
    forth = [simulation.pair(source, target) for target in simulation.endpoints if target != source]
    back = {row.from_: row for row in simulation.pairs_to([source])}
    rows = sorted(((row, back[row.to]) for row in forth), key=lambda pair: not pair[0].reachable)
    return render(request, "editor/reach.html", source=source, rows=rows)


@router.get("/labs/{lab_id}/matrix", response_class=HTMLResponse)
def matrix_detail(
    request: Request,
    lab_id: LabId,
    engine: EngineDep,
    source: Annotated[str, Query(alias="from", max_length=250)] = "",
    target: Annotated[str, Query(alias="to", max_length=250)] = "",
) -> HTMLResponse:
    """The pairs between two groups of the network × network matrix (groups by their labels)."""
    ws = workspace_for(request, engine, lab_id)
    groups = {group.label: group for group in ws.groups}
    if ws.answers is None or source not in groups or target not in groups:
        return HTMLResponse(
            '<p role="alert">No such group: the lab changed? Choose a cell again.</p>', headers=NO_STORE
        )
    table = pairs_table(ws.answers, [groups[source]], [groups[target]], ws.segments).markup
    return render(request, "editor/matrix_detail.html", table=table, source=groups[source], target=groups[target])


@router.get("/labs/{lab_id}/topology.png")
def topology_png(request: Request, lab_id: LabId, engine: EngineDep) -> Response:
    image = png.render_png(layout(workspace_for(request, engine, lab_id, matrix=False)))
    return Response(
        image, media_type="image/png", headers={"Content-Disposition": f'inline; filename="lab-{lab_id}.png"'}
    )


@router.get("/labs/{lab_id}/handout", response_class=HTMLResponse)
def handout(request: Request, lab_id: LabId, engine: EngineDep) -> HTMLResponse:
    """One lab on paper: the diagram, every adapter's address, and each VM's ipconfig /all."""
    ws = workspace_for(request, engine, lab_id, matrix=False)
    simulation = Simulation(document_from_rows(read_lab_rows(engine, lab_id)))
    texts = {ref: simulation.ipconfig(ref) for ref in ws.vm_refs}
    return render(request, "handout.html", ws=ws, diagram=Markup(standalone_svg(ws)), ipconfig=texts)
