"""web_form_tokens: one-time tokens of the new-case form (a double submit goes to the same case)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('web_form_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reference', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_form_tokens')),
    sa.UniqueConstraint('token', name=op.f('uq_web_form_tokens_token'))
    )
    with op.batch_alter_table('web_form_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_form_tokens_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('web_form_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_form_tokens_user_id'))

    op.drop_table('web_form_tokens')
