"""background jobs: procrastinate's queue (PostgreSQL only) and the errors of failed jobs

Revision ID: 56aa2792acda
Revises: 46ec719259a1
Create Date: 2026-12-03 14:05:51.618308
"""

import sqlalchemy as sa
from alembic import op

import participation.core.types
from participation.core.jobs import schema as jobs_schema


revision = '56aa2792acda'
down_revision = '46ec719259a1'
branch_labels = None
depends_on = None


def upgrade():
    # procrastinate's tables, types and functions, as its version pinned in pyproject.toml ships them.
    jobs_schema.create(op.get_bind())
    op.create_table('job_errors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.BigInteger(), nullable=False),
    sa.Column('task_name', sa.String(length=128), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(length=2000), nullable=False),
    sa.Column('created_at', participation.core.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_errors'))
    )
    with op.batch_alter_table('job_errors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_errors_job_id'), ['job_id'], unique=False)


def downgrade():
    with op.batch_alter_table('job_errors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_errors_job_id'))

    op.drop_table('job_errors')
    jobs_schema.drop(op.get_bind())
