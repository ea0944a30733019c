"""instances_recipient_entered_id: ``ix_step_instances_recipient_entered_at`` ends with ``id``:
``(recipient, entered_at, id)``.

Why: the provider inbox's history (« Traités ») reads an organisation's referrals ``ORDER BY
entered_at DESC, id DESC LIMIT 51``. Referrals entered in the same instant tie (a batch sent
together, a migration, imported cases); SQLite orders an index's ties by row id, PostgreSQL does
not, so it read the whole tie and sorted it (3,334 rows for 51, 17 ms of a 95 ms inbox at
1,000,000 cases; issue 15). Same reason as revision 0043 for the deadlines.

Revision ID: 0044
Revises: 0043
Create Date: 2026-12-05
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0044'
down_revision: str | Sequence[str] | None = '0043'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = 'ix_step_instances_recipient_entered_at'


def upgrade() -> None:
    op.drop_index(NAME, table_name='step_instances')
    op.create_index(NAME, 'step_instances', ['recipient', 'entered_at', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index(NAME, table_name='step_instances')
    op.create_index(NAME, 'step_instances', ['recipient', 'entered_at'], unique=False)
