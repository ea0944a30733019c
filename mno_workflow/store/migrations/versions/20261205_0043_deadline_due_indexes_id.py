"""deadline_due_indexes_id: the six deadline indexes the work lists read in due order end with
``id``: ``(…, due_at, id)``.

Why: the lists ask for the soonest rows ``ORDER BY due_at, id LIMIT 25``, and deadlines tie on
``due_at``: a deadline in calendar or working days ends at the end of its day in the SOP's time
zone (23:59:59.999999), so every deadline of a region due the same day has the same instant
(3,334 of a supervisor's rows at 1,000,000 cases). SQLite orders an index's ties by row id
already; PostgreSQL does not, so it read and sorted the whole tie, 3,335 rows, for 25 (45–60 ms
of a supervisor's « Mon travail », issue 15). With ``id`` in the key the index gives the order as
it is on both back ends (SQLite stores the id once more per entry).

Revision ID: 0043
Revises: 0042
Create Date: 2026-12-05
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0043'
down_revision: str | Sequence[str] | None = '0042'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (  # name, columns before id, partial condition
    ('ix_deadlines_owner_kind_status_due_at', ['owner_role', 'kind', 'status', 'due_at'], None),
    ('ix_deadlines_kind_status_due_at', ['kind', 'status', 'due_at'], None),
    ('ix_deadlines_assignee_owner_kind_status_due', ['assignee', 'owner_role', 'kind', 'status', 'due_at'],
     'assignee IS NOT NULL'),
    ('ix_deadlines_escalate_kind_status_due', ['escalate_to', 'kind', 'status', 'due_at'],
     'escalate_to IS NOT NULL'),
    ('ix_deadlines_region_owner_kind_status_due', ['region', 'owner_role', 'kind', 'status', 'due_at'],
     'region IS NOT NULL'),
    ('ix_deadlines_region_escalate_kind_status_due', ['region', 'escalate_to', 'kind', 'status', 'due_at'],
     'region IS NOT NULL AND escalate_to IS NOT NULL'),
)


def _create(name: str, columns: list[str], where: str | None) -> None:
    kw = {'sqlite_where': sa.text(where), 'postgresql_where': sa.text(where)} if where else {}
    op.create_index(name, 'deadlines', columns, unique=False, **kw)


def upgrade() -> None:
    for name, columns, where in INDEXES:
        op.drop_index(name, table_name='deadlines')
        _create(name, [*columns, 'id'], where)


def downgrade() -> None:
    for name, columns, where in INDEXES:
        op.drop_index(name, table_name='deadlines')
        _create(name, columns, where)
