"""hosts and VMs keep their place on the canvas, or none (the automatic layout) (SPEC §3)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 08:50:00

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

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("hosts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("x", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("y", sa.Float(), nullable=True))
    with op.batch_alter_table("vms", schema=None) as batch_op:
        batch_op.alter_column("x", existing_type=sa.Float(), nullable=True)
        batch_op.alter_column("y", existing_type=sa.Float(), nullable=True)
    # Nothing placed a VM before the canvas: (0, 0) was the column's default, not a place someone chose.
    op.execute("UPDATE vms SET x = NULL, y = NULL WHERE x = 0 AND y = 0")
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
    op.execute("UPDATE vms SET x = 0, y = 0 WHERE x IS NULL OR y IS NULL")
    with op.batch_alter_table("vms", schema=None) as batch_op:
        batch_op.alter_column("x", existing_type=sa.Float(), nullable=False)
        batch_op.alter_column("y", existing_type=sa.Float(), nullable=False)
    with op.batch_alter_table("hosts", schema=None) as batch_op:
        batch_op.drop_column("y")
        batch_op.drop_column("x")
