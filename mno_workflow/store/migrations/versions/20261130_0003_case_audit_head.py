"""cases.audit_head: the hash of each case's latest audit event (no query per event to chain it)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audit_head', sa.String(length=64), nullable=True))
    op.execute(
        "UPDATE cases SET audit_head = (SELECT e.hash FROM audit_events e WHERE e.case_id = cases.id "
        "ORDER BY e.seq DESC LIMIT 1)"
    )


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('audit_head')
