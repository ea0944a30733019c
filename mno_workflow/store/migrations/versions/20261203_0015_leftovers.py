"""leftovers (issues 11, 12, 16, 21): index of login failures by client IP (the per-IP limit
over all accounts); users.notify_email (per-user channel preference, default on)

Revision ID: 0015
Revises: 0010
Create Date: 2026-12-03
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | Sequence[str] | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('web_login_failures', schema=None) as batch_op:
        batch_op.create_index('ix_web_login_failures_ip_at', ['ip', 'at'], unique=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notify_email', sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('notify_email')
    with op.batch_alter_table('web_login_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_web_login_failures_ip_at')
