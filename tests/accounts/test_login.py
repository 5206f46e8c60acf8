import re

from participation.core.models import User
from participation.extensions import db

from ..conftest import PASSWORD, html_of


def test_log_in_and_out(client, make_user):
    user = make_user(name="川辺 太郎")
    response = client.post("/login", data={"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    html = html_of(client.get("/"))
    assert "川辺 太郎" in html and "ログアウト" in html
    assert client.post("/logout").status_code == 302
    assert "川辺 太郎" not in html_of(client.get("/"))


def test_logout_needs_a_post(client):
    assert client.get("/logout").status_code == 405


def test_wrong_password_and_unknown_address_look_the_same(client, make_user):
    user = make_user()
    wrong = client.post("/login", data={"email": user.email, "password": "not the password"})
    unknown = client.post("/login", data={"email": "nobody@example.jp", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 422
    message = "メールアドレスまたはパスワードが正しくありません。"
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)

    # The pages differ only in the address typed in (and the per-request CSRF token).
    def normalise(response, address):
        html = response.get_data(as_text=True).replace(address, "ADDRESS")
        return re.sub(r'(csrf_token" value=|"X-CSRFToken": )"[^"]*"', "TOKEN", html)

    assert normalise(wrong, user.email) == normalise(unknown, "nobody@example.jp")


def test_next_page_after_login_stays_on_site(client, make_user):
    user = make_user()
    good = client.post("/login?next=/account", data={"email": user.email, "password": PASSWORD})
    assert good.headers["Location"] == "/account"
    client.post("/logout")
    evil = client.post("/login?next=https://evil.example/", data={"email": user.email, "password": PASSWORD})
    assert evil.headers["Location"] == "/"


def test_login_is_rate_limited(make_app, make_user):
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    user = make_user()
    statuses = [client.post("/login", data={"email": user.email, "password": "wrong"}).status_code for _ in range(11)]
    assert statuses[:10] == [422] * 10
    assert statuses[10] == 429
    assert "短時間に繰り返し操作が行われました" in client.post(
        "/login", data={"email": user.email, "password": PASSWORD}
    ).get_data(as_text=True)


def test_login_attempts_on_one_account_are_limited_across_addresses(make_app, make_user):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="1000 per minute", RATELIMIT_LOGIN_PER_ACCOUNT="3 per hour")
    user = make_user()
    statuses = []
    for i in range(4):
        client = app.test_client()
        statuses.append(
            client.post(
                "/login", data={"email": user.email, "password": "wrong"}, environ_base={"REMOTE_ADDR": f"10.0.0.{i}"}
            ).status_code
        )
    assert statuses == [422, 422, 422, 429]


def test_changing_the_password_ends_other_sessions(app, make_user):
    user = make_user()
    phone, laptop = app.test_client(), app.test_client()
    for client in (phone, laptop):
        client.post("/login", data={"email": user.email, "password": PASSWORD})
    response = laptop.post(
        "/account/password",
        data={
            "password-current_password": PASSWORD,
            "password-password": "a brand new passphrase",
            "password-password_confirm": "a brand new passphrase",
        },
    )
    assert response.status_code == 302
    assert laptop.get("/account").status_code == 200
    assert phone.get("/account").status_code == 302  # sent to log in again
    with app.app_context():
        assert db.session.get(User, user.id).check_password("a brand new passphrase")


def test_failed_attempts_cannot_lock_the_owner_out(make_app, make_user):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="1000 per minute", RATELIMIT_LOGIN_PER_ACCOUNT="3 per hour")
    user = make_user()
    owner = app.test_client()
    for _ in range(5):  # successful logins do not count
        assert owner.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
        owner.post("/logout")


def test_current_password_checks_on_the_account_pages_are_limited(make_app, make_user):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN_PER_ACCOUNT="3 per hour")
    user = make_user()
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    data = {"current_password": "guess", "confirm": "y"}
    assert [client.post("/account/delete", data=data).status_code for _ in range(4)] == [422, 422, 422, 429]
