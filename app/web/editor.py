"""The editor page as parts: the diagram's (app/web/canvas.py lays them out, templates/canvas/parts.svg draws
them) and the page's others (templates/editor/parts.html). The whole page is its parts put together; a change
answers the parts that differ (app/web/patches.py)."""

from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from app.web import canvas
from app.web.matrix import FULL_MATRIX_ENDPOINTS, Table, groups_table, pairs_table
from app.web.patches import PageParts, keep, patch
from app.web.templating import NO_STORE, macros, render, templates
from app.web.views import Workspace

LAYERS = ("hosts", "lans", "buses", "links", "nodes", "legend")
BASE_HEADER = "x-vnetlab-base"  # the version the page shows, sent by its script with every request


def diagram_parts(diagram: canvas.Diagram) -> dict[str, tuple[str, str]]:
    """Part id → (layer, markup)."""
    svg = macros("canvas/parts.svg")
    parts: dict[str, tuple[str, str]] = {}
    for shape in diagram.hosts:
        parts[f"host-{shape.id}"] = ("hosts", str(svg.host(shape)))
    if diagram.internet:
        parts["internet"] = ("lans", str(svg.internet(diagram.internet)))
    for shape in diagram.lans:
        parts[f"lan-{shape.id}"] = ("lans", str(svg.lan(shape, diagram.internet)))
    for shape in diagram.buses:
        parts[f"net-{shape.id}"] = ("buses", str(svg.bus(shape)))
    for shape in diagram.links:
        parts[f"link-{shape.id}"] = ("links", str(svg.link(shape)))
    for shape in diagram.nodes:
        parts[f"vm-{shape.id}"] = ("nodes", str(svg.node(shape)))
    parts["legend"] = ("legend", str(svg.legend(diagram.min_x + 40, diagram.min_y + diagram.height - 80, diagram.name)))
    return parts


def diagram_markup(diagram: canvas.Diagram, parts: dict[str, tuple[str, str]], standalone: bool) -> Markup:
    layers = {layer: Markup("".join(markup for kind, markup in parts.values() if kind == layer)) for layer in LAYERS}
    template = templates.env.get_template("canvas/diagram.svg")
    return Markup(template.render(d=diagram, layers=layers, standalone=standalone))


def editor_parts(ws: Workspace, flash) -> tuple[PageParts, canvas.Diagram, dict[str, tuple[str, str]]]:
    diagram = canvas.layout(ws)
    svg = diagram_parts(diagram)
    page = macros("editor/parts.html")
    table = matrix_table(ws)
    html = {
        "lab-header": str(page.header(ws, flash)),
        "vm-names": str(page.vm_names(ws)),
        "matrix-section": str(page.matrix(ws, table)),
        "warnings": str(page.warnings(ws)),
        "diagram-bounds": f'<template id="diagram-bounds" data-bounds="{diagram.min_x} {diagram.min_y} '
        f'{diagram.width} {diagram.height}"></template>',
    }
    inner = dict(table.cells) if table else {}
    if ws.answers is not None:
        inner["matrix-count"] = str(page.count(ws))
    svg_markup = {key: markup for key, (_, markup) in svg.items()}
    skeleton = f"{ws.answers is None} {table.skeleton if table else ''}"
    parts = PageParts(ws.lab_id, ws.created_at, ws.version, svg_markup, html, inner, "matrix-section", skeleton)
    return parts, diagram, svg


def matrix_table(ws: Workspace) -> Table | None:
    if ws.answers is None:
        return None
    if len(ws.answers.endpoints) > FULL_MATRIX_ENDPOINTS:
        return groups_table(ws.answers, ws.groups)
    return pairs_table(ws.answers, ws.by_host, ws.by_host, ws.segments)


def editor_page(request: Request, ws: Workspace) -> HTMLResponse:
    parts, diagram, svg = editor_parts(ws, None)
    keep(request.app.state.matrix_cache.budget, parts)
    return render(request, "lab.html", ws=ws, parts=parts.html, diagram=diagram_markup(diagram, svg, standalone=False))


def base_version(request: Request) -> int | None:
    value = request.headers.get(BASE_HEADER, "")
    return int(value) if value.isdigit() and len(value) < 12 else None


def patch_response(request: Request, ws: Workspace, flash, extra: str = "") -> HTMLResponse:
    parts, _, _ = editor_parts(ws, flash)
    body = patch(request.app.state.matrix_cache.budget, parts, base_version(request), extra)
    return HTMLResponse(body, headers=NO_STORE)


def standalone_svg(ws: Workspace) -> str:
    diagram = canvas.layout(ws)
    return str(diagram_markup(diagram, diagram_parts(diagram), standalone=True))
