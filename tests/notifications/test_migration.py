"""The migration makes existing authors and supporters follow their proposals."""

import uuid
from datetime import UTC, datetime

from flask_migrate import upgrade
from sqlalchemy import text

from participation.extensions import db
from tests.conftest import BASE_CONFIG, DATABASE_URL, ON_POSTGRES

BEFORE = "9bbaa679a1fb"


def test_backfills_follows_for_authors_and_supporters(tmp_path):
    from participation import create_app

    if ON_POSTGRES:
        schema = f"notifytest_{uuid.uuid4().hex[:8]}"
        separator = "&" if "?" in DATABASE_URL else "?"
        url = f"{DATABASE_URL}{separator}options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{tmp_path / 'backfill.sqlite'}"
    app = create_app({**BASE_CONFIG, "DATABASE_URL": url}, instance_path=str(tmp_path / "instance"))
    with app.app_context():
        if ON_POSTGRES:
            with db.engine.begin() as conn:
                conn.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            upgrade(revision=BEFORE)
            at = datetime(2026, 11, 1, tzinfo=UTC).replace(tzinfo=None)  # stored naive UTC
            with db.engine.begin() as conn:
                conn.execute(
                    text("INSERT INTO users (id, session_token, created_at) VALUES (:id, :token, :at)"),
                    [{"id": n, "token": f"t{n}", "at": at} for n in (1, 2, 3)],
                )
                conn.execute(
                    text(
                        "INSERT INTO processes_processes (id, title, summary, created_at, updated_at) "
                        "VALUES (1, :title, :title, :at, :at)"
                    ),
                    {"title": '{"ja": "x"}', "at": at},
                )
                conn.execute(
                    text(
                        "INSERT INTO proposals_proposals (id, process_id, author_id, title, body, locale, "
                        "supports_count, created_at, updated_at) VALUES (:id, 1, :author, 'p', 'b', 'ja', 0, :at, :at)"
                    ),
                    [{"id": 1, "author": 1, "at": at}, {"id": 2, "author": None, "at": at}],
                )
                conn.execute(  # the author also supports their own proposal: still one follow
                    text("INSERT INTO proposals_supports (proposal_id, user_id, created_at) VALUES (:p, :u, :at)"),
                    [{"p": p, "u": u, "at": at} for p, u in ((1, 1), (1, 2), (2, 3))],
                )
            upgrade()
            with db.engine.connect() as conn:
                rows = conn.execute(text("SELECT user_id, resource_type, resource_id FROM follows")).all()
                digests = conn.execute(text("SELECT DISTINCT email_digest FROM users")).scalars().all()
            assert sorted(rows) == [(1, "proposal", 1), (2, "proposal", 1), (3, "proposal", 2)]
            assert digests == ["none"]
        finally:
            if ON_POSTGRES:
                with db.engine.begin() as conn:
                    conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            db.engine.dispose()
