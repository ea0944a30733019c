"""worklists_at_scale: indexes of the work lists for 1,000,000 cases (cases by assignee/region/
updated_at in id order, step instances by step and state and by recipient, running deadlines by
role and due date) and the name search index (SQLite FTS5 table ``cases_fts`` with its triggers,
PostgreSQL ``pg_trgm`` GIN indexes; see ``mno_workflow/store/search.py``). Existing names are
folded again with the new rules (apostrophes, hyphens, œ, ɛ…).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from mno_workflow.store import search

revision: str = '0011'
down_revision: str | Sequence[str] | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = [
    ('cases', 'ix_cases_assignee_id', ['assignee', 'id']),
    ('cases', 'ix_cases_region_id', ['region', 'id']),
    ('cases', 'ix_cases_updated_at_id', ['updated_at', 'id']),
    ('cases', 'ix_cases_assignee_updated_at', ['assignee', 'updated_at']),
    ('cases', 'ix_cases_region_updated_at', ['region', 'updated_at']),
    ('cases', 'ix_cases_status_id', ['status', 'id']),
    ('step_instances', 'ix_step_instances_step_state_case', ['step', 'state', 'case_id']),
    ('step_instances', 'ix_step_instances_recipient_entered_at', ['recipient', 'entered_at']),
    ('deadlines', 'ix_deadlines_owner_kind_status_due_at', ['owner_role', 'kind', 'status', 'due_at']),
    ('deadlines', 'ix_deadlines_kind_status_due_at', ['kind', 'status', 'due_at']),
    ('deadlines', 'ix_deadlines_case_kind_status', ['case_id', 'kind', 'status']),
]


def upgrade() -> None:
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)
    conn = op.get_bind()
    cases = sa.table('cases', sa.column('id', sa.Integer), sa.column('display_name', sa.String),
                     sa.column('name_folded', sa.String))
    rows = conn.execute(sa.select(cases.c.id, cases.c.display_name, cases.c.name_folded)
                        .where(cases.c.display_name.is_not(None))).all()
    changed = [{"i": i, "f": search.fold(name)} for i, name, folded in rows if search.fold(name) != folded]
    if changed:
        conn.execute(sa.update(cases).where(cases.c.id == sa.bindparam("i"))
                     .values(name_folded=sa.bindparam("f")), changed)
    search.install(conn)


def downgrade() -> None:
    search.uninstall(op.get_bind())
    for table, name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
