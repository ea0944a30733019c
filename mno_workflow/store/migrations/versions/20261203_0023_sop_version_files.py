"""SOP versions keep their imported files (issue 14): ``sop_versions.files``

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0023'
down_revision: str | Sequence[str] | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('sop_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'files', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
            nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('sop_versions', schema=None) as batch_op:
        batch_op.drop_column('files')
