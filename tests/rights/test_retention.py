from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from participation.core.models import ActionLog, Role
from participation.core.types import utcnow
from participation.extensions import db
from participation.rights.models import Kind, RightsRequest
from tests.conftest import PASSWORD

from .conftest import get_request


def _age_request(app, request_id: int, days: int) -> None:
    with app.app_context():
        item = db.session.get(RightsRequest, request_id)
        item.created_at = item.closed_at = utcnow() - timedelta(days=days)
        item.status = "answered"
        item.response = "回答"
        db.session.commit()


def test_show_lists_categories_with_their_periods(make_app):
    app = make_app(RETENTION_DAYS={"rights.closed_requests": 30})
    result = app.test_cli_runner().invoke(args=["retention", "show"])
    assert result.exit_code == 0
    assert "rights.closed_requests\t30 days" in result.output
    assert "accounts.deleted_actor_links\t365 days" in result.output


def test_enforce_anonymises_closed_requests_past_their_period(app, runner, make_user, file_request):
    person = make_user()
    old = file_request(person, details="古い依頼")
    recent = file_request(person, details="新しい依頼")
    still_open = file_request(person, kind=Kind.ERASURE, details="未処理")
    _age_request(app, old, 3 * 365 + 1)
    _age_request(app, recent, 3 * 365 - 1)
    with app.app_context():
        item = db.session.get(RightsRequest, still_open)
        item.created_at = utcnow() - timedelta(days=5000)
        db.session.commit()

    result = runner.invoke(args=["retention", "enforce", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "rights.closed_requests: would process 1 records" in result.output
    assert get_request(app, old).details == "古い依頼"

    result = runner.invoke(args=["retention", "enforce"])
    assert "rights.closed_requests: processed 1 records" in result.output
    gone = get_request(app, old)
    assert (gone.details, gone.response, gone.requester_id, gone.kind) == (None, None, None, "disclosure")
    assert get_request(app, recent).details == "新しい依頼"
    assert get_request(app, still_open).details == "未処理"
    with app.app_context():
        entries = db.session.scalars(db.select(ActionLog).where(ActionLog.action == "retention.enforced")).all()
        assert [e.data for e in entries] == [{"category": "rights.closed_requests", "count": 1}]
    # Run again: nothing left to do, nothing logged.
    assert "rights.closed_requests: processed 0 records" in runner.invoke(args=["retention", "enforce"]).output


def test_enforce_unlinks_old_activity_of_deleted_accounts(app, client, runner, make_user, login):
    person, keeper = make_user(), make_user(Role.STAFF)
    login(person)
    client.post("/account/delete", data={"current_password": PASSWORD, "confirm": "y"})
    with app.app_context():
        # Move the person's log entries back beyond the period (table-level: the log is append-only).
        db.session.execute(
            update(ActionLog.__table__)
            .where(ActionLog.actor_id.in_([person.id, keeper.id]))
            .values(created_at=utcnow() - timedelta(days=400))
        )
        db.session.commit()
        before = db.session.scalar(db.select(db.func.count(ActionLog.id)).where(ActionLog.actor_id == person.id))
        assert before >= 1
    result = runner.invoke(args=["retention", "enforce"])
    assert f"accounts.deleted_actor_links: processed {before} records" in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ActionLog.id)).where(ActionLog.actor_id == person.id)) == 0
