"""The administration's job list: administrators only, failed jobs with their error, and a retry that
is permission-checked and written to the action log."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from participation.core import jobs
from participation.core.db import transaction
from participation.core.models import ActionLog, Role
from participation.extensions import db

from ..conftest import PASSWORD
from ..core.test_jobs import QUEUE, _mail, _make_due, _outbox, _rows


@pytest.fixture
def queue_app(make_app):
    app = make_app(JOBS_BACKEND=QUEUE, WTF_CSRF_ENABLED=False)
    yield app
    jobs.backend(app).reset()


def _signed_in(app, user):
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def _failed_mail(app, monkeypatch, to="failing@example.jp"):
    def broken(*args, **kwargs):
        raise OSError("SMTP 451 try later")

    with monkeypatch.context() as patch:
        patch.setattr("flask_mailman.EmailMessage.send", broken)
        with app.app_context(), transaction():
            _mail(to)
        for _ in range(jobs.backend(app).jobs["mail.send"].retries + 1):
            _make_due(app)
            jobs.work(app)
    with app.app_context():
        views, _ = jobs.backend(app).listing("failed", 0, 100)
    return views[0].id


def _retries_logged(app) -> list[dict]:
    with app.app_context():
        return db.session.scalars(db.select(ActionLog.data).where(ActionLog.action == "job.retried")).all()


def test_only_administrators_see_the_jobs(queue_app, make_user):
    anonymous = queue_app.test_client().get("/admin/jobs")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    for role in (Role.RESIDENT, Role.STAFF, Role.AUDITOR, Role.MODERATOR):
        response = _signed_in(queue_app, make_user(role)).get("/admin/jobs")
        assert response.status_code == 403, role
    admin = _signed_in(queue_app, make_user(Role.ADMIN))
    page = admin.get("/admin/jobs")
    assert page.status_code == 200
    assert "バックグラウンド処理" in page.get_data(as_text=True)
    assert 'href="/admin/jobs"' in admin.get("/admin/").get_data(as_text=True)  # in the admin menu


def test_a_failed_job_shows_its_error_and_an_administrator_runs_it_again(queue_app, make_user, monkeypatch):
    job_id = _failed_mail(queue_app, monkeypatch)
    admin_user = make_user(Role.ADMIN)
    admin = _signed_in(queue_app, admin_user)
    page = admin.get("/admin/jobs?state=failed").get_data(as_text=True)
    assert "メール送信" in page and "OSError: SMTP 451 try later" in page and "再実行" in page
    assert "failing@example.jp" not in page  # arguments are never shown
    outbox = _outbox(queue_app)
    response = admin.post(f"/admin/jobs/{job_id}/retry?state=failed")
    assert response.status_code == 302
    assert "まもなく再実行します" in admin.get(response.headers["Location"]).get_data(as_text=True)
    jobs.work(queue_app)
    assert [m.to for m in outbox] == [["failing@example.jp"]]
    assert _rows(queue_app) == []
    assert _retries_logged(queue_app) == [{"job": job_id, "task": "mail.send"}]
    with queue_app.app_context():
        entry = db.session.scalar(db.select(ActionLog).where(ActionLog.action == "job.retried"))
        assert entry.actor_id == admin_user.id and entry.visibility == "restricted"
    log = admin.get("/admin/log").get_data(as_text=True)
    assert "失敗した処理「メール送信」を再実行しました" in log


def test_only_an_administrator_can_retry_and_only_a_failed_job(queue_app, make_user, monkeypatch):
    job_id = _failed_mail(queue_app, monkeypatch)
    staff = _signed_in(queue_app, make_user(Role.STAFF))
    assert staff.post(f"/admin/jobs/{job_id}/retry").status_code == 403
    assert queue_app.test_client().post(f"/admin/jobs/{job_id}/retry").status_code == 302  # to the login page
    assert [r["state"] for r in _rows(queue_app)] == ["failed"]
    admin = _signed_in(queue_app, make_user(Role.ADMIN))
    for missing in (job_id + 1000, 2**62):
        response = admin.post(f"/admin/jobs/{missing}/retry", follow_redirects=True)
        assert response.status_code == 200
        assert "この処理は再実行を待っていません" in response.get_data(as_text=True)
    assert admin.post(f"/admin/jobs/{job_id}/retry").status_code == 302
    if QUEUE == "database":  # waiting now: a second retry is refused (the in-process queue ran it already)
        again = admin.post(f"/admin/jobs/{job_id}/retry", follow_redirects=True)
        assert "この処理は再実行を待っていません" in again.get_data(as_text=True)
    assert len(_retries_logged(queue_app)) == 1
    assert admin.get("/admin/jobs?state=nonsense").status_code == 200  # an unknown filter lists everything


def _queries(app, client, url) -> tuple[int, str]:
    statements = []

    def before(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", before)
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


def test_the_job_list_costs_the_same_queries_whatever_it_holds(queue_app, make_user, monkeypatch):
    admin = _signed_in(queue_app, make_user(Role.ADMIN))
    _failed_mail(queue_app, monkeypatch, "one@example.jp")
    admin.get("/admin/jobs")
    one, _page = _queries(queue_app, admin, "/admin/jobs")
    if QUEUE == "memory":
        jobs.backend(queue_app).stop()  # the requests started its serving thread; run the next ones at once
    for n in range(4):
        _failed_mail(queue_app, monkeypatch, f"more{n}@example.jp")
    five, page = _queries(queue_app, admin, "/admin/jobs")
    assert page.count("OSError: SMTP 451 try later") == 5
    assert five == one
