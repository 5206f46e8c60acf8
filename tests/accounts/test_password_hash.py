"""Passwords are hashed with scrypt unless a deployment chooses otherwise; the test suite's cheap
hash is a setting of the tests only."""

from participation.config import DEFAULTS
from participation.core.models import User
from participation.extensions import db

from ..conftest import BASE_CONFIG

FORM = {
    "display_name": "さくら 花子",
    "email": "hanako@example.jp",
    "password": "a long enough passphrase",
    "password_confirm": "a long enough passphrase",
    "accept_terms": "y",
}


def _hash_of(app, email: str) -> str:
    with app.app_context():
        return db.session.scalar(db.select(User.password_hash).where(User.email == email))


def test_the_default_is_scrypt_and_only_the_tests_change_it():
    assert DEFAULTS["PASSWORD_HASH_METHOD"] == "scrypt"
    assert BASE_CONFIG["PASSWORD_HASH_METHOD"] != DEFAULTS["PASSWORD_HASH_METHOD"]


def test_an_app_with_the_default_setting_stores_scrypt_hashes(make_app):
    app = make_app(PASSWORD_HASH_METHOD=DEFAULTS["PASSWORD_HASH_METHOD"])
    response = app.test_client().post("/register", data=FORM)
    assert response.status_code == 302
    stored = _hash_of(app, FORM["email"])
    # werkzeug's scrypt parameters: N=2^15, r=8, p=1
    assert stored.startswith("scrypt:32768:8:1$")


def test_accounts_hashed_another_way_still_log_in(make_app, make_user):
    """Changing the setting never locks anyone out: a hash names its own method."""
    user = make_user(password="cheaply hashed once")
    assert _hash_of(make_app(), user.email).startswith("pbkdf2:sha256:1$")
    strong = make_app(PASSWORD_HASH_METHOD=DEFAULTS["PASSWORD_HASH_METHOD"])
    response = strong.test_client().post("/login", data={"email": user.email, "password": "cheaply hashed once"})
    assert response.status_code == 302
    wrong = strong.test_client().post("/login", data={"email": user.email, "password": "not it"})
    assert wrong.status_code == 422
