"""keyed audit: per-event scheme, key id, value digests and salts, via/os_user; signed checkpoints of
all case heads; cases.purged_at (retention)

Existing events keep ``scheme`` NULL: ``mno audit verify`` reports them as "legacy unkeyed" and
``mno audit rekey`` adopts them (re-signs them with the audit key after checking their old chain).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0006'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scheme', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('key_id', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('data_digests', JSON, nullable=True))
        batch_op.add_column(sa.Column('data_salts', JSON, nullable=True))
        batch_op.add_column(sa.Column('via', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('os_user', sa.String(length=100), nullable=True))
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purged_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table('audit_checkpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('case_count', sa.Integer(), nullable=False),
    sa.Column('heads', JSON, nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('prev_signature', sa.String(length=64), nullable=False),
    sa.Column('signature', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoints'))
    )


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite ≥ 3.35 has it): batch mode would re-create ``cases``, and dropping
    # it with foreign keys on deletes every step, event and deadline through ON DELETE CASCADE.
    op.drop_table('audit_checkpoints')
    op.drop_column('cases', 'purged_at')
    for col in ('os_user', 'via', 'data_salts', 'data_digests', 'key_id', 'scheme'):
        op.drop_column('audit_events', col)
