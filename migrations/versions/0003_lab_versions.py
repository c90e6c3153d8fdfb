"""lab versions: the whole document of every version, for history, diff and undo (SPEC §11)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 06:00:00

Existing labs get their current version recorded, built from their rows as the app reads them, so that
their history starts where they stand.
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlmodel import Session, select

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lab_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lab_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("via", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("checkpoint", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("document", sa.JSON(none_as_null=True), nullable=True),
        sa.ForeignKeyConstraint(["lab_id"], ["labs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("lab_id", "version"),
    )
    with op.batch_alter_table("lab_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lab_versions_lab_id"), ["lab_id"], unique=False)
    _record_current_versions()


def _record_current_versions() -> None:
    from pydantic import ValidationError

    from app.db.convert import document_data, document_from_rows, load_rows
    from app.db.models import LabRow, LabVersionRow

    session = Session(bind=op.get_bind())
    now = datetime.now(UTC)
    for lab in session.exec(select(LabRow)).all():
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
    with op.batch_alter_table("lab_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lab_versions_lab_id"))
    op.drop_table("lab_versions")
