"""lab keys and the admin token, assignments and their students' copies (SPEC §12)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 11:40:00

Every lab stored before gets its keys here, made from the admin token (VNETLAB_ADMIN_TOKEN, or the one kept in
the database — made now if there is none, and printed by the next `vnetlab serve`). The admin reads them with
`GET /api/v1/labs/{id}/keys` or in the designer's labs page.

It also records the current version of every lab that has none (labs stored before revision 0003): that
reads them through today's models, which match the tables only once this revision's columns exist. A later
revision that changes these tables takes this step over.
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlmodel import Session, select

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "instance",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("shown_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "lab_keys",
        sa.Column("lab_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=50), nullable=False),
        sa.Column("edit_hash", sa.String(length=64), nullable=False),
        sa.Column("view_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["lab_id"], ["labs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("lab_id"),
        sa.UniqueConstraint("edit_hash"),
        sa.UniqueConstraint("view_hash"),
    )
    _give_every_lab_keys()
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lab_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("token_nonce", sa.String(length=50), nullable=False),
        sa.Column("join_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("goals", sa.JSON(none_as_null=True), nullable=False),
        sa.ForeignKeyConstraint(["lab_id"], ["labs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("join_hash"),
    )
    op.create_index("ix_assignments_lab_id", "assignments", ["lab_id"])
    op.create_table(
        "student_copies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("lab_id", sa.Integer(), nullable=False),
        sa.Column("student", sa.String(length=100), nullable=False),
        sa.Column("joined_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["assignment_id"], ["assignments.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["lab_id"], ["labs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("lab_id"),
    )
    op.create_index("ix_student_copies_assignment_id", "student_copies", ["assignment_id"])
    _record_current_versions()


def _give_every_lab_keys() -> None:
    from app.access.admin import stored_admin_token
    from app.access.keys import issue_keys

    connection = op.get_bind()
    from app.config import get_settings

    token = get_settings().admin_token  # read as `vnetlab serve` reads it, rules included
    secret = token.get_secret_value() if token is not None else stored_admin_token(connection, make=True)
    labs = sa.table("labs", sa.column("id"))
    keys = sa.table("lab_keys", sa.column("lab_id"), sa.column("nonce"), sa.column("edit_hash"), sa.column("view_hash"))
    for (lab_id,) in connection.execute(sa.select(labs.c.id)).all():
        issued = issue_keys(secret)
        connection.execute(
            keys.insert().values(
                lab_id=lab_id, nonce=issued.nonce, edit_hash=issued.edit_hash, view_hash=issued.view_hash
            )
        )


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
    op.drop_index("ix_student_copies_assignment_id", table_name="student_copies")
    op.drop_table("student_copies")
    op.drop_index("ix_assignments_lab_id", table_name="assignments")
    op.drop_table("assignments")
    op.drop_table("lab_keys")
    op.drop_table("instance")
