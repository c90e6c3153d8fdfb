"""Recording and reading versions [H]: one row per version, its document kept unless pruned."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.config import get_settings
from app.db.labs import utcnow
from app.db.models import LabRow, LabVersionRow
from app.engine.document import LabDocument
from app.errors import Conflict, NotFound

MAX_SUMMARY = 500


class Via(StrEnum):
    """Through what a version came to be (SPEC §11)."""

    API = "api"
    DESIGNER = "designer"
    UNDO = "undo"
    REDO = "redo"
    REVERT = "revert"
    IMPORT = "import"
    COPY = "copy"


def document_data(document: LabDocument) -> dict[str, Any]:
    """The document as a version keeps it: plain JSON data, defaults left out, and every host's networks
    written out — as the lab's rows give them back — so that versions compare like with like."""
    hosts = [
        host if host.networks is not None else host.model_copy(update={"networks": host.effective_networks()})
        for host in document.hosts
    ]
    return document.model_copy(update={"hosts": hosts}).to_data()  # JSON mode: lists, strings, numbers


def record_version(session: Session, lab: LabRow, document: dict[str, Any], via: Via, summary: str) -> LabVersionRow:
    row = LabVersionRow(
        lab_id=lab.id,  # type: ignore[arg-type]
        version=lab.version,
        created_at=utcnow(),
        via=str(via),
        summary=summary if len(summary) <= MAX_SUMMARY else summary[: MAX_SUMMARY - 1] + "…",
        document=document,
    )
    session.add(row)
    _prune(session, lab)
    return row


def _prune(session: Session, lab: LabRow) -> None:
    keep = get_settings().keep_versions
    if keep == 0:
        return
    session.execute(
        update(LabVersionRow)
        .where(
            col(LabVersionRow.lab_id) == lab.id,
            col(LabVersionRow.version) <= lab.version - keep,
            col(LabVersionRow.checkpoint).is_(None),
            col(LabVersionRow.document).is_not(None),
        )
        .values(document=None)
        .execution_options(synchronize_session=False)
    )


def latest_document(session: Session, lab_id: int, version: int) -> dict[str, Any] | None:
    return session.exec(
        select(LabVersionRow.document).where(LabVersionRow.lab_id == lab_id, LabVersionRow.version == version)
    ).first()


def get_version(session: Session, lab_id: int, version: int) -> LabVersionRow:
    row = session.exec(
        select(LabVersionRow).where(LabVersionRow.lab_id == lab_id, LabVersionRow.version == version)
    ).first()
    if row is None:
        raise NotFound(f"lab {lab_id} has no version {version}")
    return row


def kept_document(row: LabVersionRow) -> dict[str, Any]:
    if row.document is None:
        raise Conflict(
            f"version {row.version} is no longer kept (VNETLAB_KEEP_VERSIONS keeps the newest versions and the "
            "checkpoints): its document is gone"
        )
    return row.document


def list_versions(session: Session, lab_id: int, limit: int, before: int | None) -> list[LabVersionRow]:
    query = select(LabVersionRow).where(LabVersionRow.lab_id == lab_id)
    if before is not None:
        query = query.where(col(LabVersionRow.version) < before)
    return list(session.exec(query.order_by(col(LabVersionRow.version).desc()).limit(limit)))


@dataclass(frozen=True)
class Stacks:
    """What undo and redo would take back or re-apply: the versions of the changes, last on top."""

    undo: list[int]
    redo: list[int]


def stacks(session: Session, lab_id: int, up_to: int | None = None) -> Stacks:
    """Spelled by the history itself: a change pushes itself and empties redo; an undo moves the top change
    to redo; a redo moves it back. The first version (the lab's creation) is nothing to undo. `up_to`: as they
    stood at that version (a page showing it must not offer to undo a change made since)."""
    undo: list[int] = []
    redo: list[int] = []
    query = select(LabVersionRow.version, LabVersionRow.via).where(LabVersionRow.lab_id == lab_id)
    if up_to is not None:
        query = query.where(col(LabVersionRow.version) <= up_to)
    rows = session.exec(query.order_by(col(LabVersionRow.version))).all()
    for index, (version, via) in enumerate(rows):
        if via == Via.UNDO and undo:
            redo.append(undo.pop())
        elif via == Via.REDO and redo:
            undo.append(redo.pop())
        elif index > 0:
            undo.append(version)
            redo.clear()
    return Stacks(undo, redo)


def summaries(session: Session, lab_id: int, versions: list[int]) -> dict[int, str]:
    if not versions:
        return {}
    rows = session.exec(
        select(LabVersionRow.version, LabVersionRow.summary).where(
            LabVersionRow.lab_id == lab_id, col(LabVersionRow.version).in_(versions)
        )
    ).all()
    return dict(rows)
