"""What a lab does: the simulation result, one reachability pair, a VM's ipconfig, and stateless simulate."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import PlainTextResponse

from app.api.deps import DOCUMENT_BODY, CacheDep, EngineDep, LabId, PartId, lab_document_body, tag
from app.api.schemas import CheckPublic, ProblemList
from app.db.convert import document_from_rows, load_rows
from app.db.labs import etag, get_lab, get_part, read_lab_rows
from app.db.models import HostRow
from app.db.session import read_session
from app.engine.checks import check_goals, junit_xml
from app.engine.document import LabDocument
from app.engine.ipconfig import Layout, Locale
from app.engine.result import Reachability, SimulationResult
from app.engine.simulate import Simulation, simulate_json, simulate_json_after
from app.errors import FieldProblem, NotFound, RuleViolation

router = APIRouter(tags=["simulation"])
ERRORS = {404: {"model": ProblemList}, 422: {"model": ProblemList}}
EndpointId = Annotated[
    str, Query(min_length=1, max_length=250, description="e.g. vm:host1/xp1, host:host1, lan:Office LAN, internet")
]


def _json(doc: LabDocument) -> Response:
    # Serialized directly: re-validating up to 89,700 pair rows through a response model would cost more
    # than computing them.
    return Response(simulate_json(doc), media_type="application/json")


@router.get(
    "/labs/{lab_id}/simulation",
    summary="Simulate a lab",
    description="Every adapter's address, every host OS's, and every ordered pair of endpoints with `via`, "
    "the first failing `reason` and a readable `path` (SPEC §7).",
    response_model=SimulationResult,
    responses=ERRORS,
)
def simulate_lab(lab_id: LabId, engine: EngineDep, cache: CacheDep) -> Response:
    with read_session(engine) as session:
        lab = get_lab(session, lab_id)
        # The lab is loaded (in this transaction, so at this version) only when no result is kept for it.
        text = cache.result(
            lab, lambda previous: simulate_json_after(document_from_rows(load_rows(session, lab)), previous)
        )
        version = lab.version
    response = Response(text, media_type="application/json")
    tag(response, version)
    return response


@router.get(
    "/labs/{lab_id}/checks",
    summary="Check the lab's goals",
    description="Each goal of the lab document (SPEC §12) against the simulation: passed or not, and what was "
    "found. `?format=junit`: JUnit XML, one test case a goal.",
    response_model=list[CheckPublic],
    responses={**ERRORS, 200: {"content": {"application/xml": {}}}},
)
def lab_checks(
    lab_id: LabId, engine: EngineDep, response: Response, format: Literal["json", "junit"] = "json"
) -> list[CheckPublic] | Response:
    rows = read_lab_rows(engine, lab_id)
    checks = check_goals(Simulation(document_from_rows(rows)))
    if format == "junit":
        xml = junit_xml(rows.lab.name, checks)
        return Response(xml, media_type="application/xml", headers={"ETag": etag(rows.lab.version)})
    tag(response, rows.lab.version)
    return [CheckPublic(goal=c.goal, name=c.name, passed=c.passed, detail=c.detail) for c in checks]


@router.get(
    "/labs/{lab_id}/reachability",
    summary="Can one endpoint open a connection to another?",
    response_model=Reachability,
    responses=ERRORS,
)
def reachability_pair(
    lab_id: LabId,
    engine: EngineDep,
    response: Response,
    source: Annotated[str, Query(alias="from", min_length=1, max_length=250, description="e.g. vm:host1/xp1")],
    to: EndpointId,
) -> Reachability:
    rows = read_lab_rows(engine, lab_id)
    simulation, version = Simulation(document_from_rows(rows)), rows.lab.version
    known = set(simulation.endpoints)
    for endpoint in (source, to):
        if endpoint not in known:
            raise NotFound(f"no endpoint '{endpoint}' in lab {lab_id}; endpoints: {', '.join(simulation.endpoints)}")
    if source == to:
        raise RuleViolation(
            [
                FieldProblem(
                    ("query", "to"), "from and to are the same endpoint; pairs are of two distinct ones", "value_error"
                )
            ]
        )
    tag(response, version)
    return simulation.pair(source, to)


@router.get(
    "/labs/{lab_id}/vms/{vm_id}/ipconfig",
    summary="What `ipconfig /all` shows inside a VM",
    response_class=PlainTextResponse,
    responses={**ERRORS, 200: {"content": {"text/plain": {}}}},
)
def vm_ipconfig(
    lab_id: LabId,
    vm_id: PartId,
    engine: EngineDep,
    locale: Annotated[
        Locale, Query(description="`en` or `ja`. Vista and later guests print English either way (SPEC §14.3).")
    ] = Locale.EN,
    layout: Annotated[
        Layout,
        Query(
            description="Windows XP-family guests only: `xp` (colon at column 42) or `seed` (the seed article's, "
            "column 40). Vista and later guests have one layout and ignore it."
        ),
    ] = Layout.XP,
) -> Response:
    """The text the VM's guest OS prints: Windows XP's for `windows_2000`, `windows_xp`,
    `windows_server_2003`, `linux` and `other`; Windows Vista's, 7's or Server 2008 R2's for those."""
    with read_session(engine) as session:
        lab = get_lab(session, lab_id)
        vm = get_part(session, "vm", lab_id, vm_id)
        host = session.get(HostRow, vm.host_id)
        doc = document_from_rows(load_rows(session, lab))
        version = lab.version
    text = Simulation(doc).ipconfig(f"{host.name}/{vm.name}", locale, layout)  # type: ignore[union-attr]
    response = PlainTextResponse(text)
    tag(response, version)
    return response


@router.post(
    "/simulate",
    summary="Simulate a lab document without storing it",
    response_model=SimulationResult,
    responses={
        413: {"model": ProblemList, "description": "Over the body size limit or one of the server's caps"},
        415: {"model": ProblemList, "description": "Not sent as JSON or YAML"},
        422: {"model": ProblemList},
    },
    openapi_extra=DOCUMENT_BODY,
)
def simulate_document(doc: Annotated[LabDocument, Depends(lab_document_body)]) -> Response:
    return _json(doc)
