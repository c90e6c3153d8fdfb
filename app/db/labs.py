"""Lab storage operations. Every change runs in one transaction that claims the lab's next version
(compare-and-set), applies the change, and validates the whole lab as a document before committing."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import Engine, delete, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, func, select

from app.config import get_settings
from app.db.convert import CrossReferenceError, LabRows, add_document_rows, document_data, load_rows
from app.db.models import AdapterRow, HostRow, LabRow, LanRow, NetworkRow, VmRow
from app.db.session import read_session
from app.engine.caps import cap_problems
from app.engine.document import UNION_TAGS, LabDocument
from app.errors import FieldProblem, Loc, NotFound, PreconditionFailed, RuleViolation

T = TypeVar("T")
PART_TABLES: dict[str, type] = {
    "lan": LanRow,
    "host": HostRow,
    "network": NetworkRow,
    "vm": VmRow,
    "adapter": AdapterRow,
}
# Document fields that the API addresses by id.
_BODY_FIELDS = {"network": "network_id", "lan": "lan_id"}


def utcnow() -> datetime:
    return datetime.now(UTC)


def get_lab(session: Session, lab_id: int, for_update: bool = False) -> LabRow:
    query = select(LabRow).where(LabRow.id == lab_id)
    if for_update:  # PostgreSQL: concurrent writers of one lab queue here; SQLite already holds the write lock
        query = query.with_for_update()
    lab = session.exec(query).first()
    if lab is None:
        raise NotFound(f"no lab {lab_id}")
    return lab


def read_lab_rows(engine: Engine, lab_id: int) -> LabRows:
    """A whole lab, read in one short transaction: the lab row, then one query per table."""
    with read_session(engine) as session:
        return load_rows(session, get_lab(session, lab_id))


def etag(version: int) -> str:
    return f'"{version}"'


def _matches(if_match: str, version: int) -> bool:
    tags = [tag.strip().removeprefix("W/") for tag in if_match.split(",")]
    return "*" in tags or etag(version) in tags


def claim_next_version(session: Session, lab_id: int, if_match: str | None) -> LabRow:
    """Locks in this transaction's change: a stale If-Match, or a writer who got there first, gets 412."""
    lab = get_lab(session, lab_id, for_update=True)
    if if_match is not None and not _matches(if_match, lab.version):
        raise PreconditionFailed(
            f"lab {lab_id} is at version {lab.version}, not {if_match}: it changed elsewhere; reload it"
        )
    now, current = utcnow(), lab.version
    claimed = session.execute(
        update(LabRow)
        .where(LabRow.id == lab_id, LabRow.version == current)
        .values(version=current + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise PreconditionFailed(f"lab {lab_id} changed while this change was made; reload it")
    set_committed_value(lab, "version", current + 1)
    set_committed_value(lab, "updated_at", now)
    return lab


def document_problems(error: ValidationError, focus: Loc | None, outside: str = "lab") -> list[FieldProblem]:
    """Document errors located for the client: fields of the object the request is about under
    `body`, anything else in the lab under its document path."""
    problems = []
    for item in error.errors(include_url=False):
        loc = tuple(part for part in item["loc"] if part not in UNION_TAGS)
        problems.append(
            FieldProblem(_locate(loc, focus, outside), item["msg"].removeprefix("Value error, "), item["type"])
        )
    return problems


def _locate(loc: Loc, focus: Loc | None, outside: str) -> Loc:
    if focus is not None and loc[: len(focus)] == focus:
        rest = loc[len(focus) :]
        if rest and isinstance(rest[0], str):
            rest = (_BODY_FIELDS.get(rest[0], rest[0]), *rest[1:])
        return ("body", *rest)
    return (outside, *loc)


def validate_lab(session: Session, lab: LabRow, focus: tuple[str, int] | None, status: int = 422) -> LabDocument:
    """Checks the lab as it now stands in this transaction with the lab document's own rules."""
    session.flush()
    rows = load_rows(session, lab)
    try:
        view = document_data(rows)
    except CrossReferenceError as error:
        raise RuleViolation([FieldProblem(("body", error.loc[-1]), error.message, value=error.value)]) from None
    focus_loc = view.locations.get(focus) if focus is not None else None
    over = cap_problems(view.data, get_settings().document_caps())
    if over:
        raise RuleViolation([FieldProblem(_locate(p.loc, focus_loc, "lab"), p.message, "cap") for p in over], 413)
    try:
        return LabDocument.model_validate(view.data)
    except ValidationError as error:
        raise RuleViolation(document_problems(error, focus_loc), status) from None


def next_position(session: Session, table: Any, **scope: int) -> int:
    query = select(func.max(table.position))
    for name, value in scope.items():
        query = query.where(getattr(table, name) == value)
    highest = session.exec(query).first()
    return 0 if highest is None else highest + 1


def get_part(session: Session, kind: str, lab_id: int, part_id: int) -> Any:
    row = session.get(PART_TABLES[kind], part_id)
    if row is None or row.lab_id != lab_id:
        raise NotFound(f"no {kind} {part_id} in lab {lab_id}")
    return row


def change_lab(
    session: Session,
    lab_id: int,
    if_match: str | None,
    apply: Callable[[LabRow], T],
    focus: Callable[[T], tuple[str, int] | None] = lambda _: None,
    status: int = 422,
) -> tuple[T, LabRow, LabDocument]:
    """Claims the next version, applies the change and validates the lab, all in the caller's transaction.
    Returns what `apply` returned, the lab row and the lab as the document it now is."""
    lab = claim_next_version(session, lab_id, if_match)
    outcome = apply(lab)
    session.flush()
    document = validate_lab(session, lab, focus(outcome), status)
    return outcome, lab, document


def import_lab(session: Session, doc: LabDocument) -> LabRow:
    now = utcnow()
    lab = LabRow(name=doc.name, description=doc.description, clock=doc.clock, created_at=now, updated_at=now)
    session.add(lab)
    session.flush()
    add_document_rows(session, lab, doc)
    return lab


def replace_lab(session: Session, lab_id: int, doc: LabDocument, if_match: str | None) -> LabRow:
    lab = claim_next_version(session, lab_id, if_match)
    for table in (AdapterRow, VmRow, NetworkRow, HostRow, LanRow):
        session.execute(delete(table).where(table.lab_id == lab_id))  # type: ignore[attr-defined]
    lab.name, lab.description, lab.clock = doc.name, doc.description, doc.clock
    session.add(lab)
    session.flush()
    session.expunge_all()
    lab = get_lab(session, lab_id)
    add_document_rows(session, lab, doc)
    return lab
