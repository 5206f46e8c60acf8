"""An administrator finds a mail that could not be sent, reads why, and has it sent again: in
Japanese, with and without JavaScript."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from participation.core import jobs
from participation.core.models import Role

from ..conftest import PASSWORD
from ..core.test_jobs import QUEUE, _mail, _make_due, _outbox


@pytest.fixture
def queue_server(make_app, monkeypatch):
    app = make_app(JOBS_BACKEND=QUEUE, WTF_CSRF_ENABLED=True, SERVER_NAME=None)

    def refused(*args, **kwargs):
        raise OSError("SMTP 421 サーバーが混雑しています")

    # A mail that fails every attempt, as while the city's mail server is down.
    with monkeypatch.context() as patch:
        patch.setattr("flask_mailman.EmailMessage.send", refused)
        with app.app_context():
            from participation.core.db import transaction

            with transaction():
                _mail("resident@example.jp")
        for _ in range(jobs.backend(app).jobs["mail.send"].retries + 1):
            _make_due(app)
            jobs.work(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    jobs.backend(app).reset()


def test_an_administrator_sends_a_failed_mail_again(queue_server, page, make_user):
    app, base = queue_server
    admin = make_user(Role.ADMIN, email="admin@example.jp")
    outbox = _outbox(app)
    page.goto(f"{base}/login")
    page.get_by_label("メールアドレス").fill(admin.email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.goto(f"{base}/admin/")
    page.get_by_role("link", name="バックグラウンド処理").click()
    page.get_by_role("link", name="失敗 (1)").click()
    row = page.locator("#jobs-table tbody tr")
    assert row.count() == 1
    assert "メール送信" in row.inner_text() and "SMTP 421 サーバーが混雑しています" in row.inner_text()
    assert "resident@example.jp" not in page.content()  # what a job carries is never shown
    row.get_by_role("button", name="再実行").click()
    page.wait_for_url("**/admin/jobs?state=failed")
    assert "処理「メール送信」をまもなく再実行します。" in page.locator("#flash").inner_text()
    jobs.work(app)
    assert [m.to for m in outbox] == [["resident@example.jp"]]
    page.reload()
    assert "該当する処理はありません。" in page.locator("#jobs-table").inner_text()
