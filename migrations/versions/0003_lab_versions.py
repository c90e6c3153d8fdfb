"""lab versions: the whole document of every version, for history, diff and undo (SPEC §11)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 06:00:00

Existing labs get their current version recorded (by 0005, see there), so that their history starts where
they stand.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

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
    # Existing labs get their current version recorded by revision 0005: it reads them through today's models,
    # whose tables look as they do only from there on.


def downgrade() -> None:
    with op.batch_alter_table("lab_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lab_versions_lab_id"))
    op.drop_table("lab_versions")
