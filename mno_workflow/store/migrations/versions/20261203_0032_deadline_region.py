"""deadline_region: ``deadlines.region``, the case's region on its expiry rows, kept by triggers
(``mno_workflow/store/next_due.py``: copied with the assignee on insert, and to every expiry row
of a case whose region changes), filled here, and indexed with the owner role, kind, status and
due instant: a supervisor's « Mon travail » reads their region's rows in due order instead of
the role's rows of every region (issue 15).

Revision ID: 0032
Revises: 0028
Create Date: 2026-12-03
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from mno_workflow.store import next_due

revision: str = '0032'
down_revision: str | Sequence[str] | None = '0028'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('region', sa.String(length=64), nullable=True))
    conn = op.get_bind()
    next_due.install(conn)  # the insert trigger copies the region too; the region's own trigger
    conn.exec_driver_sql(next_due.FILL_REGION)
    op.create_index('ix_deadlines_region_owner_kind_status_due', 'deadlines',
                    ['region', 'owner_role', 'kind', 'status', 'due_at'], unique=False)


def downgrade() -> None:
    next_due.uninstall_region(op.get_bind())
    op.drop_index('ix_deadlines_region_owner_kind_status_due', table_name='deadlines')
    # plain DROP COLUMN (SQLite ≥ 3.35), as revision 0025: no batch rebuild of a referenced table
    op.drop_column('deadlines', 'region')
