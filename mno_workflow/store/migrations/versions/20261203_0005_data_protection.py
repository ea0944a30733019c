"""data_protection: organisation types, sharing agreements, outbox cancellation reason, export log

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0005'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('dir_organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organization_type', sa.Text(), nullable=True))
    op.create_table('dir_sharing_agreement',
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('organization_id', sa.Text(), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('agreement_version', sa.Text(), nullable=False),
    sa.Column('data_categories', sa.Text(), nullable=True),
    sa.Column('purposes', sa.Text(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('focal_point_name', sa.Text(), nullable=True),
    sa.Column('focal_point_email', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['dir_organization.id'],
                            name=op.f('fk_dir_sharing_agreement_organization_id_dir_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dir_sharing_agreement'))
    )
    with op.batch_alter_table('dir_sharing_agreement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dir_sharing_agreement_organization_id'), ['organization_id'],
                              unique=False)
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=True))
    op.create_table('web_export_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=64), nullable=False),
    sa.Column('what', sa.String(length=64), nullable=False),
    sa.Column('filters', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
              nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('names', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_export_log'))
    )
    with op.batch_alter_table('web_export_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_export_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_web_export_log_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('web_export_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_export_log_user_id'))
        batch_op.drop_index(batch_op.f('ix_web_export_log_at'))
    op.drop_table('web_export_log')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('reason')
    with op.batch_alter_table('dir_sharing_agreement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dir_sharing_agreement_organization_id'))
    op.drop_table('dir_sharing_agreement')
    with op.batch_alter_table('dir_organization', schema=None) as batch_op:
        batch_op.drop_column('organization_type')
