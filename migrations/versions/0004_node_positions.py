"""hosts and VMs keep their place on the canvas, or none (the automatic layout) (SPEC §3)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 08:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

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


def downgrade() -> None:
    op.execute("UPDATE vms SET x = 0, y = 0 WHERE x IS NULL OR y IS NULL")
    with op.batch_alter_table("vms", schema=None) as batch_op:
        batch_op.alter_column("x", existing_type=sa.Float(), nullable=False)
        batch_op.alter_column("y", existing_type=sa.Float(), nullable=False)
    with op.batch_alter_table("hosts", schema=None) as batch_op:
        batch_op.drop_column("y")
        batch_op.drop_column("x")
