"""Practice sandbox (issue 19): its resets get their own log, ``web_sandbox_resets`` (not the
export log: a reset exports nothing)

Revision ID: 0028
Revises: 0025
Create Date: 2026-12-03
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0028'
down_revision: str | Sequence[str] | None = '0025'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('web_sandbox_resets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=64), nullable=False),
    sa.Column('removed', sa.Integer(), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('files_removed', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_sandbox_resets'))
    )
    with op.batch_alter_table('web_sandbox_resets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_sandbox_resets_at'), ['at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('web_sandbox_resets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_sandbox_resets_at'))
    op.drop_table('web_sandbox_resets')
