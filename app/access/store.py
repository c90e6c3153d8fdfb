"""Which labs the keys a caller sends open, and how far: queries by key hash, compared in constant time."""

from collections.abc import Iterable
from enum import IntEnum

from sqlalchemy import Engine, or_
from sqlmodel import Session, col, select

from app.access.keys import LabKeys, derive_keys, key_hash, same
from app.db.models import AssignmentRow, LabKeyRow, LabRow, StudentCopyRow
from app.db.session import read_session
from app.errors import NotFound


class Level(IntEnum):
    VIEW = 1
    EDIT = 2
    ADMIN = 3


def lab_level(engine: Engine, lab_id: int, keys: Iterable[str]) -> Level | None:
    """How far `keys` open lab `lab_id` (None: not at all, or no such lab). The edit key of an assignment's
    lab also opens its students' copies, to view."""
    hashes = [key_hash(key) for key in keys]
    with read_session(engine) as session:
        row = session.exec(select(LabKeyRow.edit_hash, LabKeyRow.view_hash).where(LabKeyRow.lab_id == lab_id)).first()
        if row is None:
            return None
        edit, view = row
        if any(same(h, edit) for h in hashes):
            return Level.EDIT
        if any(same(h, view) for h in hashes):
            return Level.VIEW
        teacher = _teacher_key_hash(session, lab_id)
        if teacher is not None and any(same(h, teacher) for h in hashes):
            return Level.VIEW
    return None


def _teacher_key_hash(session: Session, lab_id: int) -> str | None:
    return session.exec(
        select(LabKeyRow.edit_hash)
        .join(AssignmentRow, col(AssignmentRow.lab_id) == col(LabKeyRow.lab_id))
        .join(StudentCopyRow, col(StudentCopyRow.assignment_id) == col(AssignmentRow.id))
        .where(StudentCopyRow.lab_id == lab_id)
    ).first()


def remade_keys(engine: Engine, lab_id: int, secret: str) -> LabKeys | None:
    """A lab's keys made again from the admin token (app/access/keys.py); None if the lab's keys were made with
    another token (they still open it). NotFound if there is no such lab."""
    with read_session(engine) as session:
        stored = session.get(LabKeyRow, lab_id)
    if stored is None:
        raise NotFound(f"no lab {lab_id}")
    keys = derive_keys(secret, stored.nonce)
    if key_hash(keys.edit) != stored.edit_hash or key_hash(keys.view) != stored.view_hash:
        return None
    return keys


def opened_labs(session: Session, keys: Iterable[str], admin: bool) -> list[tuple[LabRow, Level]]:
    """The labs `keys` open, by id, with how far each opens; every lab for the admin."""
    query = select(LabRow).order_by(col(LabRow.id))
    if admin:
        return [(lab, Level.ADMIN) for lab in session.exec(query)]
    levels = labs_opened(session, keys)
    return [(lab, levels[lab.id]) for lab in session.exec(query.where(col(LabRow.id).in_(list(levels))))]  # type: ignore[index]


def labs_opened(session: Session, keys: Iterable[str]) -> dict[int, Level]:
    """Every lab that one of `keys` opens, with how far."""
    hashes = {key_hash(key) for key in keys}
    if not hashes:
        return {}
    rows = session.exec(
        select(LabKeyRow.lab_id, LabKeyRow.edit_hash).where(
            or_(col(LabKeyRow.edit_hash).in_(hashes), col(LabKeyRow.view_hash).in_(hashes))
        )
    ).all()
    return {lab_id: Level.EDIT if edit in hashes else Level.VIEW for lab_id, edit in rows}  # type: ignore[misc]
