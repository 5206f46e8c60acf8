from sqlalchemy import String, Text, select

from participation.core.action_log import PUBLIC, log_action
from participation.core.models import District, Role, User
from participation.core.types import LocalizedText
from participation.extensions import db

from ..conftest import PASSWORD, html_of


def test_account_page_needs_login(client):
    assert client.get("/account").headers["Location"].startswith("/login?next=/account")


def test_optional_fields_say_what_they_are_for(client, make_user, login):
    login(make_user())
    html = html_of(client.get("/account"))
    assert "お住まいの地区（任意）" in html and "集計に使います" in html
    assert "年代（任意）" in html and "幅広い世代が参加できているか" in html
    assert 'aria-describedby="district_id-hint"' in html


def test_update_profile(app, client, make_user, login):
    with app.app_context():
        db.session.add(District(code="kawabe", name=LocalizedText({"ja": "川辺地区"})))
        db.session.commit()
        district_id = db.session.scalar(select(District.id))
    user = make_user()
    login(user)
    response = client.post(
        "/account/profile",
        data={"display_name": "新しい名前", "locale": "en", "district_id": district_id, "age_group": "30_39"},
    )
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.get(User, user.id)
        assert (saved.display_name, saved.locale, saved.district_id, saved.age_group) == (
            "新しい名前",
            "en",
            district_id,
            "30_39",
        )
    assert '<html lang="en">' in html_of(client.get("/account"))


def test_profile_refuses_values_not_offered(app, client, make_user, login):
    user = make_user()
    login(user)
    response = client.post(
        "/account/profile", data={"display_name": "x", "locale": "fr", "district_id": 999, "age_group": "old"}
    )
    assert response.status_code == 422
    with app.app_context():
        assert db.session.get(User, user.id).locale is None


def test_change_email_needs_the_password_and_a_free_address(app, client, make_user, login):
    make_user(email="taken@example.jp")
    user = make_user()
    login(user)
    wrong = client.post("/account/email", data={"email-email": "new@example.jp", "email-current_password": "wrong"})
    assert wrong.status_code == 422 and "現在のパスワードが正しくありません。" in wrong.get_data(as_text=True)
    taken = client.post(
        "/account/email", data={"email-email": "ＴＡＫＥＮ@example.jp", "email-current_password": PASSWORD}
    )
    assert taken.status_code == 422 and "別のアカウントで使用されています" in taken.get_data(as_text=True)
    ok = client.post("/account/email", data={"email-email": "new@example.jp", "email-current_password": PASSWORD})
    assert ok.status_code == 302
    with app.app_context():
        assert db.session.get(User, user.id).email == "new@example.jp"


def test_delete_account_needs_the_password(app, client, make_user, login):
    user = make_user()
    login(user)
    response = client.post("/account/delete", data={"current_password": "wrong", "confirm": "y"})
    assert response.status_code == 422
    response = client.post("/account/delete", data={"current_password": PASSWORD})
    assert response.status_code == 422 and "チェックを入れてください" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user.id).deleted_at is None


def _rows_containing(value: str) -> list[str]:
    """Every (table, column) whose text contains ``value``, across the whole database."""
    hits = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, (String, Text)) or column.type.__class__.__name__ in (
                "JSON",
                "LocalizedTextType",
            ):
                # cast every kind: a column declared as text may be stored as another type (the
                # PostgreSQL search backend keeps its terms in a tsvector)
                expr = column.cast(Text)
                if db.session.scalar(select(db.func.count()).select_from(table).where(expr.contains(value))):
                    hits.append(f"{table.name}.{column.name}")
    return hits


def test_deleting_the_account_removes_personal_data_and_keeps_contributions(app, client, make_user, login):
    admin = make_user(Role.ADMIN)
    user = make_user(Role.STAFF, email="hanako@example.jp", name="さくら花子", locale="ja", age_group="30_39")
    with app.app_context():
        person = db.session.get(User, user.id)
        log_action(person, "user.registered", person, visibility=PUBLIC)  # stands in for a public contribution
        db.session.commit()
        assert _rows_containing("hanako@example.jp") == ["users.email"]
    login(user)
    response = client.post("/account/delete", data={"current_password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    with app.app_context():
        assert _rows_containing("hanako@example.jp") == []
        assert _rows_containing("さくら花子") == []
        gone = db.session.get(User, user.id)
        assert gone.deleted_at is not None
        assert (gone.email, gone.display_name, gone.password_hash, gone.locale, gone.age_group) == (None,) * 5
        assert gone.roles == frozenset()
        assert gone.public_name == "退会した利用者"  # no request: the default language
        assert db.session.get(User, admin.id).deleted_at is None
    # The session ended, the address can log in no more, and the public record shows the anonymous name.
    assert client.get("/account").status_code == 302
    assert client.post("/login", data={"email": "hanako@example.jp", "password": PASSWORD}).status_code == 422
    assert "退会した利用者" in html_of(client.get("/activity"))


def test_the_address_of_a_deleted_account_can_register_again(client, make_user, login):
    user = make_user(email="again@example.jp")
    login(user)
    client.post("/account/delete", data={"current_password": PASSWORD, "confirm": "y"})
    data = {
        "display_name": "x",
        "email": "again@example.jp",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
        "accept_terms": "y",
    }
    assert client.post("/register", data=data).status_code == 302


def test_the_only_administrator_cannot_delete_their_account(app, client, make_user, login):
    admin = make_user(Role.ADMIN)
    login(admin)
    response = client.post("/account/delete", data={"current_password": PASSWORD, "confirm": "y"})
    assert response.status_code == 422
    assert "システム管理者はあなた一人です" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, admin.id).deleted_at is None


def test_account_page_forms_have_distinct_field_ids(client, make_user, login):
    import re

    login(make_user())
    html = html_of(client.get("/account"))
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
