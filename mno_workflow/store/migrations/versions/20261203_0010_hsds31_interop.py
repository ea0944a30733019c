"""hsds31_interop: every HSDS 3.1 table and column in the directory, an ``extensions`` JSON column on
each directory table, date-or-date-time columns as ISO text, reference columns nullable (HSDS
packages may point at objects they do not carry: kept in ``extensions``); intake_submissions
(Kobo/ODK submissions already imported); users.phone (E.164) and users.notify_sms

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-03
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0010'
down_revision: str | Sequence[str] | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # the data-sharing agreement register (revision 0005) is a directory table like the others
    with op.batch_alter_table('dir_sharing_agreement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extensions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('notify_sms', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table('intake_submissions',
    sa.Column('uuid', sa.String(length=100), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('form', sa.String(length=64), nullable=False),
    sa.Column('trigger', sa.String(length=64), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('uuid', name=op.f('pk_intake_submissions'))
    )
    with op.batch_alter_table('intake_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intake_submissions_reference'), ['reference'], unique=False)

    op.create_table('dir_extension_file',
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('extensions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dir_extension_file'))
    )
    op.create_table('dir_meta_table_description',
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('extensions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('language', sa.Text(), nullable=True),
    sa.Column('character_set', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dir_meta_table_description'))
    )
    op.create_table('dir_metadata',
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('extensions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('resource_id', sa.Text(), nullable=True),
    sa.Column('resource_type', sa.Text(), nullable=True),
    sa.Column('last_action_date', sa.Text(), nullable=True),
    sa.Column('last_action_type', sa.Text(), nullable=True),
    sa.Column('field_name', sa.Text(), nullable=True),
    sa.Column('previous_value', sa.Text(), nullable=True),
    sa.Column('replacement_value', sa.Text(), nullable=True),
    sa.Column('updated_by', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dir_metadata'))
    )
    op.create_table('dir_organization_identifier',
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('extensions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('organization_id', sa.Text(), nullable=True),
    sa.Column('identifier_scheme', sa.Text(), nullable=True),
    sa.Column('identifier_type', sa.Text(), nullable=False),
    sa.Column('identifier', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['dir_organization.id'], name=op.f('fk_dir_organization_identifier_organization_id_dir_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dir_organization_identifier'))
    )
    with op.batch_alter_table('dir_organization_identifier', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dir_organization_identifier_organization_id'), ['organization_id'], unique=False)

    op.create_table('dir_program',
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('extensions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('organization_id', sa.Text(), nullable=True),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('alternate_name', sa.Text(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['dir_organization.id'], name=op.f('fk_dir_program_organization_id_dir_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dir_program'))
    )
    with op.batch_alter_table('dir_program', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dir_program_organization_id'), ['organization_id'], unique=False)

    op.create_table('dir_accessibility',
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('extensions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('location_id', sa.Text(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('details', sa.Text(), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['location_id'], ['dir_location.id'], name=op.f('fk_dir_accessibility_location_id_dir_location')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dir_accessibility'))
    )
    with op.batch_alter_table('dir_accessibility', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dir_accessibility_location_id'), ['location_id'], unique=False)

    op.create_table('dir_funding',
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('extensions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('organization_id', sa.Text(), nullable=True),
    sa.Column('service_id', sa.Text(), nullable=True),
    sa.Column('source', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['dir_organization.id'], name=op.f('fk_dir_funding_organization_id_dir_organization')),
    sa.ForeignKeyConstraint(['service_id'], ['dir_service.id'], name=op.f('fk_dir_funding_service_id_dir_service')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dir_funding'))
    )
    with op.batch_alter_table('dir_funding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dir_funding_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dir_funding_service_id'), ['service_id'], unique=False)

    op.create_table('dir_required_document',
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('extensions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('service_id', sa.Text(), nullable=True),
    sa.Column('document', sa.Text(), nullable=True),
    sa.Column('uri', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['service_id'], ['dir_service.id'], name=op.f('fk_dir_required_document_service_id_dir_service')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dir_required_document'))
    )
    with op.batch_alter_table('dir_required_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dir_required_document_service_id'), ['service_id'], unique=False)

    op.create_table('dir_url',
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('extensions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('label', sa.Text(), nullable=True),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('organization_id', sa.Text(), nullable=True),
    sa.Column('service_id', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['dir_organization.id'], name=op.f('fk_dir_url_organization_id_dir_organization')),
    sa.ForeignKeyConstraint(['service_id'], ['dir_service.id'], name=op.f('fk_dir_url_service_id_dir_service')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dir_url'))
    )
    with op.batch_alter_table('dir_url', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dir_url_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dir_url_service_id'), ['service_id'], unique=False)

    with op.batch_alter_table('dir_address', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extensions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))
        batch_op.add_column(sa.Column('attention', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('address_2', sa.Text(), nullable=True))
        batch_op.alter_column('location_id',
               existing_type=sa.TEXT(),
               nullable=True)

    with op.batch_alter_table('dir_attribute', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extensions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))
        batch_op.alter_column('link_id',
               existing_type=sa.TEXT(),
               nullable=True)
        batch_op.alter_column('taxonomy_term_id',
               existing_type=sa.TEXT(),
               nullable=True)
        batch_op.alter_column('link_type',
               existing_type=sa.TEXT(),
               nullable=True)
        batch_op.alter_column('link_entity',
               existing_type=sa.TEXT(),
               nullable=True)

    with op.batch_alter_table('dir_contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extensions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))
        batch_op.add_column(sa.Column('service_at_location_id', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_dir_contact_service_at_location_id'), ['service_at_location_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_dir_contact_service_at_location_id_dir_service_at_location'), 'dir_service_at_location', ['service_at_location_id'], ['id'])

    with op.batch_alter_table('dir_cost_option', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extensions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))
        batch_op.alter_column('service_id',
               existing_type=sa.TEXT(),
               nullable=True)
        batch_op.alter_column('option',
               existing_type=sa.TEXT(),
               nullable=True)
        batch_op.alter_column('amount',
               existing_type=sa.INTEGER(),
               type_=sa.Float(),
               existing_nullable=True)

    with op.batch_alter_table('dir_language', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extensions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))
        batch_op.add_column(sa.Column('phone_id', sa.Text(), nullable=True))
        batch_op.alter_column('name',
               existing_type=sa.TEXT(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_dir_language_phone_id'), ['phone_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_dir_language_phone_id_dir_phone'), 'dir_phone', ['phone_id'], ['id'])

    with op.batch_alter_table('dir_location', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extensions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))
        batch_op.add_column(sa.Column('url', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('alternate_name', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('transportation', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('external_identifier', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('external_identifier_type', sa.Text(), nullable=True))

    with op.batch_alter_table('dir_organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extensions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))
        batch_op.add_column(sa.Column('tax_status', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('tax_id', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('year_incorporated', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('logo', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('uri', sa.Text(), nullable=True))

    with op.batch_alter_table('dir_phone', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extensions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))
        batch_op.add_column(sa.Column('service_at_location_id', sa.Text(), nullable=True))
        batch_op.alter_column('type',
               existing_type=sa.TEXT(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_dir_phone_service_at_location_id'), ['service_at_location_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_dir_phone_service_at_location_id_dir_service_at_location'), 'dir_service_at_location', ['service_at_location_id'], ['id'])

    with op.batch_alter_table('dir_schedule', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extensions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))
        batch_op.add_column(sa.Column('until', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('count', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('wkst', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('byweekno', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('bymonthday', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('byyearday', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('schedule_link', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('attending_type', sa.Text(), nullable=True))

    with op.batch_alter_table('dir_service', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extensions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))
        batch_op.add_column(sa.Column('program_id', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('wait_time', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('fees', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('accreditations', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('licenses', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('alert', sa.Text(), nullable=True))
        batch_op.alter_column('organization_id',
               existing_type=sa.TEXT(),
               nullable=True)
        batch_op.alter_column('last_modified',
               existing_type=sa.DATE(),
               type_=sa.Text(),
               postgresql_using='last_modified::text',
               existing_nullable=True)
        batch_op.create_index(batch_op.f('ix_dir_service_program_id'), ['program_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_dir_service_program_id_dir_program'), 'dir_program', ['program_id'], ['id'])

    with op.batch_alter_table('dir_service_area', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extensions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))
        batch_op.add_column(sa.Column('service_at_location_id', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('extent', sa.Text(), nullable=True))
        batch_op.alter_column('service_id',
               existing_type=sa.TEXT(),
               nullable=True)
        batch_op.alter_column('name',
               existing_type=sa.TEXT(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_dir_service_area_service_at_location_id'), ['service_at_location_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_dir_service_area_service_at_location_id_dir_service_at_location'), 'dir_service_at_location', ['service_at_location_id'], ['id'])

    with op.batch_alter_table('dir_service_at_location', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extensions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))
        batch_op.alter_column('service_id',
               existing_type=sa.TEXT(),
               nullable=True)
        batch_op.alter_column('location_id',
               existing_type=sa.TEXT(),
               nullable=True)

    with op.batch_alter_table('dir_service_capacity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extensions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))
        batch_op.alter_column('service_id',
               existing_type=sa.TEXT(),
               nullable=True)
        batch_op.alter_column('unit_id',
               existing_type=sa.TEXT(),
               nullable=True)
        batch_op.alter_column('updated',
               existing_type=sa.DATE(),
               type_=sa.Text(),
               postgresql_using='updated::text',
               existing_nullable=False)

    with op.batch_alter_table('dir_service_referral', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extensions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))
        batch_op.alter_column('service_id',
               existing_type=sa.TEXT(),
               nullable=True)

    with op.batch_alter_table('dir_taxonomy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extensions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))

    with op.batch_alter_table('dir_taxonomy_term', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extensions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))
        batch_op.add_column(sa.Column('taxonomy', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('term_uri', sa.Text(), nullable=True))
        batch_op.alter_column('code',
               existing_type=sa.TEXT(),
               nullable=True)

    with op.batch_alter_table('dir_unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extensions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))
        batch_op.add_column(sa.Column('uri', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('dir_sharing_agreement', schema=None) as batch_op:
        batch_op.drop_column('extensions')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('notify_sms')
        batch_op.drop_column('phone')

    with op.batch_alter_table('dir_unit', schema=None) as batch_op:
        batch_op.drop_column('uri')
        batch_op.drop_column('extensions')

    with op.batch_alter_table('dir_taxonomy_term', schema=None) as batch_op:
        batch_op.alter_column('code',
               existing_type=sa.TEXT(),
               nullable=False)
        batch_op.drop_column('term_uri')
        batch_op.drop_column('taxonomy')
        batch_op.drop_column('extensions')

    with op.batch_alter_table('dir_taxonomy', schema=None) as batch_op:
        batch_op.drop_column('extensions')

    with op.batch_alter_table('dir_service_referral', schema=None) as batch_op:
        batch_op.alter_column('service_id',
               existing_type=sa.TEXT(),
               nullable=False)
        batch_op.drop_column('extensions')

    with op.batch_alter_table('dir_service_capacity', schema=None) as batch_op:
        batch_op.alter_column('updated',
               existing_type=sa.Text(),
               type_=sa.DATE(),
               postgresql_using='updated::date',
               existing_nullable=False)
        batch_op.alter_column('unit_id',
               existing_type=sa.TEXT(),
               nullable=False)
        batch_op.alter_column('service_id',
               existing_type=sa.TEXT(),
               nullable=False)
        batch_op.drop_column('extensions')

    with op.batch_alter_table('dir_service_at_location', schema=None) as batch_op:
        batch_op.alter_column('location_id',
               existing_type=sa.TEXT(),
               nullable=False)
        batch_op.alter_column('service_id',
               existing_type=sa.TEXT(),
               nullable=False)
        batch_op.drop_column('extensions')

    with op.batch_alter_table('dir_service_area', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_dir_service_area_service_at_location_id_dir_service_at_location'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_dir_service_area_service_at_location_id'))
        batch_op.alter_column('name',
               existing_type=sa.TEXT(),
               nullable=False)
        batch_op.alter_column('service_id',
               existing_type=sa.TEXT(),
               nullable=False)
        batch_op.drop_column('extent')
        batch_op.drop_column('service_at_location_id')
        batch_op.drop_column('extensions')

    with op.batch_alter_table('dir_service', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_dir_service_program_id_dir_program'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_dir_service_program_id'))
        batch_op.alter_column('last_modified',
               existing_type=sa.Text(),
               type_=sa.DATE(),
               postgresql_using='last_modified::date',
               existing_nullable=True)
        batch_op.alter_column('organization_id',
               existing_type=sa.TEXT(),
               nullable=False)
        batch_op.drop_column('alert')
        batch_op.drop_column('licenses')
        batch_op.drop_column('accreditations')
        batch_op.drop_column('fees')
        batch_op.drop_column('wait_time')
        batch_op.drop_column('program_id')
        batch_op.drop_column('extensions')

    with op.batch_alter_table('dir_schedule', schema=None) as batch_op:
        batch_op.drop_column('attending_type')
        batch_op.drop_column('schedule_link')
        batch_op.drop_column('byyearday')
        batch_op.drop_column('bymonthday')
        batch_op.drop_column('byweekno')
        batch_op.drop_column('wkst')
        batch_op.drop_column('count')
        batch_op.drop_column('until')
        batch_op.drop_column('extensions')

    with op.batch_alter_table('dir_phone', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_dir_phone_service_at_location_id_dir_service_at_location'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_dir_phone_service_at_location_id'))
        batch_op.alter_column('type',
               existing_type=sa.TEXT(),
               nullable=False)
        batch_op.drop_column('service_at_location_id')
        batch_op.drop_column('extensions')

    with op.batch_alter_table('dir_organization', schema=None) as batch_op:
        batch_op.drop_column('uri')
        batch_op.drop_column('logo')
        batch_op.drop_column('year_incorporated')
        batch_op.drop_column('tax_id')
        batch_op.drop_column('tax_status')
        batch_op.drop_column('extensions')

    with op.batch_alter_table('dir_location', schema=None) as batch_op:
        batch_op.drop_column('external_identifier_type')
        batch_op.drop_column('external_identifier')
        batch_op.drop_column('transportation')
        batch_op.drop_column('alternate_name')
        batch_op.drop_column('url')
        batch_op.drop_column('extensions')

    with op.batch_alter_table('dir_language', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_dir_language_phone_id_dir_phone'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_dir_language_phone_id'))
        batch_op.alter_column('name',
               existing_type=sa.TEXT(),
               nullable=False)
        batch_op.drop_column('phone_id')
        batch_op.drop_column('extensions')

    with op.batch_alter_table('dir_cost_option', schema=None) as batch_op:
        batch_op.alter_column('amount',
               existing_type=sa.Float(),
               type_=sa.INTEGER(),
               existing_nullable=True)
        batch_op.alter_column('option',
               existing_type=sa.TEXT(),
               nullable=False)
        batch_op.alter_column('service_id',
               existing_type=sa.TEXT(),
               nullable=False)
        batch_op.drop_column('extensions')

    with op.batch_alter_table('dir_contact', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_dir_contact_service_at_location_id_dir_service_at_location'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_dir_contact_service_at_location_id'))
        batch_op.drop_column('service_at_location_id')
        batch_op.drop_column('extensions')

    with op.batch_alter_table('dir_attribute', schema=None) as batch_op:
        batch_op.alter_column('link_entity',
               existing_type=sa.TEXT(),
               nullable=False)
        batch_op.alter_column('link_type',
               existing_type=sa.TEXT(),
               nullable=False)
        batch_op.alter_column('taxonomy_term_id',
               existing_type=sa.TEXT(),
               nullable=False)
        batch_op.alter_column('link_id',
               existing_type=sa.TEXT(),
               nullable=False)
        batch_op.drop_column('extensions')

    with op.batch_alter_table('dir_address', schema=None) as batch_op:
        batch_op.alter_column('location_id',
               existing_type=sa.TEXT(),
               nullable=False)
        batch_op.drop_column('address_2')
        batch_op.drop_column('attention')
        batch_op.drop_column('extensions')

    with op.batch_alter_table('dir_url', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dir_url_service_id'))
        batch_op.drop_index(batch_op.f('ix_dir_url_organization_id'))

    op.drop_table('dir_url')
    with op.batch_alter_table('dir_required_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dir_required_document_service_id'))

    op.drop_table('dir_required_document')
    with op.batch_alter_table('dir_funding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dir_funding_service_id'))
        batch_op.drop_index(batch_op.f('ix_dir_funding_organization_id'))

    op.drop_table('dir_funding')
    with op.batch_alter_table('dir_accessibility', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dir_accessibility_location_id'))

    op.drop_table('dir_accessibility')
    with op.batch_alter_table('dir_program', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dir_program_organization_id'))

    op.drop_table('dir_program')
    with op.batch_alter_table('dir_organization_identifier', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dir_organization_identifier_organization_id'))

    op.drop_table('dir_organization_identifier')
    op.drop_table('dir_metadata')
    op.drop_table('dir_meta_table_description')
    op.drop_table('dir_extension_file')
    with op.batch_alter_table('intake_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intake_submissions_reference'))
    op.drop_table('intake_submissions')
