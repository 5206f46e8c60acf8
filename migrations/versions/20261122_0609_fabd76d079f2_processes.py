"""processes

Revision ID: fabd76d079f2
Revises: 3c3b2283cda6
Create Date: 2026-11-22 06:09:03.269487
"""

import sqlalchemy as sa
from alembic import op

import participation.core.types


revision = 'fabd76d079f2'
down_revision = '3c3b2283cda6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('processes_processes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', participation.core.types.LocalizedTextType(), nullable=False),
    sa.Column('summary', participation.core.types.LocalizedTextType(), nullable=False),
    sa.Column('description', participation.core.types.LocalizedTextType(), nullable=True),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('published_at', participation.core.types.UTCDateTime(), nullable=True),
    sa.Column('created_at', participation.core.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', participation.core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_processes_processes_district_id_districts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_processes_processes'))
    )
    with op.batch_alter_table('processes_processes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_processes_processes_district_id'), ['district_id'], unique=False)

    op.create_table('processes_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('name', participation.core.types.LocalizedTextType(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['process_id'], ['processes_processes.id'], name=op.f('fk_processes_categories_process_id_processes_processes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_processes_categories'))
    )
    with op.batch_alter_table('processes_categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_processes_categories_process_id'), ['process_id'], unique=False)

    op.create_table('processes_phases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', participation.core.types.LocalizedTextType(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('proposals_open', sa.Boolean(), nullable=False),
    sa.Column('supports_open', sa.Boolean(), nullable=False),
    sa.Column('comments_open', sa.Boolean(), nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_processes_phases_dates_in_order')),
    sa.ForeignKeyConstraint(['process_id'], ['processes_processes.id'], name=op.f('fk_processes_phases_process_id_processes_processes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_processes_phases'))
    )
    with op.batch_alter_table('processes_phases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_processes_phases_process_id'), ['process_id'], unique=False)


def downgrade():
    with op.batch_alter_table('processes_phases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_processes_phases_process_id'))

    op.drop_table('processes_phases')
    with op.batch_alter_table('processes_categories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_processes_categories_process_id'))

    op.drop_table('processes_categories')
    with op.batch_alter_table('processes_processes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_processes_processes_district_id'))

    op.drop_table('processes_processes')
