"""practice (issue 13): the directory says whether an organisation answers on the platform

Revision ID: 0014
Revises: 0010
Create Date: 2026-12-03
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | Sequence[str] | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('dir_organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('uses_platform', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('dir_organization', schema=None) as batch_op:
        batch_op.drop_column('uses_platform')
