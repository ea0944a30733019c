"""audit_events.sop_version_id (backfilled) and sop_drafts (the SOP workbench's drafts)

Every event already names its version as a label (``sop_version`` = ``mnr_bf@2025.1``); the
foreign key lets pages render an old event with the labels of that version after a migration.
``sop_drafts``: one row per saved revision of an SOP draft edited in the web workbench.

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-03
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | Sequence[str] | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'sop_drafts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('draft', sa.Integer(), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('sop_id', sa.String(length=64), nullable=False),
        sa.Column('base_version_id', sa.Integer(), nullable=True),
        sa.Column('source', sa.Text(), nullable=False),
        sa.Column('author', sa.String(length=100), nullable=False),
        sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('published_version_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['base_version_id'], ['sop_versions.id'],
                                name=op.f('fk_sop_drafts_base_version_id_sop_versions')),
        sa.ForeignKeyConstraint(['published_version_id'], ['sop_versions.id'],
                                name=op.f('fk_sop_drafts_published_version_id_sop_versions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sop_drafts')),
        sa.UniqueConstraint('draft', 'revision', name='uq_sop_drafts_draft'),
    )
    with op.batch_alter_table('sop_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sop_drafts_draft'), ['draft'], unique=False)
        batch_op.create_index(batch_op.f('ix_sop_drafts_sop_id'), ['sop_id'], unique=False)
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sop_version_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_events_sop_version_id'), ['sop_version_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_audit_events_sop_version_id_sop_versions'),
                                    'sop_versions', ['sop_version_id'], ['id'])
    # Backfill from the label every event carries (same SQL on SQLite and PostgreSQL).
    op.execute("UPDATE audit_events SET sop_version_id = (SELECT v.id FROM sop_versions v "
               "WHERE v.sop_id || '@' || v.version = audit_events.sop_version)")


def downgrade() -> None:
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_audit_events_sop_version_id_sop_versions'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_audit_events_sop_version_id'))
        batch_op.drop_column('sop_version_id')
    with op.batch_alter_table('sop_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sop_drafts_sop_id'))
        batch_op.drop_index(batch_op.f('ix_sop_drafts_draft'))
    op.drop_table('sop_drafts')
