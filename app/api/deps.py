"""Shared pieces of the routes: the database engine, preconditions, bodies in JSON or YAML."""

from typing import Annotated, Any

from fastapi import BackgroundTasks, Depends, Header, Path, Request, Response
from sqlalchemy import Engine

from app.api.simulation_cache import SimulationCache
from app.db.labs import etag
from app.engine.document import LabDocument
from app.engine.loading import LabDocumentError, lab_from_data, parse_text
from app.engine.simulate import simulate_json_after
from app.errors import FieldProblem, RuleViolation

YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")


def get_engine(request: Request) -> Engine:
    return request.app.state.engine


EngineDep = Annotated[Engine, Depends(get_engine)]


def get_simulation_cache(request: Request) -> SimulationCache:
    return request.app.state.simulation_cache


CacheDep = Annotated[SimulationCache, Depends(get_simulation_cache)]


def prepare_simulation(request: Request, tasks: BackgroundTasks, lab: Any, document: LabDocument) -> None:
    """After a change commits: once the response is sent, simulate the lab's new version for the read
    that follows (it waits for this rather than starting over)."""
    cache = get_simulation_cache(request)
    job = cache.prepare(lab, lambda previous: simulate_json_after(document, previous))
    if job is not None:
        tasks.add_task(job)


MAX_ID = 2**31 - 1  # ids beyond what the databases store are simply unknown
LabId = Annotated[int, Path(ge=1, le=MAX_ID, description="The lab's id")]
PartId = Annotated[int, Path(ge=1, le=MAX_ID, description="The part's id (unique across the whole database)")]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description='The lab version the change is based on, as given in ETag (e.g. "3"). A stale one gets 412.',
        max_length=200,
    ),
]


def tag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def refuse_nulls(changes: dict[str, Any], required: set[str]) -> None:
    """A field that always has a value cannot be set to null; absent means unchanged."""
    problems = [
        FieldProblem(("body", key), f"{key} cannot be null; leave it out to keep it unchanged", "null_refused")
        for key in sorted(required)
        if key in changes and changes[key] is None
    ]
    if problems:
        raise RuleViolation(problems)


def is_yaml(request: Request) -> bool:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return content_type in YAML_TYPES


async def lab_document_body(request: Request) -> LabDocument:
    """A lab document sent as JSON, or as YAML with a YAML content type."""
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RuleViolation([FieldProblem(("body",), "the document must be UTF-8 text", "value_error")]) from None
    try:
        data: Any = parse_text(text)
        return lab_from_data(data)
    except LabDocumentError as error:
        problems = [FieldProblem(("body", *_path_parts(e.path)), e.message, "lab_document") for e in error.errors]
        raise RuleViolation(problems) from None


def _path_parts(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for piece in path.replace("]", "").replace("[", ".").split("."):
        if piece:
            parts.append(int(piece) if piece.isdigit() else piece)
    return parts


DOCUMENT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "A lab document (SPEC §3), as JSON or as YAML with Content-Type: application/yaml.",
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/LabDocument"},
                "example": {
                    "vnetlab": 1,
                    "name": "Seed classroom",
                    "lans": [{"name": "Office LAN", "subnet": "192.168.11.0/24", "gateway": "192.168.11.1"}],
                    "hosts": [
                        {
                            "name": "host1",
                            "product": "virtual_pc_2007",
                            "lan": "Office LAN",
                            "vms": [{"name": "xp1", "adapters": [{"network": "Shared networking (NAT)"}]}],
                        }
                    ],
                },
            },
            "application/yaml": {"schema": {"type": "string"}},
        },
    }
}
