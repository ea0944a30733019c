"""leftovers (issues 11, 12, 16, 21): index of login failures by client IP (the per-IP limit
over all accounts)

Revision ID: 0015
Revises: 0010
Create Date: 2026-12-03
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0015'
down_revision: str | Sequence[str] | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('web_login_failures', schema=None) as batch_op:
        batch_op.create_index('ix_web_login_failures_ip_at', ['ip', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('web_login_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_web_login_failures_ip_at')
