"""holiday_overrides keyed by the SOP calendar (ISO 3166-2 code such as GB-ENG), not by country

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | Sequence[str] | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing rows keep their key: a country code (BF) is the calendar key of an SOP whose
    # calendar is that whole country.
    with op.batch_alter_table('holiday_overrides', schema=None) as batch_op:
        batch_op.drop_constraint('uq_holiday_overrides_country_day', type_='unique')
        batch_op.alter_column('country', new_column_name='calendar', existing_type=sa.String(length=2),
                              type_=sa.String(length=16), existing_nullable=False)
    with op.batch_alter_table('holiday_overrides', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_holiday_overrides_calendar_day', ['calendar', 'day'])


def downgrade() -> None:
    with op.batch_alter_table('holiday_overrides', schema=None) as batch_op:
        batch_op.drop_constraint('uq_holiday_overrides_calendar_day', type_='unique')
        batch_op.alter_column('calendar', new_column_name='country', existing_type=sa.String(length=16),
                              type_=sa.String(length=2), existing_nullable=False)
    with op.batch_alter_table('holiday_overrides', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_holiday_overrides_country_day', ['country', 'day'])
