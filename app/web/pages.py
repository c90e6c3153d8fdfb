"""The designer's pages and the fragments HTMX swaps into them. Changes go through the API's own code paths."""

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlmodel import col, select

from app.api.deps import EngineDep, LabId, PartId
from app.api.parts import SPEC_OF, change_part
from app.db.convert import document_from_rows, load_rows
from app.db.labs import claim_next_version, get_lab, import_lab
from app.db.models import LabRow
from app.db.session import read_session, write_session
from app.engine.document import LabDocument
from app.engine.ipconfig import Layout, Locale
from app.engine.loading import LabDocumentError, lab_from_data, lab_from_text
from app.engine.simulate import Simulation
from app.errors import ClientError, PreconditionFailed, RuleViolation
from app.web.views import build_workspace

PROJECT_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = PROJECT_ROOT / "examples"
HTMX_VERSION = "2.0.11"
HTMX_SRI = "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"

templates = Jinja2Templates(directory=PROJECT_ROOT / "templates")
templates.env.globals.update(htmx_version=HTMX_VERSION, htmx_sri=HTMX_SRI)
router = APIRouter(include_in_schema=False)


def _page(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
    context["offline"] = request.app.state.settings.offline
    return templates.TemplateResponse(request, name, context, status_code=status)


def _examples() -> list[tuple[str, str]]:
    found = []
    for path in sorted(EXAMPLES.glob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0].lstrip("# ").strip()
        found.append((path.name, first))
    return found


@router.get("/", response_class=HTMLResponse)
def labs_page(request: Request, engine: EngineDep, error: str | None = None) -> HTMLResponse:
    with read_session(engine) as session:
        labs = list(session.exec(select(LabRow).order_by(col(LabRow.id))))
    return _page(request, "labs.html", labs=labs, examples=_examples(), error=error)


def _import(request: Request, engine, parse: Callable[[], LabDocument]) -> Response:
    try:
        doc = parse()
    except LabDocumentError as problem:
        with read_session(engine) as session:
            labs = list(session.exec(select(LabRow).order_by(col(LabRow.id))))
        return _page(request, "labs.html", 422, labs=labs, examples=_examples(), error=str(problem))
    with write_session(engine) as session:
        lab = import_lab(session, doc)
        lab_id = lab.id
    return RedirectResponse(f"/labs/{lab_id}", status_code=303)


@router.post("/labs/new")
def create_lab(request: Request, engine: EngineDep, name: Annotated[str, Form()] = "") -> Response:
    name = name.strip() or "New lab"
    return _import(request, engine, lambda: lab_from_data({"vnetlab": 1, "name": name}))


@router.post("/labs/import-file")
async def import_file(request: Request, engine: EngineDep, document: UploadFile) -> Response:
    raw = await document.read(request.app.state.settings.max_body_bytes + 1)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = "\x00"  # refused by the parser with a readable message
    return _import(request, engine, lambda: lab_from_text(text))


@router.post("/labs/from-example")
def from_example(request: Request, engine: EngineDep, example: Annotated[str, Form()]) -> Response:
    names = {name for name, _ in _examples()}
    if example not in names:
        return _page(request, "labs.html", 422, labs=[], examples=_examples(), error=f"no example '{example}'")
    return _import(request, engine, lambda: lab_from_text((EXAMPLES / example).read_text(encoding="utf-8")))


@router.post("/labs/{lab_id}/delete")
def delete_lab(lab_id: LabId, engine: EngineDep) -> Response:
    with write_session(engine) as session:
        lab = claim_next_version(session, lab_id, None)
        session.delete(lab)
    return RedirectResponse("/", status_code=303)


def _workspace(engine, lab_id: int):
    with read_session(engine) as session:
        lab = get_lab(session, lab_id)
        rows = load_rows(session, lab)
        doc = document_from_rows(rows)
    return build_workspace(rows, Simulation(doc).result())


@router.get("/labs/{lab_id}", response_class=HTMLResponse)
def editor_page(request: Request, lab_id: LabId, engine: EngineDep) -> HTMLResponse:
    return _page(request, "lab.html", ws=_workspace(engine, lab_id), flash=None)


@router.post("/labs/{lab_id}/attach", response_class=HTMLResponse)
def attach(
    request: Request,
    lab_id: LabId,
    engine: EngineDep,
    adapter_id: Annotated[int, Form(ge=1)],
    version: Annotated[int, Form(ge=1)],
    network_id: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """A drop (or the keyboard's select): attach an adapter to a network, as PATCH …/adapters/{id} does."""
    flash = None
    try:
        target = int(network_id) if network_id else None
    except ValueError:
        target, flash = None, ("error", f"'{network_id}' is not a network id")
    if flash is None:
        try:
            with write_session(engine) as session:
                change_part(session, SPEC_OF["adapter"], lab_id, adapter_id, {"network_id": target}, f'"{version}"')
        except PreconditionFailed:
            flash = ("warning", "This lab was changed elsewhere and has been reloaded; your drop changed nothing.")
        except RuleViolation as problem:
            flash = ("error", "; ".join(p.message for p in problem.problems))
        except ClientError as problem:
            flash = ("error", problem.message)
    return _page(request, "fragments/workspace.html", ws=_workspace(engine, lab_id), flash=flash)


@router.get("/labs/{lab_id}/pair", response_class=HTMLResponse)
def pair_detail(
    request: Request,
    lab_id: LabId,
    engine: EngineDep,
    source: Annotated[str, Query(alias="from", max_length=250)] = "",
    to: Annotated[str, Query(max_length=250)] = "",
) -> HTMLResponse:
    ws = _workspace(engine, lab_id)
    row = next((r for r in ws.result.reachability or [] if r.from_ == source and r.to == to), None)
    return _page(request, "fragments/pair.html", row=row, source=source, to=to)


@router.get("/labs/{lab_id}/vms/{vm_id}/ipconfig-panel", response_class=HTMLResponse)
def ipconfig_panel(
    request: Request, lab_id: LabId, vm_id: PartId, engine: EngineDep, locale: Locale = Locale.EN
) -> HTMLResponse:
    with read_session(engine) as session:
        lab = get_lab(session, lab_id)
        rows = load_rows(session, lab)
        doc = document_from_rows(rows)
    vm = next((v for v in rows.vms if v.id == vm_id), None)
    if vm is None:
        return _page(request, "fragments/ipconfig.html", 404, ref=None, text="", locale=locale)
    host = next(h for h in rows.hosts if h.id == vm.host_id)
    ref = f"{host.name}/{vm.name}"
    text = Simulation(doc).ipconfig(ref, locale, Layout.XP)
    return _page(request, "fragments/ipconfig.html", ref=ref, text=text, locale=locale, lab_id=lab_id, vm_id=vm_id)
