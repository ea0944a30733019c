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
    op.add_column('sop_versions', sa.Column(
        'files', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
        nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite >= 3.35 has it): batch mode would re-create ``sop_versions``, and
    # dropping it fails while cases and events refer to it (foreign keys on).
    op.drop_column('sop_versions', 'files')
