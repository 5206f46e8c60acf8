"""proposal list indexes, shuffle key and proposals count

One index per order of the proposal list, the random order's shuffle key, and the count of each
process's proposals.

Revision ID: f1e69a0f3e73
Revises: 28dce46b087e
Create Date: 2026-12-02 00:30:39.262700
"""

import sqlalchemy as sa
from alembic import op

revision = "f1e69a0f3e73"
down_revision = "28dce46b087e"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("proposals_proposals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shuffle_key", sa.Integer(), server_default="0", nullable=False))
        batch_op.drop_index("ix_proposals_proposals_process_created")
        batch_op.create_index("ix_proposals_proposals_process_created", ["process_id", "created_at", "id"], unique=False)
        batch_op.create_index("ix_proposals_proposals_process_shuffle", ["process_id", "shuffle_key", "id"], unique=False)
        batch_op.create_index(
            "ix_proposals_proposals_process_supports", ["process_id", "supports_count", "id"], unique=False
        )
    # Existing proposals get a scrambled key from their id (Lehmer's multiplier, modulo the prime 2^31 - 1);
    # new ones get a random key from the application.
    op.execute("UPDATE proposals_proposals SET shuffle_key = (CAST(id AS BIGINT) * 48271) % 2147483647")
    with op.batch_alter_table("processes_processes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proposals_count", sa.Integer(), server_default="0", nullable=False))
    op.execute(
        "UPDATE processes_processes SET proposals_count = "
        "(SELECT COUNT(*) FROM proposals_proposals WHERE proposals_proposals.process_id = processes_processes.id)"
    )


def downgrade():
    with op.batch_alter_table("processes_processes", schema=None) as batch_op:
        batch_op.drop_column("proposals_count")
    with op.batch_alter_table("proposals_proposals", schema=None) as batch_op:
        batch_op.drop_index("ix_proposals_proposals_process_supports")
        batch_op.drop_index("ix_proposals_proposals_process_shuffle")
        batch_op.drop_index("ix_proposals_proposals_process_created")
        batch_op.create_index("ix_proposals_proposals_process_created", ["process_id", "created_at"], unique=False)
        batch_op.drop_column("shuffle_key")
