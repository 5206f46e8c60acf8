import threading

import pytest

from participation.core.models import ActionLog, Role, User
from participation.extensions import db

from ..conftest import ON_POSTGRES, html_of

GOOD = {
    "display_name": "さくら 花子",
    "email": "Hanako@Example.jp",
    "password": "kawabe no sakura 2026",
    "password_confirm": "kawabe no sakura 2026",
    "accept_terms": "y",
}


def _users(app):
    with app.app_context():
        return db.session.scalars(db.select(User)).all()


def test_register_with_three_fields_and_the_terms(app, client):
    response = client.post("/register", data=GOOD)
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(db.select(User))
        assert user.email == "hanako@example.jp"  # addresses are compared without case
        assert user.display_name == "さくら 花子"
        assert user.roles == {Role.RESIDENT}
        assert user.terms_version and user.terms_accepted_at
        assert user.check_password(GOOD["password"]) and GOOD["password"] not in user.password_hash
        assert user.locale == "ja"
        assert db.session.scalar(db.select(ActionLog.action)) == "user.registered"
    # Registered people are logged in straight away.
    assert "ようこそ" in html_of(client.get("/"))


def test_the_form_explains_the_terms(client):
    html = html_of(client.get("/register"))
    assert "虚偽の情報の登録、不正アクセス、サイトの不正な利用を禁止しています" in html
    assert 'href="/terms"' in html
    for name in ("display_name", "email", "password", "password_confirm", "accept_terms"):
        assert f'for="{name}"' in html  # every field is labelled


BAD = [
    ({"display_name": ""}, "表示名を入力してください。"),
    ({"display_name": "あ" * 51}, "表示名は50文字以内で入力してください。"),
    ({"display_name": "名前\u0007"}, "目に見えない特殊な文字"),
    ({"display_name": "名前\n改行"}, "改行"),
    ({"display_name": "\u200b"}, "目に見えない特殊な文字"),
    ({"email": ""}, "メールアドレスを入力してください。"),
    ({"email": "not-an-address"}, "name@example.jp のような形式"),
    ({"email": "a@" + "b" * 250 + ".jp"}, "254文字以内"),
    ({"password": "short", "password_confirm": "short"}, "8文字以上128文字以内"),
    ({"password": "x" * 129, "password_confirm": "x" * 129}, "8文字以上128文字以内"),
    ({"password": "password", "password_confirm": "password"}, "推測されやすいパスワード"),
    ({"password_confirm": "something else"}, "パスワード（確認用）が一致しません。"),
    ({"accept_terms": ""}, "利用規約への同意が必要です。"),
]


@pytest.mark.parametrize(("change", "message"), BAD)
def test_bad_input_is_explained_and_nothing_is_created(app, client, change, message):
    response = client.post("/register", data={**GOOD, **change})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert 'class="error-summary"' in html
    assert 'aria-invalid="true"' in html or "accept_terms" in change
    assert _users(app) == []


def test_bad_input_in_english(app, client):
    client.post("/locale", data={"locale": "en"})
    html = client.post("/register", data={**GOOD, "password_confirm": "nope"}).get_data(as_text=True)
    assert "The two passwords do not match." in html


def test_duplicate_address_is_refused_whatever_its_case(app, client, make_user):
    make_user(email="hanako@example.jp")
    response = client.post("/register", data=GOOD)
    assert response.status_code == 422
    assert "このメールアドレスのアカウントは既に登録されています" in response.get_data(as_text=True)
    assert len(_users(app)) == 1


def test_missing_fields_entirely_is_not_an_error_page(client):
    response = client.post("/register", data={})
    assert response.status_code == 422


def test_simultaneous_registrations_with_one_address_make_one_account(app):
    """Two people submitting the same address at the same moment: one account, one clear refusal."""
    results = []
    barrier = threading.Barrier(4)

    def attempt(i):
        client = app.test_client()
        barrier.wait()
        results.append(client.post("/register", data={**GOOD, "display_name": f"person {i}"}).status_code)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [302, 422, 422, 422]
    assert len(_users(app)) == 1


def test_backend_is_what_the_run_says(app):
    with app.app_context():
        assert db.engine.dialect.name == ("postgresql" if ON_POSTGRES else "sqlite")
