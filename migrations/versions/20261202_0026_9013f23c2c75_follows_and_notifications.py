"""follows and notifications

Revision ID: 9013f23c2c75
Revises: 09a8f1286e40
Create Date: 2026-12-02 00:26:53.645625
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import participation.core.types


revision = "9013f23c2c75"
down_revision = "09a8f1286e40"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "follows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("resource_type", sa.String(length=40), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("created_at", participation.core.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_follows_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follows")),
        sa.UniqueConstraint("user_id", "resource_type", "resource_id", name="one_follow_per_person"),
    )
    with op.batch_alter_table("follows", schema=None) as batch_op:
        batch_op.create_index("ix_follows_resource", ["resource_type", "resource_id"], unique=False)

    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("resource_type", sa.String(length=40), nullable=True),
        sa.Column("resource_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("created_at", participation.core.types.UTCDateTime(), nullable=False),
        sa.Column("read_at", participation.core.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_notifications_actor_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_user_created", ["user_id", "created_at"], unique=False)
        batch_op.create_index("ix_notifications_user_read", ["user_id", "read_at"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_digest", sa.String(length=10), server_default="none", nullable=False))
        batch_op.add_column(sa.Column("digest_sent_at", participation.core.types.UTCDateTime(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_users_email_digest_known"), "email_digest IN ('none', 'daily', 'weekly')"
        )

    # Authors follow their proposals and supporters what they support, from now on and for the past.
    op.execute(
        sa.text(
            "INSERT INTO follows (user_id, resource_type, resource_id, created_at) "
            "SELECT user_id, 'proposal', proposal_id, :now FROM ("
            " SELECT author_id AS user_id, id AS proposal_id FROM proposals_proposals WHERE author_id IS NOT NULL"
            " UNION SELECT user_id, proposal_id FROM proposals_supports"
            ") AS earlier"
        ).bindparams(now=datetime.now(UTC).replace(tzinfo=None))
    )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_email_digest_known"), type_="check")
        batch_op.drop_column("digest_sent_at")
        batch_op.drop_column("email_digest")

    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_user_read")
        batch_op.drop_index("ix_notifications_user_created")

    op.drop_table("notifications")
    with op.batch_alter_table("follows", schema=None) as batch_op:
        batch_op.drop_index("ix_follows_resource")

    op.drop_table("follows")
