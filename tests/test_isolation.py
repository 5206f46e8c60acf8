"""The suite's own isolation (tests/isolation.py): what one test leaves is gone for the next."""

import pytest
from sqlalchemy import text

from participation.core.models import ActionLog, User
from participation.extensions import db


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_a_test_leaves_no_rows_files_mail_or_ids(app, _state, make_user, outbox):
    first = make_user()
    with app.app_context():
        db.session.add(ActionLog(action="x.y"))
        db.session.commit()
        from participation.core.mail import send_mail

        send_mail("someone@example.jp", "password_reset", url="http://localhost/x", user=db.session.get(User, first.id))
    (_state.instance / "mail").mkdir(parents=True, exist_ok=True)
    _state.index_dir.parent.mkdir(parents=True, exist_ok=True)
    (_state.index_dir.parent / "leftover").write_text("x")
    assert outbox and _count(app, User) == 1

    _state.end_test()  # what the fixture does after each test
    _state.begin_test()
    assert _count(app, User) == 0 and _count(app, ActionLog) == 0
    assert outbox == [] and list(_state.instance.iterdir()) == [] and list(_state.index_dir.parent.iterdir()) == []
    assert make_user().id == first.id  # ids start again, as in a fresh database


def test_a_statement_it_cannot_place_resets_every_table(app, _state, make_user):
    make_user()
    with app.app_context():
        db.session.execute(text("WITH x AS (SELECT 1) SELECT * FROM x"))  # placed: a read
        assert not _state.unplaced_write
        db.session.execute(text("CREATE TEMPORARY TABLE scratch (n integer)"))
        assert _state.unplaced_write
        db.session.rollback()
    _state.end_test()
    _state.begin_test()
    assert _count(app, User) == 0


def test_changing_the_config_fails_the_test_and_is_undone(make_app, _state):
    app = make_app(PAGE_SIZE=3)
    app.config["PAGE_SIZE"] = 99
    with pytest.raises(AssertionError, match=r"changed app.config \['PAGE_SIZE'\]"):
        _state.end_test()
    _state.begin_test()
    assert make_app(PAGE_SIZE=3).config["PAGE_SIZE"] == 3


def test_apps_are_built_once_per_distinct_settings(make_app):
    assert make_app() is make_app()
    assert make_app(PAGE_SIZE=3) is make_app(PAGE_SIZE=3)
    assert make_app(PAGE_SIZE=3) is not make_app()
