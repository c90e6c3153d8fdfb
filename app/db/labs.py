"""Reading labs and their parts. Changes are made in app/labs/, the one path every write takes."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, func, select

from app.db.convert import LabRows, load_rows
from app.db.models import AdapterRow, HostRow, LabRow, LanRow, NetworkRow, VmRow
from app.db.session import read_session
from app.errors import NotFound

PART_TABLES: dict[str, type] = {
    "lan": LanRow,
    "host": HostRow,
    "network": NetworkRow,
    "vm": VmRow,
    "adapter": AdapterRow,
}


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
