"""moderation: reports, decisions, hidden proposals, blocked accounts

Revision ID: 09a8f1286e40
Revises: d6dfaffa5b10
Create Date: 2026-12-02 00:26:20.833193
"""

import sqlalchemy as sa
from alembic import op

import participation.core.types


revision = '09a8f1286e40'
down_revision = "d6dfaffa5b10"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('moderation_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resource_type', sa.String(length=40), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('moderator_id', sa.Integer(), nullable=True),
    sa.Column('report_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_at', participation.core.types.UTCDateTime(), nullable=False),
    sa.CheckConstraint("action IN ('hide', 'restore', 'dismiss', 'block', 'unblock')", name=op.f('ck_moderation_decisions_decision_action_known')),
    sa.ForeignKeyConstraint(['moderator_id'], ['users.id'], name=op.f('fk_moderation_decisions_moderator_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_decisions'))
    )
    with op.batch_alter_table('moderation_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderation_decisions_moderator_id'), ['moderator_id'], unique=False)
        batch_op.create_index('ix_moderation_decisions_resource', ['resource_type', 'resource_id'], unique=False)

    op.create_table('moderation_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resource_type', sa.String(length=40), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('details', sa.String(length=1000), nullable=True),
    sa.Column('created_at', participation.core.types.UTCDateTime(), nullable=False),
    sa.Column('resolved_at', participation.core.types.UTCDateTime(), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolution', sa.String(length=20), nullable=True),
    sa.CheckConstraint("reason IN ('spam', 'offensive', 'off_topic', 'personal_info')", name=op.f('ck_moderation_reports_report_reason_known')),
    sa.ForeignKeyConstraint(['reporter_id'], ['users.id'], name=op.f('fk_moderation_reports_reporter_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_moderation_reports_resolved_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_reports')),
    sa.UniqueConstraint('resource_type', 'resource_id', 'reporter_id', name='one_report_per_person')
    )
    with op.batch_alter_table('moderation_reports', schema=None) as batch_op:
        batch_op.create_index('ix_moderation_reports_open', ['resolved_at', 'resource_type', 'resource_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_moderation_reports_reporter_id'), ['reporter_id'], unique=False)

    with op.batch_alter_table('proposals_proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden_at', participation.core.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('hidden_reason', sa.String(length=500), nullable=True))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('blocked_at', participation.core.types.UTCDateTime(), nullable=True))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('blocked_at')

    with op.batch_alter_table('proposals_proposals', schema=None) as batch_op:
        batch_op.drop_column('hidden_reason')
        batch_op.drop_column('hidden_at')

    with op.batch_alter_table('moderation_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderation_reports_reporter_id'))
        batch_op.drop_index('ix_moderation_reports_open')

    op.drop_table('moderation_reports')
    with op.batch_alter_table('moderation_decisions', schema=None) as batch_op:
        batch_op.drop_index('ix_moderation_decisions_resource')
        batch_op.drop_index(batch_op.f('ix_moderation_decisions_moderator_id'))

    op.drop_table('moderation_decisions')
