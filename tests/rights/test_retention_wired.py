"""Retention of the data other capabilities keep about people: notifications and report details."""

from __future__ import annotations

from datetime import timedelta

from participation.core.models import ActionLog
from participation.core.moderation.models import Report
from participation.core.notifications.models import Notification
from participation.core.types import utcnow
from participation.extensions import db


def _logged(app) -> list[dict]:
    with app.app_context():
        entries = db.session.scalars(db.select(ActionLog).where(ActionLog.action == "retention.enforced")).all()
        return sorted((e.data for e in entries), key=lambda d: d["category"])


def test_show_lists_the_new_categories(app, runner):
    output = runner.invoke(args=["retention", "show"]).output
    for line in (
        "notifications.read\t180 days",
        "notifications.unread\t730 days",
        "moderation.report_details\t365 days",
    ):
        assert line in output


def test_enforce_deletes_old_notifications(app, runner, make_user):
    person = make_user()
    now = utcnow()
    with app.app_context():
        rows = {
            "old_read": Notification(
                user_id=person.id, kind="x", created_at=now - timedelta(days=400), read_at=now - timedelta(days=181)
            ),
            "recent_read": Notification(
                user_id=person.id, kind="x", created_at=now - timedelta(days=400), read_at=now - timedelta(days=179)
            ),
            "old_unread": Notification(user_id=person.id, kind="x", created_at=now - timedelta(days=731)),
            "recent_unread": Notification(user_id=person.id, kind="x", created_at=now - timedelta(days=729)),
        }
        db.session.add_all(rows.values())
        db.session.commit()
        ids = {key: row.id for key, row in rows.items()}

    result = runner.invoke(args=["retention", "enforce", "--dry-run"])
    assert "notifications.read: would process 1 records" in result.output
    assert "notifications.unread: would process 1 records" in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Notification.id))) == 4

    result = runner.invoke(args=["retention", "enforce"])
    assert "notifications.read: processed 1 records" in result.output
    assert "notifications.unread: processed 1 records" in result.output
    with app.app_context():
        left = set(db.session.scalars(db.select(Notification.id)))
    assert left == {ids["recent_read"], ids["recent_unread"]}
    assert _logged(app) == [
        {"category": "notifications.read", "count": 1},
        {"category": "notifications.unread", "count": 1},
    ]


def test_enforce_removes_the_text_of_old_resolved_reports(app, runner, make_user):
    now = utcnow()
    reporters = [make_user() for _ in range(3)]
    with app.app_context():
        reports = {
            "old": Report(resolved_at=now - timedelta(days=366), resolution="hide"),
            "recent": Report(resolved_at=now - timedelta(days=364), resolution="dismiss"),
            "open": Report(created_at=now - timedelta(days=1000)),
        }
        for reporter, report in zip(reporters, reports.values(), strict=True):
            report.resource_type, report.resource_id, report.reporter_id = "proposal", 1, reporter.id
            report.reason, report.details = "spam", "通報の詳細"
        db.session.add_all(reports.values())
        db.session.commit()
        ids = {key: row.id for key, row in reports.items()}

    assert (
        "moderation.report_details: would process 1 records"
        in runner.invoke(args=["retention", "enforce", "--dry-run"]).output
    )
    assert "moderation.report_details: processed 1 records" in runner.invoke(args=["retention", "enforce"]).output
    with app.app_context():
        details = {key: db.session.get(Report, ident).details for key, ident in ids.items()}
        old = db.session.get(Report, ids["old"])
        assert (old.reason, old.resolution) == ("spam", "hide")  # the record of the decision stays
    assert details == {"old": None, "recent": "通報の詳細", "open": "通報の詳細"}
    assert _logged(app) == [{"category": "moderation.report_details", "count": 1}]
    assert "moderation.report_details: processed 0 records" in runner.invoke(args=["retention", "enforce"]).output
