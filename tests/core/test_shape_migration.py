"""The migration to components, links and counters moves existing data and back again."""

import json
import uuid
from datetime import UTC, datetime

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from participation.extensions import db
from tests.conftest import BASE_CONFIG, DATABASE_URL, ON_POSTGRES

BEFORE = "a3c5e7d9b1f2"
AFTER = "fbb4d4bba685"


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def test_settings_switches_counters_and_coverage_move_both_ways(tmp_path):
    from participation import create_app

    if ON_POSTGRES:
        schema = f"shapetest_{uuid.uuid4().hex[:8]}"
        separator = "&" if "?" in DATABASE_URL else "?"
        url = f"{DATABASE_URL}{separator}options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{tmp_path / 'shape.sqlite'}"
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
                    text(
                        "INSERT INTO processes_processes (id, title, summary, created_at, updated_at, "
                        "supports_per_resident, support_threshold, residents_open_threads, proposals_count) "
                        "VALUES (:id, :t, :t, :at, :at, :limit, :threshold, :residents, :count)"
                    ),
                    [
                        {
                            "id": 1,
                            "t": '{"ja": "a"}',
                            "at": at,
                            "limit": 5,
                            "threshold": 100,
                            "residents": True,
                            "count": 7,
                        },
                        {
                            "id": 2,
                            "t": '{"ja": "b"}',
                            "at": at,
                            "limit": None,
                            "threshold": None,
                            "residents": False,
                            "count": 0,
                        },
                    ],
                )
                conn.execute(
                    text(
                        "INSERT INTO processes_phases (id, process_id, position, title, starts_on, ends_on, "
                        "proposals_open, supports_open, comments_open) "
                        "VALUES (:id, :p, 0, :t, '2026-11-01', '2026-11-30', :a, :b, :c)"
                    ),
                    [
                        {"id": 1, "p": 1, "t": '{"ja": "s"}', "a": True, "b": False, "c": True},
                        {"id": 2, "p": 2, "t": '{"ja": "s"}', "a": False, "b": False, "c": False},
                    ],
                )
                conn.execute(
                    text("INSERT INTO policies (id, scope, title, created_at) VALUES (1, 'city', :t, :at)"),
                    {"t": '{"ja": "p"}', "at": at},
                )
                conn.execute(
                    text("INSERT INTO policy_coverage (policy_id, resource_type, resource_id) VALUES (1, :t, :i)"),
                    [{"t": "sensor", "i": 4}, {"t": "process", "i": 1}],
                )

            upgrade(revision=AFTER)
            with db.engine.connect() as conn:
                settings = dict(conn.execute(text("SELECT id, settings FROM processes_processes")).all())
                switches = dict(conn.execute(text("SELECT id, switches FROM processes_phases")).all())
                counters = conn.execute(text("SELECT resource_type, resource_id, name, value FROM counters")).all()
                links = conn.execute(
                    text("SELECT source_type, source_id, target_type, target_id, relation FROM links ORDER BY id")
                ).all()
            assert _json(settings[1]) == {
                "proposals": {"supports_per_resident": 5, "support_threshold": 100},
                "deliberation": {"residents_open": True},
            }
            assert _json(settings[2]) == {}
            assert _json(switches[1]) == {"proposals.create": True, "proposals.comment": True}
            assert _json(switches[2]) == {}
            assert sorted(counters) == [("process", 1, "proposals", 7), ("process", 2, "proposals", 0)]
            assert links == [("policy", 1, "sensor", 4, "covers"), ("policy", 1, "process", 1, "covers")]

            with db.engine.begin() as conn:  # changed after the upgrade, then taken back down
                conn.execute(text("UPDATE counters SET value = 8 WHERE resource_id = 1"))
                conn.execute(
                    text(
                        "INSERT INTO links (source_type, source_id, target_type, target_id, relation, created_at) "
                        "VALUES ('meeting', 3, 'process', 1, 'about', :at)"
                    ),
                    {"at": at},
                )
            downgrade(revision=BEFORE)
            with db.engine.connect() as conn:
                processes = conn.execute(
                    text(
                        "SELECT id, supports_per_resident, support_threshold, residents_open_threads, proposals_count "
                        "FROM processes_processes ORDER BY id"
                    )
                ).all()
                phases = conn.execute(
                    text("SELECT id, proposals_open, supports_open, comments_open FROM processes_phases ORDER BY id")
                ).all()
                coverage = conn.execute(
                    text("SELECT policy_id, resource_type, resource_id FROM policy_coverage ORDER BY resource_type")
                ).all()
            assert [tuple(row) for row in processes] == [(1, 5, 100, True, 8), (2, None, None, False, 0)]
            assert [tuple(map(bool, row[1:])) for row in phases] == [(True, False, True), (False, False, False)]
            assert coverage == [(1, "process", 1), (1, "sensor", 4)]  # the meeting's link had no place to go
        finally:
            if ON_POSTGRES:
                with db.engine.begin() as conn:
                    conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            db.engine.dispose()
