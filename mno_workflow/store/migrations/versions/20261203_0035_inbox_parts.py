"""inbox_parts: index ``step_instances (recipient, final, entered_at, id)`` for the two parts of a
provider's inbox, « À traiter » (not final, oldest sent first) and the history (final, newest
first), each read page by page in its order without walking the other part's rows (issue 15:
the inbox showed the 200 newest referrals, so an untreated older one could fall out of it).

Revision ID: 0035
Revises: 0032
Create Date: 2026-12-03
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0035'
down_revision: str | Sequence[str] | None = '0032'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_step_instances_recipient_final_entered', 'step_instances',
                    ['recipient', 'final', 'entered_at', 'id'])


def downgrade() -> None:
    op.drop_index('ix_step_instances_recipient_final_entered', table_name='step_instances')
