"""The designer's pages and the fragments HTMX swaps into them. Changes go through the API's own code paths."""

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from app import paths
from app.access.guard import access_of
from app.access.store import Level
from app.api.deps import MAX_ID, EngineDep, LabId, PartId
from app.api.labs import document_response
from app.api.parts import SPEC_OF
from app.db.convert import document_from_rows
from app.db.labs import read_lab_rows
from app.db.session import write_session
from app.engine.document import LabDocument, OperatingSystem
from app.engine.guests import GuestFamily, guest_family, ipconfig_imitates
from app.engine.ipconfig import Layout, Locale
from app.engine.loading import LabDocumentError, format_for_path, lab_from_data, lab_from_text
from app.engine.simulate import Simulation
from app.errors import ClientError, PreconditionFailed, RuleViolation
from app.labs import changes
from app.labs.changes import Change
from app.labs.parts import add_part, change_part, remove_part, stored
from app.labs.versions import Via
from app.web import editor, forms, lab_keys
from app.web.forms import PartForm
from app.web.security import SVG_CSP
from app.web.templating import page_context, render, templates
from app.web.views import DROPS_AT_ONCE, Drop, editor_workspace

EXAMPLES = paths.EXAMPLES

router = APIRouter(include_in_schema=False)


def _examples() -> list[tuple[str, str]]:
    found = []
    for path in sorted(EXAMPLES.glob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0].lstrip("# ").strip()
        found.append((path.name, first))
    return found


def _labs_page(request: Request, engine, status: int = 200, error: str | None = None) -> HTMLResponse:
    labs = lab_keys.held_labs(request, engine)
    return render(
        request, "labs.html", status, labs=labs, admin=lab_keys.is_admin(request), examples=_examples(), error=error
    )


def _refused(request: Request, engine, error: str) -> HTMLResponse:
    """The labs page again, saying why nothing was created."""
    return _labs_page(request, engine, 422, error)


@router.get("/", response_class=HTMLResponse)
def labs_page(request: Request, engine: EngineDep, error: str | None = None) -> Response:
    return lab_keys.admin_by_link(request) or _labs_page(request, engine, error=error)


def _import(request: Request, engine, parse: Callable[[], LabDocument], via: Via = Via.IMPORT) -> Response:
    try:
        doc = parse()
    except LabDocumentError as problem:
        return _refused(request, engine, str(problem))
    keys = access_of(request).new_keys()  # first: it may read the admin token
    with write_session(engine) as session:
        made = changes.create_lab(session, doc, via, keys)
    return opened_new_lab(request, made)


def opened_new_lab(request: Request, made: Change, response: Response | None = None) -> Response:
    """The browser goes to a lab it has just made (`response`: how; a redirect by default), holding its edit key."""
    assert made.lab.id is not None and made.keys is not None
    response = response or RedirectResponse(f"/labs/{made.lab.id}", status_code=303)
    lab_keys.keep_key(request, response, made.lab.id, made.keys.edit, Level.EDIT)
    return response


@router.post("/labs/new")
def create_lab(request: Request, engine: EngineDep, name: Annotated[str, Form()] = "") -> Response:
    name = name.strip() or "New lab"
    if (problem := forms.text_problem(name)) is not None:
        return _refused(request, engine, f"name: {problem}")
    return _import(request, engine, lambda: lab_from_data({"vnetlab": 1, "name": name}), Via.DESIGNER)


@router.post("/labs/import-file")
def import_file(request: Request, engine: EngineDep, document: UploadFile | None = None) -> Response:
    if document is None or not document.filename:
        return _refused(request, engine, "choose a lab document (.yaml or .json) to import")
    settings = request.app.state.settings
    raw = document.file.read(settings.max_body_bytes + 1)  # parsed already; in a worker thread
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _refused(request, engine, f"{document.filename} is not UTF-8 text: is it a lab document?")
    fmt = format_for_path(document.filename)
    return _import(request, engine, lambda: lab_from_text(text, fmt, settings.document_caps()))


@router.post("/labs/from-example")
def from_example(request: Request, engine: EngineDep, example: Annotated[str, Form(max_length=200)] = "") -> Response:
    names = {name for name, _ in _examples()}
    if example not in names:
        return _refused(request, engine, f"no example '{example}'" if example else "choose an example")
    return _import(request, engine, lambda: lab_from_text((EXAMPLES / example).read_text(encoding="utf-8")))


@router.post("/labs/{lab_id}/delete")
def delete_lab(lab_id: LabId, engine: EngineDep) -> Response:
    with write_session(engine) as session:
        changes.delete_lab(session, lab_id, None)
    response = RedirectResponse("/", status_code=303)
    lab_keys.forget_key(response, lab_id)
    return response


def workspace_for(request: Request, engine, lab_id: int, drop: Drop | None = None, matrix: bool = True):
    """The lab as the editor shows it (see `editor_workspace`); without `matrix`, a large lab's reachability is
    not worked out (a change's answer, whose page fetches it after — app/web/patches.py —, or a picture)."""
    ws = editor_workspace(request.app.state.matrix_cache, engine, lab_id, drop, matrix)
    ws.read_only = lab_keys.read_only(request)
    return ws


@router.get("/labs/{lab_id}", response_class=HTMLResponse)
def editor_page(request: Request, lab_id: LabId, engine: EngineDep) -> Response:
    return lab_keys.opened_by_link(request, lab_id) or editor.editor_page(
        request, workspace_for(request, engine, lab_id)
    )


# (level, message), or (level, message, "undo"): an Undo button beside the message.
Flash = tuple[str, ...] | None


def panel_markup(request: Request, template: str, **context) -> str:
    """A panel (templates/editor/*_panel.html): what a patch carries beside the lab's parts."""
    return templates.env.get_template(template).render(page_context(request, context))


CLOSED_PANEL = '<aside id="panel" class="panel" aria-label="Details" hidden></aside>'


def workspace_page(
    request: Request, engine, lab_id: int, flash: Flash = None, form: PartForm | None = None, close_panel: bool = False
) -> HTMLResponse:
    """What every editing action answers with: the parts of the editor that differ from the version the page
    shows (app/web/editor.py), with the form's panel when there is a form to show."""
    ws = workspace_for(request, engine, lab_id, matrix=False)
    extra = panel_markup(request, "editor/form_panel.html", ws=ws, form=form) if form is not None else ""
    return editor.patch_response(request, ws, flash, extra or (CLOSED_PANEL if close_panel else ""))


def attempt_change(engine, change: Callable[[Session], object], unchanged: str, refused: str = "") -> Flash:
    """Makes a change in its own transaction; says what went wrong, if anything, as the page shows it."""
    try:
        with write_session(engine) as session:
            change(session)
    except PreconditionFailed:
        return ("warning", f"This lab was changed elsewhere and has been reloaded; {unchanged}.")
    except RuleViolation as problem:
        return ("error", refused + "; ".join(p.message for p in problem.problems))
    except ClientError as problem:
        return ("error", problem.message)
    return None


@router.post("/labs/{lab_id}/attach", response_class=HTMLResponse)
def attach(
    request: Request,
    lab_id: LabId,
    engine: EngineDep,
    adapter_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    version: forms.Version,
    network_id: Annotated[str, Form(max_length=200)] = "",
) -> HTMLResponse:
    """A drop (or the keyboard's select): attach an adapter to a network, as PATCH …/adapters/{id} does."""
    dropped: list[Drop] = []  # what the change leaves for the answer, so that nothing is read again

    def change(session: Session) -> None:
        made = change_part(session, "adapter", lab_id, adapter_id, fields, f'"{version}"', Via.DESIGNER)
        dropped.append(Drop(made.lab, made.document, made.outcome, made.summary))

    with DROPS_AT_ONCE:
        if network_id and forms.parse_id(network_id) is None:
            flash: Flash = ("error", f"'{network_id}' is not a network id")
        else:
            fields = {"network_id": forms.parse_id(network_id) if network_id else None}
            flash = attempt_change(engine, change, "your drop changed nothing")
        ws = workspace_for(request, engine, lab_id, dropped[0] if dropped and flash is None else None, matrix=False)
        return editor.patch_response(request, ws, flash)


@router.get("/labs/{lab_id}/topology.svg")
def topology_svg(request: Request, lab_id: LabId, engine: EngineDep) -> Response:
    return Response(
        editor.standalone_svg(workspace_for(request, engine, lab_id, matrix=False)),
        media_type="image/svg+xml",
        headers={"Content-Disposition": f'inline; filename="lab-{lab_id}.svg"', "Content-Security-Policy": SVG_CSP},
    )


@router.get("/labs/{lab_id}/document.yaml")
def document_yaml(lab_id: LabId, engine: EngineDep) -> Response:
    """The lab document to download, opened by the browser's key (the API's export takes bearer keys only)."""
    doc = document_from_rows(read_lab_rows(engine, lab_id))
    response = document_response(doc, "yaml")
    response.headers["Content-Disposition"] = f'attachment; filename="lab-{lab_id}.yaml"'
    return response


@router.post("/labs/{lab_id}/adapters/new", response_class=HTMLResponse)
def add_adapter(
    request: Request,
    lab_id: LabId,
    engine: EngineDep,
    vm_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    version: forms.Version,
) -> HTMLResponse:
    body = SPEC_OF["adapter"].create.model_validate({"vm_id": vm_id})
    flash = attempt_change(
        engine,
        lambda session: add_part(session, "adapter", lab_id, body, f'"{version}"', Via.DESIGNER),
        "no adapter was added",
    )
    return workspace_page(request, engine, lab_id, flash=flash)


@router.get("/labs/{lab_id}/pair", response_class=HTMLResponse)
def pair_detail(
    request: Request,
    lab_id: LabId,
    engine: EngineDep,
    source: Annotated[str, Query(alias="from", max_length=250)] = "",
    to: Annotated[str, Query(max_length=250)] = "",
) -> HTMLResponse:
    simulation = Simulation(document_from_rows(read_lab_rows(engine, lab_id)))
    known = set(simulation.endpoints)
    row = simulation.pair(source, to) if source in known and to in known and source != to else None
    return render(request, "fragments/pair.html", row=row, source=source, to=to)


@router.get("/labs/{lab_id}/vms/{vm_id}/ipconfig-panel", response_class=HTMLResponse)
def ipconfig_panel(
    request: Request,
    lab_id: LabId,
    vm_id: PartId,
    engine: EngineDep,
    locale: Locale = Locale.EN,
    text_layout: Annotated[Layout, Query(alias="layout")] = Layout.XP,
) -> HTMLResponse:
    rows = read_lab_rows(engine, lab_id)
    doc = document_from_rows(rows)
    vm = next((v for v in rows.vms if v.id == vm_id), None)
    if vm is None:
        return render(request, "fragments/ipconfig.html", 404, ref=None, text="", locale=locale)
    host = next(h for h in rows.hosts if h.id == vm.host_id)
    ref = f"{host.name}/{vm.name}"
    text = Simulation(doc).ipconfig(ref, locale, text_layout)
    os = OperatingSystem(vm.os)
    return render(
        request,
        "fragments/ipconfig.html",
        ref=ref,
        text=text,
        locale=locale,
        layout=text_layout,
        imitates=ipconfig_imitates(os),
        # Only the XP family's text changes with language and layout [W7R-12]: offer the switches there alone.
        switches=guest_family(os) == GuestFamily.XP,
        lab_id=lab_id,
        vm_id=vm_id,
    )


# Editing forms: fetched into the workspace's form panel; sent back, they re-render the workspace with the
# change made, or with the form and its errors next to their fields.

FORM_KINDS = ("lan", "host", "network", "vm", "adapter")


def _find(rows_list, part_id):
    return next((row for row in rows_list if row.id == part_id), None)


def _build_form(rows, kind: str, part_id: int | None, parent_id: int | None) -> PartForm | None:
    form = _form_of(rows, kind, part_id, parent_id)
    if form is not None and part_id is not None:
        form.delete_question = forms.delete_question(rows, kind, part_id)
    return form


def _form_of(rows, kind: str, part_id: int | None, parent_id: int | None) -> PartForm | None:
    hosts = {h.id: h for h in rows.hosts}
    if kind == "lan":
        lan = _find(rows.lans, part_id) if part_id else None
        return None if part_id and lan is None else forms.lan_form(lan)
    if kind == "host":
        host = _find(rows.hosts, part_id) if part_id else None
        return None if part_id and host is None else forms.host_form(host, rows.lans)
    if kind == "network":
        network = _find(rows.networks, part_id) if part_id else None
        host = hosts.get(network.host_id if network else parent_id)  # type: ignore[arg-type]
        return None if host is None or (part_id and network is None) else forms.network_form(network, host)
    if kind == "vm":
        vm = _find(rows.vms, part_id) if part_id else None
        host = hosts.get(vm.host_id if vm else parent_id)  # type: ignore[arg-type]
        return None if host is None or (part_id and vm is None) else forms.vm_form(vm, host)
    if kind == "adapter" and part_id:
        adapter = _find(rows.adapters, part_id)
        if adapter is None:
            return None
        vm = _find(rows.vms, adapter.vm_id)
        siblings = [a.id for a in rows.adapters if a.vm_id == adapter.vm_id]
        index = siblings.index(adapter.id) + 1
        return forms.adapter_form(adapter, hosts[vm.host_id], rows.networks, index, vm.name)
    return None


@router.get("/labs/{lab_id}/forms/{kind}", response_class=HTMLResponse)
def new_part_form(
    request: Request, lab_id: LabId, kind: str, engine: EngineDep, parent: Annotated[int | None, Query(ge=1)] = None
) -> HTMLResponse:
    form = _build_form(read_lab_rows(engine, lab_id), kind, None, parent) if kind in FORM_KINDS else None
    flash = None if form else ("error", "there is nothing to add there")
    return workspace_page(request, engine, lab_id, form=form, flash=flash)


@router.get("/labs/{lab_id}/forms/{kind}/{part_id}", response_class=HTMLResponse)
def edit_part_form(request: Request, lab_id: LabId, kind: str, part_id: PartId, engine: EngineDep) -> HTMLResponse:
    form = _build_form(read_lab_rows(engine, lab_id), kind, part_id, None) if kind in FORM_KINDS else None
    flash = None if form else ("error", f"no {kind} {part_id} in this lab")
    return workspace_page(request, engine, lab_id, form=form, flash=flash)


def _body_for(kind: str, submitted: dict[str, str], rows, form: PartForm) -> dict:
    hosts = {h.id: h for h in rows.hosts}
    if kind == "lan":
        return forms.lan_body(submitted)
    if kind == "host":
        return forms.host_body(submitted)
    if kind == "network":
        host_id = form.parent_id if form.part_id is None else _find(rows.networks, form.part_id).host_id
        return forms.network_body(submitted, hosts[host_id])
    if kind == "vm":
        return forms.vm_body(submitted)
    adapter = _find(rows.adapters, form.part_id)
    return forms.adapter_body(submitted, hosts[_find(rows.vms, adapter.vm_id).host_id])


async def _form_fields(request: Request) -> dict[str, str]:
    """The submitted fields, read on the event loop without blocking it (the route then runs in a thread)."""
    data = await request.form(max_files=0, max_fields=200)
    return {key: value for key, value in data.items() if isinstance(value, str)}


@router.post("/labs/{lab_id}/forms/{kind}", response_class=HTMLResponse)
@router.post("/labs/{lab_id}/forms/{kind}/{part_id}", response_class=HTMLResponse)
def submit_part_form(
    request: Request,
    lab_id: LabId,
    kind: str,
    engine: EngineDep,
    fields: Annotated[dict[str, str], Depends(_form_fields)],
    part_id: PartId | None = None,
) -> HTMLResponse:
    rows = read_lab_rows(engine, lab_id)
    parent = forms.parse_id(fields.get("parent", ""))
    form = _build_form(rows, kind, part_id, parent) if kind in FORM_KINDS else None
    if form is None:
        return workspace_page(request, engine, lab_id, flash=("error", "no such part"))
    for item in form.fields:
        item.value = fields.get(item.name, item.value)
    if not form.check():
        return workspace_page(request, engine, lab_id, flash=None, form=form)
    submitted = {item.name: item.value for item in form.fields}  # what the form offers, nothing else
    spec = SPEC_OF[kind]
    body = _body_for(kind, submitted, rows, form)
    if part_id is None and spec.kind in ("network", "vm"):
        body["host_id"] = form.parent_id
    version = forms.parse_id(fields.get("version", "")) or 0  # not a version: taken as a stale one
    try:
        model = (spec.create if part_id is None else spec.update).model_validate(body)
        with write_session(engine) as session:
            if part_id is None:
                add_part(session, kind, lab_id, model, f'"{version}"', Via.DESIGNER)
            else:
                values = stored(model.model_dump(mode="json", exclude_unset=True))
                change_part(session, kind, lab_id, part_id, values, f'"{version}"', Via.DESIGNER)
    except ValidationError as error:
        form.show_errors(
            [(["body", *item["loc"]], item["msg"].removeprefix("Value error, ")) for item in error.errors()]
        )
    except RuleViolation as problem:
        form.show_errors([(list(p.loc), p.message) for p in problem.problems])
    except PreconditionFailed:
        flash = ("warning", "This lab was changed elsewhere and has been reloaded; your form was not saved.")
        return workspace_page(request, engine, lab_id, flash=flash, form=form)
    except ClientError as problem:
        form.general_errors.append(problem.message)
    else:
        return workspace_page(request, engine, lab_id, close_panel=True)
    return workspace_page(request, engine, lab_id, form=form)


@router.post("/labs/{lab_id}/forms/{kind}/{part_id}/delete", response_class=HTMLResponse)
def delete_part_form(
    request: Request,
    lab_id: LabId,
    kind: str,
    part_id: PartId,
    engine: EngineDep,
    version: forms.Version,
) -> HTMLResponse:
    made: list = []
    if kind not in FORM_KINDS:
        flash: Flash = ("error", f"no part kind '{kind}'")
    else:
        flash = attempt_change(
            engine,
            lambda session: made.append(remove_part(session, kind, lab_id, part_id, f'"{version}"', Via.DESIGNER)),
            "nothing was deleted",
            refused="Not deleted: ",
        )
    if flash is None:  # says what went, and offers the way back
        flash = ("info", made[0].summary[:1].upper() + made[0].summary[1:] + ".", "undo")
    return workspace_page(request, engine, lab_id, flash=flash, close_panel=flash[0] == "info")
