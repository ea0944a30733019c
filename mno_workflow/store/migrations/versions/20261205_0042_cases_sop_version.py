"""ix_cases_sop_version_region: cases by SOP version, then region.

Why: a case list that mixes cases of several SOPs offers each SOP's filter values
(web/list_filters.py, tryout 8, K5) when the reader may open at least one case of that SOP; without
an index on ``sop_version_id`` that question scans the reader's region (or, for an account of
every region, the whole table) when the other SOP has no case for them.

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-05
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0042'
down_revision: str | Sequence[str] | None = '0041'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_cases_sop_version_region', 'cases', ['sop_version_id', 'region'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_cases_sop_version_region', table_name='cases')
