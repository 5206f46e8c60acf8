"""proposals

Revision ID: 93043f29bcc9
Revises: fabd76d079f2
Create Date: 2026-11-22 06:21:07.040545
"""

import sqlalchemy as sa
from alembic import op

import participation.core.types


revision = '93043f29bcc9'
down_revision = 'fabd76d079f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('proposals_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=150), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('place', sa.String(length=200), nullable=True),
    sa.Column('supports_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('threshold_reached_at', participation.core.types.UTCDateTime(), nullable=True),
    sa.Column('withdrawn_at', participation.core.types.UTCDateTime(), nullable=True),
    sa.Column('created_at', participation.core.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', participation.core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_proposals_proposals_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['category_id'], ['processes_categories.id'], name=op.f('fk_proposals_proposals_category_id_processes_categories'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_proposals_proposals_district_id_districts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['process_id'], ['processes_processes.id'], name=op.f('fk_proposals_proposals_process_id_processes_processes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposals_proposals'))
    )
    with op.batch_alter_table('proposals_proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposals_proposals_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_proposals_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_proposals_district_id'), ['district_id'], unique=False)
        batch_op.create_index('ix_proposals_proposals_process_created', ['process_id', 'created_at'], unique=False)

    op.create_table('proposals_supports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', participation.core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals_proposals.id'], name=op.f('fk_proposals_supports_proposal_id_proposals_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_proposals_supports_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposals_supports')),
    sa.UniqueConstraint('proposal_id', 'user_id', name='one_support_per_person')
    )
    with op.batch_alter_table('proposals_supports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposals_supports_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('processes_processes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('supports_per_resident', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('support_threshold', sa.Integer(), nullable=True))



def downgrade():
    with op.batch_alter_table('processes_processes', schema=None) as batch_op:
        batch_op.drop_column('support_threshold')
        batch_op.drop_column('supports_per_resident')

    with op.batch_alter_table('proposals_supports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposals_supports_user_id'))

    op.drop_table('proposals_supports')
    with op.batch_alter_table('proposals_proposals', schema=None) as batch_op:
        batch_op.drop_index('ix_proposals_proposals_process_created')
        batch_op.drop_index(batch_op.f('ix_proposals_proposals_district_id'))
        batch_op.drop_index(batch_op.f('ix_proposals_proposals_category_id'))
        batch_op.drop_index(batch_op.f('ix_proposals_proposals_author_id'))

    op.drop_table('proposals_proposals')
