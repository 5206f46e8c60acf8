"""proposal list index for the most commented order

The list sorted by comments walks (process_id, comments_count, id), like the other orders, so its
first pages cost the same however many proposals a process has.

Revision ID: a3c5e7d9b1f2
Revises: 9013f23c2c75
Create Date: 2026-12-02 01:30:00.000000
"""

from alembic import op

revision = "a3c5e7d9b1f2"
down_revision = "9013f23c2c75"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("proposals_proposals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_proposals_proposals_process_comments", ["process_id", "comments_count", "id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("proposals_proposals", schema=None) as batch_op:
        batch_op.drop_index("ix_proposals_proposals_process_comments")
