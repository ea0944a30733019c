"""user_sop: ``users.sop_id``, the SOP an account works in (tryout 5, H24).

Why: a database may hold several SOPs (Burkina Faso's ``mnr_bf`` beside Senegal's ``mnr_sn``).
An account whose ``sop_id`` is set sees, receives and is given only that SOP's cases (the access
rule of ``web/access/region.py``, alert routing, notification recipients); NULL keeps the
behaviour of every account before this revision: every SOP.

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-05
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0040'
down_revision: str | Sequence[str] | None = '0039'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('sop_id', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('sop_id')
