import pytest

from participation.core.action_log import PUBLIC, RESTRICTED, log_action
from participation.core.models import ActionLog, Role, User
from participation.extensions import db

from ..conftest import html_of


def test_entries_are_append_only(app, make_user):
    user = make_user()
    with app.app_context():
        entry = log_action(db.session.get(User, user.id), "user.registered", db.session.get(User, user.id))
        db.session.commit()
        entry.action = "something.else"
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.commit()
        db.session.rollback()
        db.session.delete(db.session.get(ActionLog, entry.id))
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.commit()


def test_visibility_must_be_known(app):
    with app.app_context(), pytest.raises(ValueError):
        log_action(None, "x", visibility="secret")


def test_public_feed_shows_only_public_entries(app, client, make_user):
    user = make_user(name="公開太郎")
    with app.app_context():
        actor = db.session.get(User, user.id)
        log_action(actor, "user.registered", actor, visibility=PUBLIC)
        log_action(actor, "user.role_granted", actor, visibility=RESTRICTED, data={"role": "staff"})
        db.session.commit()
    html = html_of(client.get("/activity"))
    assert "公開太郎" in html and "アカウントを登録しました" in html
    assert "役割を付与しました" not in html


def test_restricted_log_is_for_administrators_and_auditors(app, client, make_user, login):
    admin = make_user(Role.ADMIN)
    staff = make_user(Role.STAFF, name="職員")
    with app.app_context():
        log_action(
            db.session.get(User, admin.id), "user.role_granted", db.session.get(User, staff.id), data={"role": "staff"}
        )
        db.session.commit()
    auditor = make_user(Role.AUDITOR)
    login(auditor)
    html = html_of(client.get("/admin/log"))
    assert "「市職員」の役割を付与しました" in html
    assert "職員" in html


def test_log_page_query_count_does_not_grow_with_entries(app, client, make_user, login, count_queries):
    admin = make_user(Role.ADMIN)
    login(admin)

    def add_entries(n):
        with app.app_context():
            actor = db.session.get(User, admin.id)
            for i in range(n):
                person = User(email=f"p{i}-{n}@example.jp", display_name=f"p{i}")
                db.session.add(person)
                db.session.flush()
                log_action(actor, "user.role_granted", person, data={"role": "staff"})
            db.session.commit()

    add_entries(2)
    with count_queries() as few:
        assert client.get("/admin/log").status_code == 200
    add_entries(30)
    with count_queries() as many:
        assert client.get("/admin/log").status_code == 200
    assert few.n == many.n


def test_unknown_action_is_shown_by_its_key(app, client, make_user, login):
    admin = make_user(Role.ADMIN)
    with app.app_context():
        log_action(None, "legacy.thing")
        db.session.commit()
    login(admin)
    assert "legacy.thing" in html_of(client.get("/admin/log"))
