"""The editor page as parts: the diagram's (app/web/canvas.py lays them out, templates/canvas/parts.svg draws
them) and the page's others (templates/editor/parts.html). The whole page is its parts put together; a change
answers the parts that differ (app/web/patches.py)."""

from collections.abc import Mapping

from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from app.api.simulation_cache import CacheBudget
from app.web import canvas
from app.web.matrix import FULL_MATRIX_ENDPOINTS, Table, groups_table, pairs_table
from app.web.patches import MatrixParts, PageParts, keep, matrix_patch, patch
from app.web.templating import NO_STORE, macros, render, templates
from app.web.views import Workspace

LAYERS = ("hosts", "lans", "buses", "links", "nodes", "legend")
BASE_HEADER = "x-vnetlab-base"  # the version the page shows, sent by its script with every request
MATRIX_HEADER = "x-vnetlab-matrix"  # the version its matrix shows


def diagram_parts(
    diagram: canvas.Diagram, before: Mapping[str, str] | None = None
) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """Part id → (layer, markup), and the markup drawn for each shape (by its repr). `before`: that of an
    earlier diagram, taken instead of drawing a shape again — most are the same from one version to the next."""
    svg = macros("canvas/parts.svg")
    before = before or {}
    drawn: dict[str, str] = {}

    def draw(draw_shape, *shape) -> str:
        key = f"{draw_shape.name}{shape!r}"
        markup = before.get(key)
        drawn[key] = markup if markup is not None else str(draw_shape(*shape))
        return drawn[key]

    parts: dict[str, tuple[str, str]] = {}
    for host in diagram.hosts:
        parts[f"host-{host.id}"] = ("hosts", draw(svg.host, host))
    if diagram.internet:
        parts["internet"] = ("lans", draw(svg.internet, diagram.internet))
    for lan in diagram.lans:
        parts[f"lan-{lan.id}"] = ("lans", draw(svg.lan, lan, diagram.internet))
    for bus in diagram.buses:
        parts[f"net-{bus.id}"] = ("buses", draw(svg.bus, bus))
    for link in diagram.links:
        parts[f"link-{link.id}"] = ("links", draw(svg.link, link))
    for node in diagram.nodes:
        parts[f"vm-{node.id}"] = ("nodes", draw(svg.node, node))
    parts["legend"] = (
        "legend",
        draw(svg.legend, diagram.min_x + 40, diagram.min_y + diagram.height - 80, diagram.name),
    )
    return parts, drawn


def diagram_markup(diagram: canvas.Diagram, parts: dict[str, tuple[str, str]], standalone: bool) -> Markup:
    layers = {layer: Markup("".join(markup for kind, markup in parts.values() if kind == layer)) for layer in LAYERS}
    template = templates.env.get_template("canvas/diagram.svg")
    return Markup(template.render(d=diagram, layers=layers, standalone=standalone))


def editor_parts(
    ws: Workspace, flash, budget: CacheBudget | None = None
) -> tuple[PageParts, canvas.Diagram, dict[str, tuple[str, str]]]:
    """The page's parts; with `budget`, the diagram's shapes drawn for the lab's last version are kept there and
    reused."""
    diagram = canvas.layout(ws)
    key = ("drawn shapes", ws.lab_id, ws.created_at)
    svg, drawn = diagram_parts(diagram, budget.get(key) if budget is not None else None)
    if budget is not None:
        budget.put(key, drawn, sum(len(k) + len(v) for k, v in drawn.items()) * 2 + 1024)
    page = macros("editor/parts.html")
    html = {
        "lab-header": str(page.header(ws, flash)),
        "vm-names": str(page.vm_names(ws)),
        "warnings": str(page.warnings(ws)),
        "goals": str(page.goals(ws)),
        "diagram-bounds": f'<template id="diagram-bounds" data-bounds="{diagram.min_x} {diagram.min_y} '
        f'{diagram.width} {diagram.height}"></template>',
    }
    svg_markup = {key: markup for key, (_, markup) in svg.items()}
    matrix = None if ws.matrix_left_out else matrix_parts(ws)
    return PageParts(ws.lab_id, ws.created_at, ws.version, svg_markup, html, matrix), diagram, svg


def matrix_parts(ws: Workspace) -> MatrixParts:
    page = macros("editor/parts.html")
    table = matrix_table(ws)
    inner = dict(table.cells) if table else {}
    if ws.answers is not None:
        inner["matrix-count"] = str(page.count(ws))
    skeleton = f"{ws.answers is None} {table.skeleton if table else ''}"
    return MatrixParts(str(page.matrix(ws, table)), skeleton, inner)


def matrix_table(ws: Workspace) -> Table | None:
    if ws.answers is None:
        return None
    if len(ws.answers.endpoints) > FULL_MATRIX_ENDPOINTS:
        return groups_table(ws.answers, ws.groups)
    return pairs_table(ws.answers, ws.by_host, ws.by_host, ws.segments)


def editor_page(request: Request, ws: Workspace) -> HTMLResponse:
    budget = request.app.state.matrix_cache.budget
    parts, diagram, svg = editor_parts(ws, None, budget)
    keep(budget, parts)
    matrix = Markup(parts.matrix.markup) if parts.matrix is not None else ""
    diagram_svg = diagram_markup(diagram, svg, standalone=False)
    return render(request, "lab.html", ws=ws, parts=parts.html, matrix=matrix, diagram=diagram_svg)


def base_version(request: Request, header: str = BASE_HEADER) -> int | None:
    value = request.headers.get(header, "")
    return int(value) if value.isdigit() and len(value) < 12 else None


def patch_response(request: Request, ws: Workspace, flash, extra: str = "") -> HTMLResponse:
    """The parts of the page that differ from the version it shows; a workspace without its matrix names where
    the page fetches it (`matrix_response`)."""
    shown = (base_version(request), base_version(request, MATRIX_HEADER))
    return HTMLResponse(patch_body(request, ws, flash, extra, shown), headers=NO_STORE)


def patch_body(request: Request, ws: Workspace, flash, extra: str, shown: tuple[int | None, int | None]) -> str:
    """`patch_response`'s body for a page that shows versions `shown` (its diagram's, its matrix's)."""
    budget = request.app.state.matrix_cache.budget
    parts, _, _ = editor_parts(ws, flash, budget)
    follow = f"/labs/{ws.lab_id}/matrix-parts"
    return str(patch(budget, parts, shown[0], shown[1], extra, follow))


def matrix_response(request: Request, ws: Workspace) -> HTMLResponse:
    """The matrix's parts that differ from those the page shows."""
    budget = request.app.state.matrix_cache.budget
    shown = base_version(request, MATRIX_HEADER)
    body = matrix_patch(budget, ws.lab_id, ws.created_at, shown, matrix_parts(ws), ws.version)
    return HTMLResponse(body, headers=NO_STORE)


def standalone_svg(ws: Workspace) -> str:
    diagram = canvas.layout(ws)
    return str(diagram_markup(diagram, diagram_parts(diagram)[0], standalone=True))
