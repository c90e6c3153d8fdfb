"""Shared pieces of the routes: the database engine, preconditions, bodies in JSON or YAML."""

from typing import Annotated, Any

from fastapi import BackgroundTasks, Depends, Header, Path, Request, Response
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from app.api.simulation_cache import SimulationCache
from app.config import Settings
from app.db.labs import etag
from app.db.models import MAX_ID
from app.engine.caps import DocumentCaps
from app.engine.document import LabDocument
from app.engine.loading import DocumentFormat, DocumentOverCaps, LabDocumentError, lab_from_text
from app.engine.simulate import simulate_json_after
from app.errors import FieldProblem, RuleViolation, UnsupportedMediaType

JSON_TYPE = "application/json"
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml")


def get_settings_of(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_settings_of)]


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


def document_format(request: Request) -> DocumentFormat:
    """SPEC §9: a lab document is read by its content type; any other type is refused with 415."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == JSON_TYPE:
        return DocumentFormat.JSON
    if content_type in YAML_TYPES:
        return DocumentFormat.YAML
    shown = f"'{content_type}'" if content_type else "no content type"
    raise UnsupportedMediaType(
        f"a lab document is sent as {JSON_TYPE} or as YAML ({', '.join(YAML_TYPES)}); this request has {shown}"
    )


async def lab_document_body(request: Request, settings: SettingsDep) -> LabDocument:
    """A lab document sent as JSON, or as YAML with a YAML content type. Parsing and validation run in a
    worker thread: a large document must not hold up the event loop, and with it every other request."""
    fmt = document_format(request)
    raw = await request.body()
    return await run_in_threadpool(_read_document, raw, fmt, settings.document_caps())


def _read_document(raw: bytes, fmt: DocumentFormat, caps: DocumentCaps) -> LabDocument:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RuleViolation([FieldProblem(("body",), "the document must be UTF-8 text", "value_error")]) from None
    try:
        return lab_from_text(text, fmt, caps)
    except LabDocumentError as error:
        problems = [FieldProblem(("body", *_path_parts(e.path)), e.message, "lab_document") for e in error.errors]
        raise RuleViolation(problems, 413 if isinstance(error, DocumentOverCaps) else 422) from None


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
