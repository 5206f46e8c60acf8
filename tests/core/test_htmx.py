import re

from participation.core.action_log import PUBLIC, log_action
from participation.core.models import User
from participation.extensions import db

from ..conftest import HX, PASSWORD, html_of


def _add_public_entries(app, make_user, n):
    user = make_user()
    with app.app_context():
        actor = db.session.get(User, user.id)
        for _ in range(n):
            log_action(actor, "user.registered", actor, visibility=PUBLIC)
        db.session.commit()


def test_same_url_full_page_or_fragment(app, client, make_user):
    _add_public_entries(app, make_user, 45)
    full = client.get("/activity?page=2")
    fragment = client.get("/activity?page=2", headers=HX)
    assert "<html" in full.get_data(as_text=True)
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and body.lstrip().startswith('<div id="activity-list">')
    assert "HX-Request" in full.headers["Vary"] and "HX-Request" in fragment.headers["Vary"]
    # Paging links work as plain links and as htmx requests.
    assert 'href="/activity?page=3"' in body and 'hx-get="/activity?page=3"' in body


def test_boosted_and_history_requests_get_the_full_page(client):
    assert "<html" in html_of(client.get("/activity", headers={**HX, "HX-Boosted": "true"}))
    history = {**HX, "HX-History-Restore-Request": "true"}
    assert "<html" in html_of(client.get("/activity", headers=history))


def _signed_in(app, make_user):
    # The language switch checks the token of signed-in readers (for others it only sets a cookie).
    client = app.test_client()
    person = make_user()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html_of(client.get("/login"))).group(1)
    client.post("/login", data={"email": person.email, "password": PASSWORD, "csrf_token": token})
    return client


def test_csrf_is_required_and_accepted_from_the_htmx_header(make_app, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = _signed_in(app, make_user)
    refused = client.post("/locale", data={"locale": "en"})
    assert refused.status_code == 400
    assert "送信を受け付けられませんでした" in refused.get_data(as_text=True)
    html = html_of(client.get("/"))
    token = html.split('"X-CSRFToken": "', 1)[1].split('"', 1)[0]
    accepted = client.post("/locale", data={"locale": "en", "next": "/"}, headers={**HX, "X-CSRFToken": token})
    assert accepted.status_code == 302
    # A plain form post carries the token as a field.
    assert client.post("/locale", data={"locale": "ja", "csrf_token": token}).status_code == 302


def test_errors_in_htmx_requests_go_to_the_status_region(make_app, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    response = _signed_in(app, make_user).post("/locale", data={"locale": "en"}, headers=HX)
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#flash"
    assert response.get_data(as_text=True).startswith('<p class="flash flash--error">')


def test_page_numbers_from_the_address_are_never_trusted(client):
    for page in ("99999999999999999999999", "-5", "0", "abc", "1e9", "２"):
        response = client.get(f"/activity?page={page}")
        assert response.status_code == 200, page
