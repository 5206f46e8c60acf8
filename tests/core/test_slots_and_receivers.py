"""Slots (core/slots.py) let capabilities add to pages that name none of them; receivers
(core/signals.py) run only in the apps whose capabilities declared them."""

from __future__ import annotations

import re

import pytest
from flask import g
from markupsafe import Markup

from participation.config import DEFAULTS, PROJECT_ROOT
from participation.core import signals, slots
from participation.core.models import Role, User
from participation.core.users import erase_account
from participation.extensions import db

WITH_PROBE = [*DEFAULTS["CAPABILITIES"], "tests.core.probe:capability"]
CORE_ENDPOINT = re.compile(r"url_for\('(\w+)\.")


def _without(*names: str) -> list[str]:
    return [c for c in DEFAULTS["CAPABILITIES"] if c.split(":")[0].rsplit(".", 1)[-1] not in names]


def test_the_layout_and_the_home_page_name_no_capability():
    for name in ("base.html", "core/home.html", "admin/_layout.html", "processes/show.html"):
        template = (PROJECT_ROOT / "templates" / name).read_text()
        endpoints = set(CORE_ENDPOINT.findall(template)) - {"static"}
        assert endpoints <= {"core", "processes"} if name == "processes/show.html" else endpoints <= {"core"}, name


def test_no_template_guards_another_capabilitys_global():
    guards = []
    for path in (PROJECT_ROOT / "templates").rglob("*.html"):
        for found in re.findall(r"\{%-? if (\w+) is defined", path.read_text()):
            guards.append(f"{path.relative_to(PROJECT_ROOT)}: {found}")
    assert guards == []


def test_fillers_render_in_order_and_plain_text_is_escaped(make_app):
    app = make_app()  # its own app: the fills below must not reach other tests
    fills = (
        slots.Fill(lambda **context: f"<b>{context['who']}</b>", order=20),
        slots.Fill(lambda **_context: Markup("<i>first</i>"), order=10),
        slots.Fill(lambda **_context: None, order=30),
    )
    slots.register(app, {"test.place": fills})
    with app.test_request_context():
        assert slots.slot("test.place", who="<script>") == Markup("<i>first</i>&lt;b&gt;&lt;script&gt;&lt;/b&gt;")
        assert slots.slot("nobody.fills.this") == ""


def test_the_header_is_what_it_was(app, client, make_user, login):
    page = client.get("/").get_data(as_text=True)
    header = page[page.index('<div class="header-tools">') : page.index("</header>")]
    assert 'role="search"' in header and 'href="/login"' in header and 'href="/register"' in header
    assert 'href="/login"' in page[page.index('class="hero"') :]  # the home page's call to action
    login(make_user(Role.STAFF, name="職員 花子"))
    page = client.get("/").get_data(as_text=True)
    menu = page[page.index('class="account-nav"') : page.index("</nav>", page.index('class="account-nav"'))]
    order = [menu.index(text) for text in ('href="/admin/"', 'id="notification-bell"', "職員 花子", "ログアウト")]
    assert order == sorted(order) and 'href="/login"' not in menu


@pytest.mark.parametrize(
    ("left_out", "absent"),
    [
        (("search",), ['role="search"']),
        (("accounts",), ['href="/login"', 'href="/register"', 'class="account-nav"']),
        (("admin",), []),
    ],
)
def test_pages_leave_out_what_a_missing_capability_offered(make_app, left_out, absent):
    app = make_app(CAPABILITIES=_without(*left_out))
    page = app.test_client().get("/").get_data(as_text=True)
    for text in absent:
        assert text not in page


def test_the_administration_home_is_the_cores(make_app, make_user):
    staff = make_user(Role.STAFF)
    app = make_app(CAPABILITIES=_without("admin"))
    client = app.test_client()
    client.post("/login", data={"email": staff.email, "password": "correct horse battery"})
    home = client.get("/admin/")
    assert home.status_code == 200 and "管理" in home.get_data(as_text=True)
    assert "メニューから管理する項目を選んでください。" in home.get_data(as_text=True)
    assert 'href="/admin/processes"' in home.get_data(as_text=True)


def test_without_accounts_pages_needing_a_person_refuse(make_app):
    app = make_app(CAPABILITIES=_without("accounts"))
    assert app.test_client().get("/notifications").status_code == 403  # no login page to send them to


def test_receivers_run_only_in_the_apps_that_declare_them(make_app, make_user):
    with_probe, plain = make_app(CAPABILITIES=WITH_PROBE), make_app()
    first, second = make_user(), make_user()
    with plain.test_request_context():
        erase_account(db.session.get(User, first.id))
        assert "probe_deleted" not in g
    with with_probe.test_request_context():
        erase_account(db.session.get(User, second.id))
        assert g.probe_deleted == [second.id]


def test_receivers_must_be_keyed_by_a_core_signal(make_app):
    with pytest.raises(TypeError, match="core signals"):
        signals.register(make_app(), {"account-deleting": print})
