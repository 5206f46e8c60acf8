from participation.core.models import ActionLog, Role, User
from participation.extensions import db

from ..conftest import html_of


def _grant(client, user_id, role, change="grant"):
    return client.post(f"/admin/users/{user_id}/roles", data={"role": role, "change": change})


def test_administrator_grants_and_removes_roles_and_each_is_logged(app, client, make_user, login):
    admin = make_user(Role.ADMIN)
    person = make_user(name="田中")
    login(admin)
    response = _grant(client, person.id, "staff")
    assert response.status_code == 302
    assert "田中さんに「市職員」の役割を付与しました。" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    _grant(client, person.id, "moderator")
    _grant(client, person.id, "staff", "revoke")
    with app.app_context():
        assert db.session.get(User, person.id).roles == {Role.RESIDENT, Role.MODERATOR}
        entries = db.session.execute(
            db.select(ActionLog.action, ActionLog.actor_id, ActionLog.resource_id, ActionLog.data, ActionLog.visibility)
            .where(ActionLog.action.like("user.role_%"))
            .order_by(ActionLog.id)
        ).all()
    assert [(e.action, e.data["role"]) for e in entries] == [
        ("user.role_granted", "staff"),
        ("user.role_granted", "moderator"),
        ("user.role_revoked", "staff"),
    ]
    assert {(e.actor_id, e.resource_id, e.visibility) for e in entries} == {(admin.id, person.id, "restricted")}


def test_every_role_can_be_granted(app, client, make_user, login):
    admin = make_user(Role.ADMIN)
    person = make_user()
    login(admin)
    for role in Role:
        _grant(client, person.id, role.value)
    with app.app_context():
        assert db.session.get(User, person.id).roles == set(Role)


def test_granting_twice_changes_nothing(app, client, make_user, login):
    admin = make_user(Role.ADMIN)
    person = make_user(Role.STAFF)
    login(admin)
    response = _grant(client, person.id, "staff")
    assert "すでに「市職員」の役割があります" in html_of(client.get(response.headers["Location"]))
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ActionLog.id))) == 1  # only the page view


def test_the_last_administrator_stays(app, client, make_user, login):
    admin = make_user(Role.ADMIN)
    login(admin)
    response = _grant(client, admin.id, "admin", "revoke")
    assert "最後のシステム管理者の役割は解除できません" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    with app.app_context():
        assert Role.ADMIN in db.session.get(User, admin.id).roles


def test_unknown_role_or_user_changes_nothing(app, client, make_user, login):
    admin = make_user(Role.ADMIN)
    person = make_user()
    login(admin)
    response = _grant(client, person.id, "overlord")
    assert response.status_code == 302
    assert "役割を変更できませんでした" in html_of(client.get(response.headers["Location"]))
    assert _grant(client, 99999, "staff").status_code == 404
    with app.app_context():
        assert db.session.get(User, person.id).roles == {Role.RESIDENT}


def test_only_administrators_manage_roles(app, client, make_user, login):
    person = make_user()
    assert _grant(client, person.id, "admin").headers["Location"].startswith("/login")
    for role in (Role.RESIDENT, Role.STAFF, Role.MODERATOR, Role.AUDITOR, Role.LAB_MEMBER):
        other = app.test_client()
        actor = make_user(role)
        other.post("/login", data={"email": actor.email, "password": "correct horse battery"})
        assert (
            other.post(f"/admin/users/{person.id}/roles", data={"role": "admin", "change": "grant"}).status_code == 403
        )
    with app.app_context():
        assert db.session.get(User, person.id).roles == {Role.RESIDENT}


def test_people_list_search_and_paging(client, make_user, login):
    admin = make_user(Role.ADMIN)
    for i in range(25):
        make_user(name=f"住民{i:02d}")
    make_user(Role.STAFF, name="職員 山田", email="yamada@city.example.jp")
    login(admin)
    html = html_of(client.get("/admin/users?q=山田"))
    assert "yamada@city.example.jp" in html and "住民01" not in html
    html = html_of(client.get("/admin/users?role=staff"))
    assert "職員 山田" in html and "住民" not in html
    fragment = html_of(client.get("/admin/users?page=2", headers={"HX-Request": "true"}))
    assert fragment.lstrip().startswith('<div id="users-table"')
    assert "該当件数：27件" in fragment
    # LIKE wildcards in the query are searched for literally.
    assert "No accounts match." in html_of(client.get("/admin/users?q=%25", headers={"Accept-Language": "en"}))
    make_user(name="満足度100%の会", email="percent@example.jp")
    html = html_of(client.get("/admin/users?q=0%25"))
    assert "percent@example.jp" in html and "yamada@city.example.jp" not in html and "該当件数：1件" in html


def test_viewing_someones_personal_data_is_logged(app, client, make_user, login):
    admin = make_user(Role.ADMIN)
    person = make_user()
    login(admin)
    assert client.get(f"/admin/users/{person.id}").status_code == 200
    with app.app_context():
        entry = db.session.scalar(db.select(ActionLog).where(ActionLog.action == "user.personal_data_viewed"))
        assert (entry.actor_id, entry.resource_id, entry.visibility) == (admin.id, person.id, "restricted")


def test_auditors_read_the_log_but_not_the_people_list(app, client, make_user, login):
    admin, auditor, person = make_user(Role.ADMIN), make_user(Role.AUDITOR), make_user(name="田中")
    login(admin)
    assert _grant(client, person.id, "staff").status_code == 302
    client.post("/logout")
    login(auditor)
    assert 'href="/admin/log"' in html_of(client.get("/admin/"))
    log = html_of(client.get("/admin/log"))
    assert "「市職員」の役割を付与しました" in log and "田中" in log  # the restricted entry of the grant
    assert client.get("/admin/users").status_code == 403
    assert client.get(f"/admin/users/{person.id}").status_code == 403
    assert client.get("/admin/site").status_code == 403
    assert _grant(client, person.id, "moderator").status_code == 403
    with app.app_context():
        assert db.session.get(User, person.id).roles == {Role.RESIDENT, Role.STAFF}


def test_site_settings(app, client, make_user, login):
    login(make_user(Role.ADMIN))
    response = client.post(
        "/admin/site",
        data={
            "name-ja": "みどり川市",
            "name-en": "Midorigawa City",
            "description-ja": "紹介",
            "contact_email": "a@b.jp",
        },
    )
    assert response.status_code == 302
    assert "みどり川市" in html_of(client.get("/"))
    assert "Midorigawa City" in html_of(client.get("/", headers={"Accept-Language": "en"}))
    bad = client.post("/admin/site", data={"name-ja": "", "name-en": "", "contact_email": "nope"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "いずれかの言語で入力してください。" in html and "name@example.jp のような形式" in html


def test_huge_or_unknown_ids_are_not_found_and_outsiders_learn_nothing(client, make_user, login):
    assert client.post("/admin/users/99999999999999999999/roles", data={"role": "staff"}).status_code == 404
    assert client.post("/admin/users/5/roles", data={"role": "staff"}).headers["Location"].startswith("/login")
    login(make_user(Role.ADMIN))
    assert client.get("/admin/users/99999999999999999999").status_code == 404


def test_invisible_characters_in_filters_are_dropped(client, make_user, login):
    admin = make_user(Role.ADMIN)
    hanako = make_user(name="川辺 花子", email="hanako@example.jp")
    make_user(name="山田 一郎", email="ichiro@example.jp")
    login(admin)
    _grant(client, hanako.id, "staff")
    _grant(client, hanako.id, "staff", "revoke")
    # Control and format characters typed or pasted into a filter are removed before it applies.
    people = html_of(client.get("/admin/users?q=hana%00%1b%E2%80%8Bko"))
    assert "川辺 花子" in people and "山田 一郎" not in people and 'value="hanako"' in people
    everyone = html_of(client.get("/admin/users?q=%00%1b"))  # only invisible characters: no filter
    assert "川辺 花子" in everyone and "山田 一郎" in everyone
    log = html_of(client.get("/admin/log?action=user.%00role_granted"))
    assert '<option value="user.role_granted" selected>' in log
    assert "「市職員」の役割を付与しました" in log and "「市職員」の役割を解除しました" not in log
