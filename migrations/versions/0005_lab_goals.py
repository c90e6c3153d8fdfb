"""a lab's goals (SPEC §3, §12): what it must achieve, checked on every change

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:50:00

It also records the current version of every lab that has none (labs stored before revision 0003): that
reads them through today's models, which match the tables only once this revision's columns exist. A later
revision that changes these tables takes this step over.
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlmodel import Session, select

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("labs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("goals", sa.JSON(none_as_null=True), nullable=True))
    _record_current_versions()


def _record_current_versions() -> None:
    from pydantic import ValidationError

    from app.db.convert import document_data, document_from_rows, load_rows
    from app.db.models import LabRow, LabVersionRow

    session = Session(bind=op.get_bind())
    now = datetime.now(UTC)
    recorded = set(session.exec(select(LabVersionRow.lab_id, LabVersionRow.version)).all())
    for lab in session.exec(select(LabRow)).all():
        if (lab.id, lab.version) in recorded:  # recorded by 0003 as it was before this revision
            continue
        rows = load_rows(session, lab)
        try:
            data = document_from_rows(rows).to_data()
        except ValidationError:  # not valid by today's rules: kept as stored, so nothing is lost
            data = document_data(rows).data
        document = json.loads(json.dumps(data, default=str))
        session.add(
            LabVersionRow(
                lab_id=lab.id,  # type: ignore[arg-type]
                version=lab.version,
                created_at=now,
                via="api",
                summary="history starts here (stored before versions were kept)",
                document=document,
            )
        )
    session.flush()


def downgrade() -> None:
    with op.batch_alter_table("labs", schema=None) as batch_op:
        batch_op.drop_column("goals")
