from participation.core.models import ActionLog, District, Organization, Role, User
from participation.extensions import db


def _counts(app):
    with app.app_context():
        return tuple(
            db.session.scalar(db.select(db.func.count()).select_from(m))
            for m in (Organization, District, User, ActionLog)
        )


def test_seed_demo_loads_the_city_and_one_account_per_role(make_app):
    app = make_app(APP_ENV="development")
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    assert "admin@midorigawa.example" in result.output and "demo-admin-2026" in result.output
    with app.app_context():
        roles = set().union(*(u.roles for u in db.session.scalars(db.select(User))))
        assert roles == set(Role)
        assert db.session.scalar(db.select(Organization)).name["en"] == "Midorigawa City"
    first = _counts(app)
    assert app.test_cli_runner().invoke(args=["seed", "demo"]).exit_code == 0
    assert _counts(app) == first  # idempotent


def test_demo_data_is_refused_in_production(make_app):
    app = make_app(
        APP_ENV="production", MAIL_SERVER="smtp.example.jp", JOBS_BACKEND="inline", RATELIMIT_STORAGE_URI="memory://"
    )
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code != 0
    assert "refusing" in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_grant_the_first_administrator(app, make_user):
    user = make_user(email="first@city.example.jp")
    result = app.test_cli_runner().invoke(args=["users", "grant", "first@city.example.jp", "admin"])
    assert result.exit_code == 0 and "granted admin" in result.output
    with app.app_context():
        assert Role.ADMIN in db.session.get(User, user.id).roles
    missing = app.test_cli_runner().invoke(args=["users", "grant", "nobody@example.jp", "admin"])
    assert missing.exit_code != 0 and "no account" in missing.output
