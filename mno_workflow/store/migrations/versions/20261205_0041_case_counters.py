"""case_counters: case references numbered per SOP (tryout 7, J15).

Why: references were ``<PREFIX>-<case id>``, one sequence over every SOP of the database, so the
first Côte d'Ivoire case was ``MNR-CI-000054`` and the Burkina Faso register got gaps that read
like deleted cases. From this revision each prefix (``MNR-BF``, from the SOP id) has its own
counter, taken in the case-creation transaction (``store/case_numbers.py``). Each counter starts
at the highest number its existing references carry; existing references are not changed.

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-05
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0041'
down_revision: str | Sequence[str] | None = '0040'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    counters = op.create_table(
        'case_counters',
        sa.Column('prefix', sa.String(length=40), nullable=False),
        sa.Column('last_number', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('prefix', name=op.f('pk_case_counters')),
    )
    highest: dict[str, int] = {}
    for (ref,) in op.get_bind().execute(sa.text("SELECT reference FROM cases WHERE reference IS NOT NULL")):
        prefix, _, tail = ref.rpartition('-')
        if prefix and tail.isdigit():
            highest[prefix] = max(highest.get(prefix, 0), int(tail))
    if highest:
        op.bulk_insert(counters, [{'prefix': p, 'last_number': n} for p, n in sorted(highest.items())])


def downgrade() -> None:
    op.drop_table('case_counters')
