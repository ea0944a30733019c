"""partial_deadline_indexes: four indexes of ``deadlines`` that only expiry rows need, made
partial. The three work-list indexes that start with a column set on expiry rows only — the
case's assignee and region (copied by triggers, ``mno_workflow/store/next_due.py``) and the role
an expiry escalates to — keep the rows where it is set (``WHERE <column> IS NOT NULL``); the
queries that use them compare the column with a value (``assignee = :user``), which implies
``IS NOT NULL`` on both back ends whatever the value. ``ix_deadlines_case_kind_status``, read by
the triggers of ``next_due.py`` (``kind = 'expiry'`` written in their SQL), keeps expiry rows.

Why: each index whose key holds ``status`` gets one entry moved per row the sweeper marks
(pending → done): one B-tree leaf page to write, then to checkpoint, per row and index at
1,000,000 open deadlines. Reminder rows now leave four of the seven such indexes
(issue 15, ``docs/performance.md`` « The reminder sweep »), and the indexes are smaller.

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-03
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0037'
down_revision: str | Sequence[str] | None = '0036'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {  # name: (columns, the rows kept)
    'ix_deadlines_assignee_owner_kind_status_due': (['assignee', 'owner_role', 'kind', 'status', 'due_at'],
                                                    "assignee IS NOT NULL"),
    'ix_deadlines_escalate_kind_status_due': (['escalate_to', 'kind', 'status', 'due_at'],
                                              "escalate_to IS NOT NULL"),
    'ix_deadlines_region_owner_kind_status_due': (['region', 'owner_role', 'kind', 'status', 'due_at'],
                                                  "region IS NOT NULL"),
    'ix_deadlines_case_kind_status': (['case_id', 'kind', 'status'], "kind = 'expiry'"),
}


def upgrade() -> None:
    for name, (columns, kept) in INDEXES.items():
        where = sa.text(kept)
        op.drop_index(name, table_name='deadlines')
        op.create_index(name, 'deadlines', columns, unique=False, sqlite_where=where,
                        postgresql_where=where)


def downgrade() -> None:
    for name, (columns, _kept) in INDEXES.items():
        op.drop_index(name, table_name='deadlines')
        op.create_index(name, 'deadlines', columns, unique=False)
