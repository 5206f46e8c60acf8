"""proposal answers

Revision ID: 07e04664de18
Revises: 0e1881e4dce9
Create Date: 2026-11-22 06:40:09.587848
"""

import sqlalchemy as sa
from alembic import op

import participation.core.types


revision = "07e04664de18"
down_revision = "0e1881e4dce9"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "proposals_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("text", participation.core.types.LocalizedTextType(), nullable=False),
        sa.Column("cost", sa.BigInteger(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", participation.core.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_proposals_answers_author_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals_proposals.id"],
            name=op.f("fk_proposals_answers_proposal_id_proposals_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals_answers")),
    )
    with op.batch_alter_table("proposals_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposals_answers_proposal_id"), ["proposal_id"], unique=False)

    op.create_table(
        "proposals_progress_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("text", participation.core.types.LocalizedTextType(), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", participation.core.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_proposals_progress_updates_author_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals_proposals.id"],
            name=op.f("fk_proposals_progress_updates_proposal_id_proposals_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals_progress_updates")),
    )
    with op.batch_alter_table("proposals_progress_updates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposals_progress_updates_proposal_id"), ["proposal_id"], unique=False)

    with op.batch_alter_table("proposals_proposals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answer_state", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("answer_text", participation.core.types.LocalizedTextType(), nullable=True))
        batch_op.add_column(sa.Column("answer_cost", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("answered_at", participation.core.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("answered_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("progress", sa.Integer(), server_default="0", nullable=False))
        batch_op.create_index(batch_op.f("ix_proposals_proposals_answer_state"), ["answer_state"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_proposals_proposals_answered_by_id_users"),
            "users",
            ["answered_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("proposals_proposals", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_proposals_proposals_answered_by_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_proposals_proposals_answer_state"))
        batch_op.drop_column("progress")
        batch_op.drop_column("answered_by_id")
        batch_op.drop_column("answered_at")
        batch_op.drop_column("answer_cost")
        batch_op.drop_column("answer_text")
        batch_op.drop_column("answer_state")

    with op.batch_alter_table("proposals_progress_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposals_progress_updates_proposal_id"))

    op.drop_table("proposals_progress_updates")
    with op.batch_alter_table("proposals_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposals_answers_proposal_id"))

    op.drop_table("proposals_answers")
