"""SOP workbench (issue 14): a draft carries its own files (scenarios), ``sop_drafts.files``

Revision ID: 0022
Revises: 0018
Create Date: 2026-12-03
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0022'
down_revision: str | Sequence[str] | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('sop_drafts', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'files', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
            nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('sop_drafts', schema=None) as batch_op:
        batch_op.drop_column('files')
