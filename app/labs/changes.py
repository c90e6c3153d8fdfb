"""Claim, apply, validate, record: how every change to a lab is made (see app/labs/__init__.py)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import ValidationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from app.access.keys import IssuedKeys, LabKeys
from app.config import get_settings
from app.db.convert import (
    CrossReferenceError,
    add_document_rows,
    document_data,
    document_from_rows,
    load_rows,
    stored_goals,
)
from app.db.feed import CHANNEL as FEED_CHANNEL
from app.db.feed import GONE
from app.db.labs import etag, get_lab, utcnow
from app.db.models import AdapterRow, HostRow, LabKeyRow, LabRow, LanRow, NetworkRow, VmRow
from app.engine.caps import cap_problems
from app.engine.diff import document_changes, summarize
from app.engine.document import UNION_TAGS, LabDocument
from app.errors import FieldProblem, Loc, PreconditionFailed, RuleViolation
from app.labs.versions import Via, latest_document, record_version
from app.labs.versions import document_data as version_data

T = TypeVar("T")
# Document fields that the API addresses by id.
_BODY_FIELDS = {"network": "network_id", "lan": "lan_id"}


@dataclass
class Change(Generic[T]):
    """What a change leaves: what `apply` returned, the lab row (its new version) and the lab as a document."""

    outcome: T
    lab: LabRow
    document: LabDocument
    summary: str
    restored: int | None = None  # undo, redo, revert: the version whose document the lab took again
    keys: LabKeys | None = None  # a new lab's keys, told once to whoever made it


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
        .where(LabRow.id == lab_id, LabRow.version == current)  # type: ignore[arg-type]
        .values(version=current + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise PreconditionFailed(f"lab {lab_id} changed while this change was made; reload it")
    set_committed_value(lab, "version", current + 1)
    set_committed_value(lab, "updated_at", now)
    _announce(session, lab_id, current + 1)
    return lab


def _announce(session: Session, lab_id: int, version: int) -> None:
    """On PostgreSQL, every instance's feed (app/db/feed.py) hears of the change once it commits."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_notify(FEED_CHANNEL, f"{lab_id}:{version}")))


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


def _record(session: Session, lab: LabRow, document: LabDocument, via: Via, summary: str | None) -> str:
    """Records the new version; without a summary given, says what changed since the previous one."""
    data = version_data(document)
    if summary is None:
        previous = latest_document(session, lab.id, lab.version - 1)  # type: ignore[arg-type]
        summary = summarize(document_changes(previous, data)) if previous is not None else "changed"
    record_version(session, lab, data, via, summary)
    return summary


def change_lab(
    session: Session,
    lab_id: int,
    if_match: str | None,
    via: Via,
    apply: Callable[[LabRow], T],
    focus: Callable[[T], tuple[str, int] | None] = lambda _: None,
    status: int = 422,
    summary: str | None = None,
) -> Change[T]:
    """Claims the next version, applies the change, validates the lab and records the version (`summary`: what
    the history says; without it, what changed), all in the caller's transaction."""
    lab = claim_next_version(session, lab_id, if_match)
    outcome = apply(lab)
    session.flush()
    document = validate_lab(session, lab, focus(outcome), status)
    summary = _record(session, lab, document, via, summary)
    return Change(outcome, lab, document, summary)


def create_lab(
    session: Session, doc: LabDocument, via: Via, keys: IssuedKeys, summary: str | None = None
) -> Change[None]:
    """A new lab from a valid document: its version 1, opened by `keys`."""
    now = utcnow()
    lab = LabRow(
        name=doc.name,
        description=doc.description,
        clock=doc.clock,
        goals=stored_goals(doc),
        created_at=now,
        updated_at=now,
    )
    session.add(lab)
    session.flush()
    session.add(LabKeyRow(lab_id=lab.id, nonce=keys.nonce, edit_hash=keys.edit_hash, view_hash=keys.view_hash))
    add_document_rows(session, lab, doc)
    vms = sum(len(host.vms) for host in doc.hosts)
    what = "imported" if via == Via.IMPORT else "created"
    contents = f" ({len(doc.hosts)} host{'s' * (len(doc.hosts) != 1)}, {vms} VM{'s' * (vms != 1)})" if doc.hosts else ""
    text = summary or f"{what} lab '{doc.name}'{contents}"
    _record(session, lab, doc, via, text)
    return Change(None, lab, doc, text, keys=keys.keys)


def copy_lab(session: Session, lab_id: int, keys: IssuedKeys, name: str | None = None) -> Change[None]:
    """A new lab from another's document as it now is (SPEC §12 `copy`): its own version 1, `via: copy`, its own
    history; `name` renames the copy."""
    source = get_lab(session, lab_id)
    doc = document_from_rows(load_rows(session, source))
    if name is not None:
        doc = LabDocument.model_validate({**doc.to_data(), "name": name})
    summary = f"copied lab {lab_id} ('{source.name}'), version {source.version}"
    return create_lab(session, doc, Via.COPY, keys, summary)


def _put_document(session: Session, lab: LabRow, doc: LabDocument) -> LabRow:
    """The lab's rows become `doc`'s (every part gets a new id)."""
    lab_id = lab.id
    for table in (AdapterRow, VmRow, NetworkRow, HostRow, LanRow):
        session.execute(delete(table).where(table.lab_id == lab_id))  # type: ignore[attr-defined]
    lab.name, lab.description, lab.clock = doc.name, doc.description, doc.clock
    lab.goals = stored_goals(doc)
    session.add(lab)
    session.flush()
    session.expunge_all()
    lab = get_lab(session, lab_id)  # type: ignore[arg-type]
    add_document_rows(session, lab, doc)
    return lab


def replace_lab(
    session: Session,
    lab_id: int,
    doc: LabDocument,
    if_match: str | None,
    via: Via,
    summary: str | None = None,
    restored: int | None = None,
) -> Change[None]:
    """The whole lab becomes `doc`, as one new version (`restored`: the earlier version `doc` is)."""
    lab = _put_document(session, claim_next_version(session, lab_id, if_match), doc)
    text = _record(session, lab, doc, via, summary)
    return Change(None, lab, doc, text, restored)


def delete_lab(session: Session, lab_id: int, if_match: str | None) -> None:
    """The lab and its history go (the database cascades)."""
    session.delete(claim_next_version(session, lab_id, if_match))
    _announce(session, lab_id, GONE)


def stored_document(data: dict[str, Any]) -> LabDocument:
    """A version's document, read back as the lab document it was when it was recorded."""
    return LabDocument.model_validate(data)
