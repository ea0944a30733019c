"""region_escalations_index: the « Escalades » list of a supervisor with a region read from one
index, ``(region, escalate_to, kind, status, due_at)``, partial (rows with both a region and an
escalation role: expiry rows only, see ``mno_workflow/store/next_due.py`` for the region copy).

Why: the list was read from ``ix_deadlines_escalate_kind_status_due``, which holds every region's
escalated deadlines, and the case's region checked row by row: a region with few escalations read
every region's (issue 15).

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0038'
down_revision: str | Sequence[str] | None = '0037'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = 'ix_deadlines_region_escalate_kind_status_due'
KEPT = "region IS NOT NULL AND escalate_to IS NOT NULL"


def upgrade() -> None:
    where = sa.text(KEPT)
    op.create_index(NAME, 'deadlines', ['region', 'escalate_to', 'kind', 'status', 'due_at'], unique=False,
                    sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    op.drop_index(NAME, table_name='deadlines')
