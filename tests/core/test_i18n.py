from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask import render_template_string

from participation.config import PROJECT_ROOT
from participation.core.models import Organization
from participation.core.types import LocalizedText
from participation.extensions import db

from ..conftest import html_of

LOCALES = ["ja", "en"]


def _source_messages() -> set[str]:
    """Every msgid in the code and templates, extracted as `flask i18n extract` does."""
    method_map = [("participation/**.py", "python"), ("templates/**.html", "jinja2"), ("templates/**.txt", "jinja2")]
    options = {"templates/**.html": {"trimmed": "true"}, "templates/**.txt": {"trimmed": "true"}}
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(PROJECT_ROOT),
        method_map,
        options_map=options,
        keywords={
            "_": None,
            "_l": None,
            "gettext": None,
            "lazy_gettext": None,
            "ngettext": (1, 2),
            "pgettext": ((1, "c"), 2),
        },
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_is_complete_and_reviewed(locale):
    path = Path(PROJECT_ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po")
    with path.open("rb") as f:
        catalog = read_po(f, locale=locale)
    untranslated, fuzzy = [], []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            untranslated.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert untranslated == [], f"untranslated in {locale}: {untranslated[:10]}"
    assert fuzzy == [], f"fuzzy in {locale}: {fuzzy[:10]}"
    errors = [(m.id, [str(e) for e in errs]) for m, errs in catalog.check()]
    assert errors == [], f"placeholder mismatches in {locale}: {errors[:5]}"
    ids = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog if m.id}
    missing = _source_messages() - ids
    assert missing == set(), f"run `flask i18n extract` and translate: {sorted(missing)[:10]}"


def test_default_language_is_japanese(client):
    html = html_of(client.get("/"))
    assert '<html lang="ja">' in html
    assert "本文へ移動" in html


def test_browser_language_is_used_without_a_choice(client):
    html = html_of(client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"}))
    assert '<html lang="en">' in html
    assert "Skip to main content" in html
    html = html_of(client.get("/", headers={"Accept-Language": "fr,de;q=0.8"}))
    assert '<html lang="ja">' in html


def test_switching_language_sets_a_cookie_that_beats_the_browser(client):
    response = client.post("/locale", data={"locale": "en", "next": "/terms"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/terms"
    assert "locale=en" in response.headers["Set-Cookie"]
    html = html_of(client.get("/", headers={"Accept-Language": "ja"}))
    assert '<html lang="en">' in html


def test_switching_to_an_unknown_language_changes_nothing(client):
    response = client.post("/locale", data={"locale": "xx", "next": "/terms"})
    assert response.status_code == 302
    assert "Set-Cookie" not in response.headers or "locale=" not in response.headers["Set-Cookie"]


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_language_switch_never_redirects_off_site(client, target):
    response = client.post("/locale", data={"locale": "en", "next": target})
    assert response.headers["Location"] == "/"


def test_account_setting_beats_the_cookie(client, make_user, login, app):
    user = make_user(locale="en")
    login(user)
    client.set_cookie("locale", "ja", domain="localhost")
    assert '<html lang="en">' in html_of(client.get("/"))
    # Switching while logged in stores the choice on the account.
    client.post("/locale", data={"locale": "ja", "next": "/"})
    with app.app_context():
        from participation.core.models import User

        assert db.session.get(User, user.id).locale == "ja"


def test_every_page_states_its_language(client):
    for path in ("/", "/login", "/register", "/terms", "/activity", "/password/forgot", "/does-not-exist"):
        html = html_of(client.get(path, headers={"Accept-Language": "en"}), 404 if path == "/does-not-exist" else 200)
        assert '<html lang="en">' in html, path


def test_terms_exist_in_every_language(client):
    for locale in LOCALES:
        assert (PROJECT_ROOT / "templates" / "core" / "terms" / f"{locale}.html").exists()
    assert "利用規約" in html_of(client.get("/terms"))
    english = html_of(client.get("/terms", headers={"Accept-Language": "en"}))
    assert "Terms of use" in english and "register false information" in english


def test_times_are_shown_in_tokyo_time(app):
    moment = datetime(2026, 1, 1, 15, 30, tzinfo=UTC)
    with app.test_request_context(headers={"Accept-Language": "ja"}):
        assert render_template_string("{{ t | datetime('short') }}", t=moment) == "2026/01/02 0:30"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert render_template_string("{{ t | datetime('short') }}", t=moment) == "1/2/26, 12:30\u202fAM"


def test_time_zone_is_configurable(make_app):
    app = make_app(TIMEZONE="UTC")
    with app.test_request_context():
        html = render_template_string("{{ t | datetime('short') }}", t=datetime(2026, 1, 1, 15, 30, tzinfo=UTC))
    assert html == "2026/01/01 15:30"


def test_numbers_follow_the_locale(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert render_template_string("{{ 1234567 | number }}") == "1,234,567"


def test_content_falls_back_to_the_original_language_with_a_mark(app, client):
    with app.app_context():
        db.session.add(
            Organization(name=LocalizedText({"ja": "みどり川市"}), description=LocalizedText({"ja": "説明文です。"}))
        )
        db.session.commit()
    html = html_of(client.get("/", headers={"Accept-Language": "en"}))
    assert '<div lang="ja">' in html
    assert "(shown in the original language: 日本語)" in html
    japanese = html_of(client.get("/"))
    assert "original language" not in japanese and "原文" not in japanese


def test_localized_text_keeps_the_original():
    text = LocalizedText({"ja": " 公園 ", "en": ""}, original="en")
    assert dict(text) == {"ja": "公園"}
    assert text.original == "ja"  # English was empty, so Japanese is the original
    assert text.resolve("en") == ("公園", "ja")
    assert LocalizedText.from_json(text.to_json()) == text
