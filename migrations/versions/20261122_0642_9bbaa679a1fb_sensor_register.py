"""sensor register

Revision ID: 9bbaa679a1fb
Revises: 07e04664de18
Create Date: 2026-11-22 06:42:29.436884
"""

import sqlalchemy as sa
from alembic import op

import participation.core.types


revision = '9bbaa679a1fb'
down_revision = '07e04664de18'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sensors_devices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', participation.core.types.LocalizedTextType(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('mobile', sa.Boolean(), nullable=False),
    sa.Column('latitude', sa.Double(), nullable=True),
    sa.Column('longitude', sa.Double(), nullable=True),
    sa.Column('address', participation.core.types.LocalizedTextType(), nullable=True),
    sa.Column('place', participation.core.types.LocalizedTextType(), nullable=True),
    sa.Column('area', participation.core.types.LocalizedTextType(), nullable=True),
    sa.Column('organisation', participation.core.types.LocalizedTextType(), nullable=True),
    sa.Column('contact', participation.core.types.LocalizedTextType(), nullable=True),
    sa.Column('purposes', participation.core.types.LocalizedTextType(), nullable=True),
    sa.Column('legal_basis', participation.core.types.LocalizedTextType(), nullable=True),
    sa.Column('captured', participation.core.types.LocalizedTextType(), nullable=True),
    sa.Column('face_recognition', sa.Boolean(), nullable=False),
    sa.Column('feature_extraction', sa.Boolean(), nullable=False),
    sa.Column('identifiability', sa.String(length=30), nullable=True),
    sa.Column('kept', participation.core.types.LocalizedTextType(), nullable=True),
    sa.Column('retention_days', sa.Integer(), nullable=True),
    sa.Column('deleted_at_once', sa.Boolean(), nullable=False),
    sa.Column('access', participation.core.types.LocalizedTextType(), nullable=True),
    sa.Column('third_party', sa.Boolean(), nullable=False),
    sa.Column('third_party_grounds', participation.core.types.LocalizedTextType(), nullable=True),
    sa.Column('live_monitoring', sa.Boolean(), nullable=False),
    sa.Column('privacy_measures', participation.core.types.LocalizedTextType(), nullable=True),
    sa.Column('storage_location', participation.core.types.LocalizedTextType(), nullable=True),
    sa.Column('signage_on', sa.Date(), nullable=True),
    sa.Column('briefing_on', sa.Date(), nullable=True),
    sa.Column('active_since', sa.Date(), nullable=True),
    sa.Column('active_until', sa.Date(), nullable=True),
    sa.Column('rules', participation.core.types.LocalizedTextType(), nullable=True),
    sa.Column('organisation_key', sa.String(length=200), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('published_at', participation.core.types.UTCDateTime(), nullable=True),
    sa.Column('created_at', participation.core.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', participation.core.types.UTCDateTime(), nullable=False),
    sa.CheckConstraint('active_until IS NULL OR active_since IS NULL OR active_until >= active_since', name=op.f('ck_sensors_devices_active_in_order')),
    sa.CheckConstraint('latitude IS NULL OR (latitude >= -90 AND latitude <= 90)', name=op.f('ck_sensors_devices_latitude_range')),
    sa.CheckConstraint('longitude IS NULL OR (longitude >= -180 AND longitude <= 180)', name=op.f('ck_sensors_devices_longitude_range')),
    sa.CheckConstraint('retention_days IS NULL OR retention_days >= 1', name=op.f('ck_sensors_devices_retention_positive')),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_sensors_devices_district_id_districts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sensors_devices'))
    )
    with op.batch_alter_table('sensors_devices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sensors_devices_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sensors_devices_organisation_key'), ['organisation_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_sensors_devices_published_at'), ['published_at'], unique=False)

    op.create_table('sensors_device_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('reason', participation.core.types.LocalizedTextType(), nullable=True),
    sa.Column('changed', sa.JSON(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', participation.core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_sensors_device_versions_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['device_id'], ['sensors_devices.id'], name=op.f('fk_sensors_device_versions_device_id_sensors_devices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sensors_device_versions'))
    )
    with op.batch_alter_table('sensors_device_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sensors_device_versions_device_id'), ['device_id'], unique=False)



def downgrade():
    with op.batch_alter_table('sensors_device_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sensors_device_versions_device_id'))

    op.drop_table('sensors_device_versions')
    with op.batch_alter_table('sensors_devices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sensors_devices_published_at'))
        batch_op.drop_index(batch_op.f('ix_sensors_devices_organisation_key'))
        batch_op.drop_index(batch_op.f('ix_sensors_devices_district_id'))

    op.drop_table('sensors_devices')
