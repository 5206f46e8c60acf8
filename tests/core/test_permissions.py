import pytest
from flask import render_template_string

from participation.core.models import Role, User
from participation.core.permissions import all_of, any_of, can, has_role, signed_in
from participation.extensions import db


def test_rules_follow_roles(app, make_user):
    admin, auditor, resident = make_user(Role.ADMIN), make_user(Role.AUDITOR), make_user()
    with app.test_request_context():
        assert can("roles.manage", user=admin)
        assert not can("roles.manage", user=auditor)
        assert can("log.read_restricted", user=auditor)
        assert not can("log.read_restricted", user=resident)
        assert not can("admin.access", user=resident)


def test_anonymous_visitors_get_no_permission(app):
    with app.test_request_context():
        assert not can("admin.access")
        assert not can("log.read_restricted")


def test_unknown_permission_is_a_programming_error(app):
    with app.test_request_context(), pytest.raises(LookupError):
        can("no.such.permission")


def test_rule_building_blocks(app, make_user):
    staff = make_user(Role.STAFF)
    rule = all_of(signed_in, any_of(has_role(Role.ADMIN), has_role(Role.STAFF)))
    assert rule(staff, None)
    assert not rule(None, None)


def test_templates_ask_the_same_rules(app, make_user):
    auditor = make_user(Role.AUDITOR)
    with app.test_request_context(), app.app_context():
        user = db.session.get(User, auditor.id)
        html = render_template_string(
            "{{ can('log.read_restricted', user=u) }} {{ can('roles.manage', user=u) }}", u=user
        )
    assert html == "True False"


def test_protected_page_sends_anonymous_visitors_to_log_in(client):
    response = client.get("/admin/log")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/admin/log")


def test_protected_page_refuses_signed_in_users_without_the_role(client, make_user, login):
    login(make_user())
    response = client.get("/admin/log")
    assert response.status_code == 403
    assert "アクセスする権限がありません" in response.get_data(as_text=True)


def test_login_redirect_for_htmx_requests_is_a_full_page_redirect(client):
    response = client.get("/admin/log", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["HX-Redirect"].startswith("/login?next=/admin/log")
