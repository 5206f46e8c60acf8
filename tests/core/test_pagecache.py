"""Whole pages for anonymous readers (core/pagecache.py): stored and served, never personal."""

from __future__ import annotations

import re

import pytest

from participation.core.types import LocalizedText
from participation.extensions import db
from participation.processes import services
from participation.processes.models import Process

from ..conftest import HX, PASSWORD, html_of


@pytest.fixture
def cached(make_app):
    return make_app(PAGE_CACHE=True)


def _state(response) -> str | None:
    return response.headers.get("X-Page-Cache")


def test_off_in_tests_unless_asked(app, client, make_process):
    page = f"/processes/{make_process()}"
    client.get(page)
    assert _state(client.get(page)) is None


def test_an_anonymous_page_is_stored_then_served_with_validators(cached, make_process):
    client = cached.test_client()
    page = f"/processes/{make_process()}"
    first = client.get(page)
    second = client.get(page)
    assert (_state(first), _state(second)) == ("miss", "hit")
    assert html_of(second) == html_of(first) and "駅前広場の再整備" in html_of(second)
    assert second.headers["Cache-Control"] == "public, max-age=30"
    assert {"Cookie", "Accept-Language"} <= set(second.vary)
    assert second.headers["ETag"] == first.headers["ETag"] and second.headers["Last-Modified"]
    # Talisman's security headers are on the stored page too
    assert "Content-Security-Policy" in second.headers
    assert "Set-Cookie" not in second.headers and "csrf_token" not in html_of(second)
    again = client.get(page, headers={"If-None-Match": second.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    since = client.get(page, headers={"If-Modified-Since": second.headers["Last-Modified"]})
    assert since.status_code == 304


def test_each_locale_and_query_has_its_own_page(cached, make_process):
    client = cached.test_client()
    page = f"/processes/{make_process()}"
    assert _state(client.get(page, headers={"Accept-Language": "ja"})) == "miss"
    english = client.get(page, headers={"Accept-Language": "en"})
    assert _state(english) == "miss" and "Station square" in html_of(english)
    assert _state(client.get(page, headers={"Accept-Language": "en"})) == "hit"
    assert _state(client.get(page + "?page=2")) == "miss"
    too_long = page + "?q=" + "x" * 600
    client.get(too_long)
    assert _state(client.get(too_long)) is None  # answered, never stored: keys stay bounded
    assert _state(client.get(page, headers=HX)) is None  # fragments for htmx are not stored


def test_sign_in_and_out_never_share_a_page(cached, make_process, make_user):
    client = cached.test_client()
    page = f"/processes/{make_process()}"
    person = make_user(name="署名者ユニーク")
    anonymous = html_of(client.get(page))
    assert _state(client.get(page)) == "hit"
    client.post("/login", data={"email": person.email, "password": PASSWORD})
    signed_in = client.get(page)
    assert _state(signed_in) is None and signed_in.headers["Cache-Control"] == "private, no-cache"
    assert "署名者ユニーク" in html_of(signed_in) and 'name="csrf_token"' in html_of(signed_in)
    assert _state(client.get(page)) is None  # still signed in: rendered for them again
    client.post("/logout")
    after = client.get(page)  # carries the "logged out" flash: rendered fresh, never stored
    assert _state(after) is None and "ログアウトしました" in html_of(after)
    back = client.get(page)
    assert _state(back) == "hit" and html_of(back) == anonymous
    assert "署名者ユニーク" not in html_of(back) and "ログアウトしました" not in html_of(back)
    # The page the signed-in person saw was not stored for anyone else either.
    assert html_of(cached.test_client().get(page)) == anonymous


def test_a_flash_message_never_comes_from_or_goes_into_the_cache(cached, make_process):
    client = cached.test_client()
    page = f"/processes/{make_process()}"
    client.get(page)
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "一度だけのお知らせ")]
    flashed = client.get(page)
    assert _state(flashed) is None and "一度だけのお知らせ" in html_of(flashed)
    later = client.get(page)
    assert _state(later) == "hit" and "一度だけのお知らせ" not in html_of(later)


def test_a_page_with_a_csrf_token_is_never_stored(make_app, make_process):
    app = make_app(PAGE_CACHE=True, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    for _ in range(2):
        login = client.get("/login")
        assert _state(login) is None and re.search(r'name="csrf_token"[^>]*value="[^"]+"', html_of(login))
        assert login.headers["Cache-Control"] == "private, no-cache"
    # The layout itself asks for no token from anonymous readers: their pages are stored...
    page = f"/processes/{make_process()}"
    client.get(page)
    stored = client.get(page)
    assert _state(stored) == "hit" and "csrf_token" not in html_of(stored)
    # ...and the token-less language switch works for them, but not for a signed-in account.
    switched = client.post("/locale", data={"locale": "en", "next": page})
    assert switched.status_code == 302 and "locale=en" in switched.headers["Set-Cookie"]


def test_the_language_switch_still_needs_a_token_when_signed_in(make_app, make_user):
    app = make_app(PAGE_CACHE=True, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    person = make_user()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html_of(client.get("/login"))).group(1)
    client.post("/login", data={"email": person.email, "password": PASSWORD, "csrf_token": token})
    assert client.post("/locale", data={"locale": "en", "next": "/"}).status_code == 400
    home = html_of(client.get("/"))
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', home).group(1)
    assert client.post("/locale", data={"locale": "en", "next": "/", "csrf_token": token}).status_code == 302


def test_a_committed_write_shows_on_the_next_request(cached, make_process):
    client = cached.test_client()
    process_id = make_process()
    page = f"/processes/{process_id}"
    client.get(page)
    assert _state(client.get(page)) == "hit"
    with cached.app_context():
        process = db.session.get(Process, process_id)
        services.update_process(None, process, title=LocalizedText({"ja": "書き換えた題名"}), summary=process.summary)
    fresh = client.get(page)
    assert _state(fresh) == "miss" and "書き換えた題名" in html_of(fresh)
    # A rolled-back change leaves the stored page in place.
    with cached.app_context():
        db.session.get(Process, process_id).title = LocalizedText({"ja": "取り消される題名"})
        db.session.flush()
        db.session.rollback()
    assert _state(client.get(page)) == "hit"


def test_a_personal_page_is_never_stored(cached):
    client = cached.test_client()
    outbox = cached.extensions["mailman"].outbox
    response = client.post(
        "/rights/new", data={"kind": "disclosure", "details": "個人の請求", "contact_email": "v@example.jp"}
    )
    assert response.status_code == 302
    link = re.search(r"http://localhost(/rights/status/\S+)", outbox[0].body).group(1)
    for _ in range(2):
        status = client.get(link)
        assert "個人の請求" in html_of(status) and _state(status) is None
        assert status.headers["Cache-Control"] == "private, no-cache"
