"""When the database cannot be reached: a clean 503 page in the reader's language, and the same app
answers again as soon as the database is back (no restart)."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from participation import create_app
from participation.extensions import db

from ..conftest import BASE_CONFIG

UNREACHABLE = "postgresql://nobody@127.0.0.1:1/none"  # nothing listens on port 1


@pytest.fixture
def down_app(tmp_path):
    # Built here rather than by make_app, whose clean-up would try to empty this database.
    app = create_app({**BASE_CONFIG, "DATABASE_URL": UNREACHABLE, "SERVER_NAME": None}, instance_path=str(tmp_path))
    yield app
    with app.app_context():
        db.engine.dispose()


def test_pages_answer_503_in_japanese_when_the_database_is_down(down_app):
    response = down_app.test_client().get("/")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    page = response.get_data(as_text=True)
    assert '<html lang="ja">' in page
    assert "一時的にご利用いただけません" in page and "データベースに接続できない" in page
    assert 'href="/"' in page  # "try again" reloads the same address


def test_the_503_page_speaks_the_readers_language(down_app):
    client = down_app.test_client()
    english = client.get("/proposals/1", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Temporarily unavailable" in english and '<html lang="en">' in english
    client.set_cookie("locale", "en")
    assert "Temporarily unavailable" in client.get("/").get_data(as_text=True)


def test_a_post_and_an_htmx_request_get_a_503_too(down_app):
    client = down_app.test_client()
    posted = client.post("/login", data={"email": "a@example.jp", "password": "x"})
    assert posted.status_code == 503
    fragment = client.get("/", headers={"HX-Request": "true"})
    assert fragment.status_code == 503
    assert fragment.headers["HX-Retarget"] == "#flash"
    assert "データベースに接続できない" in fragment.get_data(as_text=True)
    assert "<html" not in fragment.get_data(as_text=True)


def test_the_same_app_recovers_once_the_database_is_back(app, client, make_user, login):
    login(make_user())  # the page must not need the signed-in account either
    assert client.get("/").status_code == 200
    with app.app_context():
        engine = db.engine
    state = {"down": True}

    def refuse(dialect, conn_rec, cargs, cparams):
        if state["down"]:
            raise dialect.loaded_dbapi.OperationalError("the server is restarting")

    event.listen(engine, "do_connect", refuse)
    try:
        engine.dispose()  # what a restart does to every pooled connection
        down = client.get("/")
        assert down.status_code == 503 and "一時的にご利用いただけません" in down.get_data(as_text=True)
        fragment = client.get("/", headers={"HX-Request": "true"})
        assert fragment.status_code == 503 and "データベースに接続できない" in fragment.get_data(as_text=True)
        state["down"] = False
        assert client.get("/").status_code == 200
    finally:
        event.remove(engine, "do_connect", refuse)
