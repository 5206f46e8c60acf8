"""components, links and counters: a consultation names no component

The settings and stage switches that belonged to proposals and deliberation move from columns of
processes_processes / processes_phases into one JSON object per consultation and per stage
(core/components.py); the proposal counter moves into the generic counters table (core/counters.py);
policies' coverage moves into the generic links table (core/links.py). Downgrade moves them back.

Revision ID: fbb4d4bba685
Revises: a3c5e7d9b1f2
Create Date: 2026-12-03 13:55:13.362419
"""

import json

import sqlalchemy as sa
from alembic import op

import participation.core.types

revision = "fbb4d4bba685"
down_revision = "a3c5e7d9b1f2"
branch_labels = None
depends_on = None

# old phase column -> stage switch of the proposals component
SWITCHES = {"proposals_open": "proposals.create", "supports_open": "proposals.support", "comments_open": "proposals.comment"}
COVERS = "covers"


def _json(value):
    """JSON columns come back as text on SQLite, as objects from PostgreSQL's json type."""
    if value is None:
        return {}
    return json.loads(value) if isinstance(value, str) else value


def upgrade():
    op.create_table(
        "counters",
        sa.Column("resource_type", sa.String(length=40), nullable=False),
        sa.Column("resource_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("resource_type", "resource_id", "name", name=op.f("pk_counters")),
    )
    op.create_table(
        "links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_type", sa.String(length=40), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("target_type", sa.String(length=40), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=40), nullable=False),
        sa.Column("created_at", participation.core.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_links")),
        sa.UniqueConstraint("source_type", "source_id", "target_type", "target_id", "relation", name="one_link"),
    )
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.create_index("ix_links_target", ["target_type", "target_id"], unique=False)

    with op.batch_alter_table("processes_processes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("settings", sa.JSON(), server_default="{}", nullable=False))
    with op.batch_alter_table("processes_phases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("switches", sa.JSON(), server_default="{}", nullable=False))

    conn = op.get_bind()
    processes = sa.table(
        "processes_processes",
        sa.column("id", sa.Integer),
        sa.column("settings", sa.JSON),
    )
    rows = conn.execute(
        sa.text(
            "SELECT id, supports_per_resident, support_threshold, residents_open_threads, proposals_count "
            "FROM processes_processes"
        )
    ).all()
    counters = []
    for ident, per_resident, threshold, residents_open, count in rows:
        proposals = {
            key: value
            for key, value in (("supports_per_resident", per_resident), ("support_threshold", threshold))
            if value is not None
        }
        settings = {"proposals": proposals} if proposals else {}
        if residents_open:
            settings["deliberation"] = {"residents_open": True}
        if settings:
            conn.execute(processes.update().where(processes.c.id == ident).values(settings=settings))
        counters.append({"resource_type": "process", "resource_id": ident, "name": "proposals", "value": count or 0})
    if counters:
        conn.execute(
            sa.table(
                "counters",
                sa.column("resource_type", sa.String),
                sa.column("resource_id", sa.Integer),
                sa.column("name", sa.String),
                sa.column("value", sa.Integer),
            ).insert(),
            counters,
        )

    phases = sa.table("processes_phases", sa.column("id", sa.Integer), sa.column("switches", sa.JSON))
    for ident, *flags in conn.execute(
        sa.text("SELECT id, proposals_open, supports_open, comments_open FROM processes_phases")
    ).all():
        switches = {name: True for name, on in zip(SWITCHES.values(), flags, strict=True) if on}
        if switches:
            conn.execute(phases.update().where(phases.c.id == ident).values(switches=switches))

    links = sa.table(
        "links",
        sa.column("source_type", sa.String),
        sa.column("source_id", sa.Integer),
        sa.column("target_type", sa.String),
        sa.column("target_id", sa.Integer),
        sa.column("relation", sa.String),
        sa.column("created_at", participation.core.types.UTCDateTime),
    )
    now = participation.core.types.utcnow()
    coverage = conn.execute(
        sa.text("SELECT policy_id, resource_type, resource_id FROM policy_coverage ORDER BY id")
    ).all()
    if coverage:
        conn.execute(
            links.insert(),
            [
                {
                    "source_type": "policy",
                    "source_id": policy_id,
                    "target_type": target_type,
                    "target_id": target_id,
                    "relation": COVERS,
                    "created_at": now,
                }
                for policy_id, target_type, target_id in coverage
            ],
        )

    with op.batch_alter_table("policy_coverage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policy_coverage_resource"))
    op.drop_table("policy_coverage")
    with op.batch_alter_table("processes_phases", schema=None) as batch_op:
        batch_op.drop_column("proposals_open")
        batch_op.drop_column("supports_open")
        batch_op.drop_column("comments_open")
    with op.batch_alter_table("processes_processes", schema=None) as batch_op:
        batch_op.drop_column("proposals_count")
        batch_op.drop_column("support_threshold")
        batch_op.drop_column("residents_open_threads")
        batch_op.drop_column("supports_per_resident")


def downgrade():
    with op.batch_alter_table("processes_processes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("supports_per_resident", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("residents_open_threads", sa.Boolean(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("support_threshold", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("proposals_count", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("processes_phases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("comments_open", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("supports_open", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("proposals_open", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "policy_coverage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("resource_type", sa.String(length=40), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_policy_coverage_policy_id_policies"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_coverage")),
        sa.UniqueConstraint(
            "policy_id",
            "resource_type",
            "resource_id",
            name=op.f("uq_policy_coverage_policy_id_resource_type_resource_id"),
        ),
    )
    with op.batch_alter_table("policy_coverage", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_policy_coverage_resource"), ["resource_type", "resource_id"], unique=False)

    conn = op.get_bind()
    counts = dict(
        conn.execute(
            sa.text("SELECT resource_id, value FROM counters WHERE resource_type = 'process' AND name = 'proposals'")
        ).all()
    )
    processes = sa.table(
        "processes_processes",
        sa.column("id", sa.Integer),
        sa.column("supports_per_resident", sa.Integer),
        sa.column("support_threshold", sa.Integer),
        sa.column("residents_open_threads", sa.Boolean),
        sa.column("proposals_count", sa.Integer),
    )
    for ident, raw in conn.execute(sa.text("SELECT id, settings FROM processes_processes")).all():
        settings = _json(raw)
        proposals = settings.get("proposals") or {}
        conn.execute(
            processes.update()
            .where(processes.c.id == ident)
            .values(
                supports_per_resident=proposals.get("supports_per_resident"),
                support_threshold=proposals.get("support_threshold"),
                residents_open_threads=bool((settings.get("deliberation") or {}).get("residents_open")),
                proposals_count=counts.get(ident, 0),
            )
        )
    phases = sa.table("processes_phases", sa.column("id", sa.Integer), *(sa.column(c, sa.Boolean) for c in SWITCHES))
    for ident, raw in conn.execute(sa.text("SELECT id, switches FROM processes_phases")).all():
        switches = _json(raw)
        values = {column: bool(switches.get(name)) for column, name in SWITCHES.items()}
        conn.execute(phases.update().where(phases.c.id == ident).values(**values))

    coverage = sa.table(
        "policy_coverage",
        sa.column("policy_id", sa.Integer),
        sa.column("resource_type", sa.String),
        sa.column("resource_id", sa.Integer),
    )
    # Only the links the old table could hold: a policy covering a record. Links of other kinds are
    # lost on downgrade, as the schema before this revision had no place for them.
    rows = conn.execute(
        sa.text(
            "SELECT DISTINCT source_id, target_type, target_id FROM links "
            "WHERE source_type = 'policy' AND relation = :covers AND source_id IN (SELECT id FROM policies) "
            "ORDER BY source_id, target_type, target_id"
        ),
        {"covers": COVERS},
    ).all()
    if rows:
        conn.execute(
            coverage.insert(), [{"policy_id": p, "resource_type": t, "resource_id": i} for p, t, i in rows]
        )

    with op.batch_alter_table("processes_phases", schema=None) as batch_op:
        batch_op.drop_column("switches")
    with op.batch_alter_table("processes_processes", schema=None) as batch_op:
        batch_op.drop_column("settings")
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.drop_index("ix_links_target")
    op.drop_table("links")
    op.drop_table("counters")
