"""search outbox

Revision ID: 0e1881e4dce9
Revises: 93043f29bcc9
Create Date: 2026-11-22 06:32:27.649741
"""

import sqlalchemy as sa
from alembic import op

import participation.core.types


revision = "0e1881e4dce9"
down_revision = "93043f29bcc9"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "search_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource_type", sa.String(length=40), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("created_at", participation.core.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_outbox")),
    )


def downgrade():
    op.drop_table("search_outbox")
