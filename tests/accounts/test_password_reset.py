import re

from freezegun import freeze_time

from participation.core.models import User
from participation.extensions import db

NEW = "a new riverside passphrase"


def _link(message) -> str:
    return re.search(r"http://localhost(/password/reset/\S+)", message.body).group(1)


def test_reset_by_email_in_the_persons_language(app, client, make_user, outbox):
    user = make_user(locale="en", name="Taro")
    response = client.post("/password/forgot", data={"email": user.email})
    assert response.status_code == 302
    assert len(outbox) == 1
    message = outbox[0]
    assert message.to == [user.email]
    assert message.subject.startswith("Set a new password for")
    assert "Hello Taro," in message.body
    link = _link(message)
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": NEW, "password_confirm": NEW})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    with app.app_context():
        assert db.session.get(User, user.id).check_password(NEW)
    # The link works once only.
    again = client.post(link, data={"password": "another one entirely", "password_confirm": "another one entirely"})
    assert again.headers["Location"] == "/password/forgot"


def test_japanese_mail_for_japanese_readers(client, make_user, outbox):
    user = make_user(locale="ja", name="花子")
    client.post("/password/forgot", data={"email": user.email})
    assert "パスワード再設定のご案内" in outbox[0].subject
    assert "花子 様" in outbox[0].body


def test_unknown_address_gets_the_same_answer_and_no_mail(client, make_user, outbox):
    user = make_user()
    known = client.post("/password/forgot", data={"email": user.email}, follow_redirects=True)
    unknown = client.post("/password/forgot", data={"email": "nobody@example.jp"}, follow_redirects=True)
    notice = "このメールアドレスで登録されたアカウントがある場合は"
    assert notice in known.get_data(as_text=True) and notice in unknown.get_data(as_text=True)
    assert len(outbox) == 1


def test_expired_link_is_refused(client, make_user, outbox):
    user = make_user()
    with freeze_time("2026-11-22 10:00:00"):
        client.post("/password/forgot", data={"email": user.email})
    link = _link(outbox[0])
    with freeze_time("2026-11-22 11:01:00"):
        response = client.post(link, data={"password": NEW, "password_confirm": NEW})
    assert response.headers["Location"] == "/password/forgot"


def test_tampered_link_is_refused(client, make_user, outbox):
    user = make_user()
    client.post("/password/forgot", data={"email": user.email})
    link = _link(outbox[0])
    response = client.get(link[:-3] + "abc", follow_redirects=True)
    assert "このリンクは無効か、有効期限が切れています" in response.get_data(as_text=True)


def test_bad_new_password_is_explained(client, make_user, outbox):
    user = make_user()
    client.post("/password/forgot", data={"email": user.email})
    response = client.post(_link(outbox[0]), data={"password": NEW, "password_confirm": "different"})
    assert response.status_code == 422
    assert "パスワード（確認用）が一致しません。" in response.get_data(as_text=True)


def test_reset_requests_are_rate_limited(make_app, make_user):
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    user = make_user()
    # One address gets at most three mails an hour, whoever asks...
    statuses = [client.post("/password/forgot", data={"email": user.email}).status_code for _ in range(4)]
    assert statuses == [302] * 3 + [429]
    # ...and one visitor cannot spray requests across many addresses either (5 per 15 minutes).
    others = [client.post("/password/forgot", data={"email": f"x{i}@example.jp"}).status_code for i in range(2)]
    assert others == [302, 429]


def test_mail_failure_is_not_revealed(make_app, make_user, monkeypatch):
    app = make_app()
    user = make_user()

    def broken(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr("flask_mailman.EmailMessage.send", broken)
    response = app.test_client().post("/password/forgot", data={"email": user.email}, follow_redirects=True)
    assert response.status_code == 200
    assert "このメールアドレスで登録されたアカウントがある場合は" in response.get_data(as_text=True)


def test_reset_links_use_the_public_address_not_the_request_host(make_app, make_user):
    app = make_app(SERVER_NAME=None, PUBLIC_URL="https://participation.city.example.jp")
    user = make_user()
    outbox = app.extensions["mailman"].outbox = []
    app.test_client().post("/password/forgot", data={"email": user.email}, headers={"Host": "evil.example"})
    assert "https://participation.city.example.jp/password/reset/" in outbox[0].body
    assert "evil.example" not in outbox[0].body


def _queue_app(make_app):
    from participation.core import jobs

    from ..core.test_jobs import QUEUE

    app = make_app(JOBS_BACKEND=QUEUE)
    queue = jobs.backend(app)
    if queue.kind == "memory":
        queue.start()  # what a serving process does on its first request
    return app, queue


def test_mail_is_delivered_outside_the_request(make_app, make_user, monkeypatch):
    """The answer does not wait for the mail server, so its speed reveals nothing."""
    import threading

    app, queue = _queue_app(make_app)
    user = make_user()
    release, delivered = threading.Event(), threading.Event()

    def held_send(self, *args, **kwargs):
        release.wait(10)  # the mail server answers only when the test says so
        delivered.set()
        return 1

    monkeypatch.setattr("flask_mailman.EmailMessage.send", held_send)
    try:
        response = app.test_client().post("/password/forgot", data={"email": user.email})
        assert response.status_code == 302
        assert not delivered.is_set()  # answered while the mail was still on its way
        release.set()
        if queue.kind == "database":
            queue.work()  # `flask jobs worker`
        assert delivered.wait(10)
    finally:
        release.set()
        queue.reset()


def test_a_reset_request_does_the_same_work_whether_or_not_the_address_exists(make_app, make_user):
    import threading

    from sqlalchemy import event

    from participation.extensions import db

    app, queue = _queue_app(make_app)
    user = make_user()
    client = app.test_client()
    with app.app_context():
        engine = db.engine

    def statements_for(email):
        seen, request_thread = [], threading.get_ident()

        def before(conn, cursor, statement, *args):
            if threading.get_ident() == request_thread:  # not the worker's, which may run meanwhile
                seen.append(statement.split()[0].upper())

        event.listen(engine, "before_cursor_execute", before)
        try:
            assert client.post("/password/forgot", data={"email": email}).status_code == 302
        finally:
            event.remove(engine, "before_cursor_execute", before)
        return seen

    try:
        statements_for("warm-up@example.jp")
        assert statements_for(user.email) == statements_for("nobody-here@example.jp")
    finally:
        queue.reset()
