"""case_expiry_index: the index the triggers of ``next_due.py`` read a case's expiry rows through
is ``(case_id) WHERE kind = 'expiry'``, without ``status`` in its key (it replaces
``ix_deadlines_case_kind_status``, ``(case_id, kind, status)`` with the same condition).

Why: SQLite rewrites, on an ``UPDATE``, every index whose key or condition holds a column the
statement sets. The sweeper's mark of an expiry row (``pending`` → ``done``, an escalation sent)
set ``status``, so each marked row moved one entry of this index, whose pages are ordered by case:
one more scattered leaf page to write and checkpoint per escalation (about 600 of the 2,270 pages
of a sweep of 1,000 rows at 1,000,000 open deadlines; issue 15, ``docs/performance.md`` « The
reminder sweep »). A case has a few expiry rows: the triggers' ``status IN (…)`` (five of the six
statuses) read them from the table as before, and gained nothing from ``status`` in the key.

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0039'
down_revision: str | Sequence[str] | None = '0038'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD, NEW = 'ix_deadlines_case_kind_status', 'ix_deadlines_case_expiry'
KEPT = "kind = 'expiry'"


def upgrade() -> None:
    where = sa.text(KEPT)
    op.create_index(NEW, 'deadlines', ['case_id'], unique=False, sqlite_where=where, postgresql_where=where)
    op.drop_index(OLD, table_name='deadlines')


def downgrade() -> None:
    where = sa.text(KEPT)
    op.create_index(OLD, 'deadlines', ['case_id', 'kind', 'status'], unique=False, sqlite_where=where,
                    postgresql_where=where)
    op.drop_index(NEW, table_name='deadlines')
