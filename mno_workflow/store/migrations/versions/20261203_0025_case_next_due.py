"""case_next_due: ``cases.next_due_at``, the earliest due instant of the case's running expiry
deadlines, kept by triggers on ``deadlines`` and ``step_instances`` (see
``mno_workflow/store/next_due.py``), filled here for every existing case; indexed by assignee
(a caseworker's « Mon travail » walks their open cases by urgency) and alone (overdue cases); ``deadlines.assignee``,
the case's assignee on its expiry rows (same triggers' module), filled here, indexed with the
owner role, kind, status and due instant for a caseworker's « Mon travail »; escalated deadlines
by escalation role for the « Escalades » list (issue 15).

Revision ID: 0025
Revises: 0023
Create Date: 2026-12-03
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from mno_workflow.store import next_due

revision: str = '0025'
down_revision: str | Sequence[str] | None = '0023'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = [
    ('ix_cases_assignee_next_due', ['assignee', 'next_due_at', 'id']),
    ('ix_cases_next_due', ['next_due_at', 'id']),
]


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_due_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assignee', sa.String(length=100), nullable=True))
    conn = op.get_bind()
    # the triggers, then the columns of every row (of this revision: no deadlines.region before 0032)
    next_due.install(conn, fill=True, region=False)
    for name, columns in INDEXES:
        op.create_index(name, 'cases', columns, unique=False)
    op.create_index('ix_deadlines_assignee_owner_kind_status_due', 'deadlines',
                    ['assignee', 'owner_role', 'kind', 'status', 'due_at'], unique=False)
    op.create_index('ix_deadlines_escalate_kind_status_due', 'deadlines',
                    ['escalate_to', 'kind', 'status', 'due_at'], unique=False)


def downgrade() -> None:
    next_due.uninstall(op.get_bind())
    op.drop_index('ix_deadlines_escalate_kind_status_due', table_name='deadlines')
    op.drop_index('ix_deadlines_assignee_owner_kind_status_due', table_name='deadlines')
    # plain DROP COLUMN (SQLite ≥ 3.35): a batch rebuild of a table other tables reference
    # would cascade-delete their rows (audit events of the cases)
    op.drop_column('deadlines', 'assignee')
    for name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name='cases')
    op.drop_column('cases', 'next_due_at')
