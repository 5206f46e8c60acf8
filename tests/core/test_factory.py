import pytest

from participation import create_app
from participation.config import ConfigError, normalise_database_url

from ..conftest import html_of


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("SECRET_KEY", "DATABASE_URL", "MAIL_SERVER", "APP_ENV", "PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)


def test_production_refuses_to_start_without_a_secret(clean_env, tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"APP_ENV": "production", "MAIL_SERVER": "smtp.example.jp"}, instance_path=str(tmp_path))


def test_production_refuses_to_start_without_mail(clean_env, tmp_path):
    with pytest.raises(ConfigError, match="MAIL_SERVER"):
        create_app(
            {"APP_ENV": "production", "SECRET_KEY": "s" * 32, "PUBLIC_URL": "https://city.example.jp"},
            instance_path=str(tmp_path),
        )


def test_production_refuses_to_start_without_its_public_address(clean_env, tmp_path):
    with pytest.raises(ConfigError, match="PUBLIC_URL"):
        create_app(
            {"APP_ENV": "production", "SECRET_KEY": "s" * 32, "MAIL_SERVER": "smtp.example.jp"},
            instance_path=str(tmp_path),
        )


def test_production_is_the_default(clean_env, tmp_path):
    with pytest.raises(ConfigError):
        create_app(instance_path=str(tmp_path))


def test_unknown_environment_is_refused(clean_env, tmp_path):
    with pytest.raises(ConfigError, match="APP_ENV"):
        create_app({"APP_ENV": "staging"}, instance_path=str(tmp_path))


def test_development_generates_a_secret_once_and_keeps_it(clean_env, tmp_path):
    first = create_app({"APP_ENV": "development"}, instance_path=str(tmp_path))
    second = create_app({"APP_ENV": "development"}, instance_path=str(tmp_path))
    assert len(first.config["SECRET_KEY"]) == 64
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    # Mail goes to files a developer can read, and the database defaults to SQLite in instance/.
    assert first.config["MAIL_BACKEND"] == "file"
    assert first.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'participation.sqlite'}"


def test_settings_come_from_the_environment(clean_env, monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.jp")
    monkeypatch.setenv("MAIL_PORT", "2525")
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("PARTICIPATION_TIMEZONE", "UTC")
    monkeypatch.setenv("PUBLIC_URL", "https://city.example.jp")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite'}")
    monkeypatch.setenv("PARTICIPATION_JOBS_BACKEND", "memory")  # one process on SQLite
    monkeypatch.setenv("PARTICIPATION_RATELIMIT_STORAGE_URI", "memory://")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["MAIL_BACKEND"] == "smtp"
    assert app.config["MAIL_PORT"] == 2525
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "UTC"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.sqlite")


PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": "s" * 32,
    "MAIL_SERVER": "smtp.example.jp",
    "PUBLIC_URL": "https://city.example.jp",
}


def test_production_refuses_rate_limits_counted_per_process(clean_env, tmp_path):
    """Three workers counting in their own memory would allow three times every limit."""
    settings = {**PRODUCTION, "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    with pytest.raises(ConfigError, match="RATELIMIT_STORAGE_URI"):
        create_app(settings, instance_path=str(tmp_path))
    app = create_app({**settings, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/1"}, instance_path=str(tmp_path))
    assert app.config["JOBS_BACKEND"] == "database"
    single = create_app({**settings, "RATELIMIT_STORAGE_URI": "memory://"}, instance_path=str(tmp_path))
    assert single.config["RATELIMIT_STORAGE_URI"] == "memory://"  # said explicitly: one process


def test_production_on_sqlite_needs_the_in_process_queue_said_explicitly(clean_env, tmp_path):
    settings = {
        **PRODUCTION,
        "RATELIMIT_STORAGE_URI": "memory://",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}",
    }
    with pytest.raises(ConfigError, match="PostgreSQL"):
        create_app(settings, instance_path=str(tmp_path))
    with pytest.raises(ConfigError, match="PostgreSQL"):
        create_app({**settings, "JOBS_BACKEND": "database"}, instance_path=str(tmp_path))
    with pytest.raises(ConfigError, match="JOBS_BACKEND"):
        create_app({**settings, "JOBS_BACKEND": "celery"}, instance_path=str(tmp_path))
    app = create_app({**settings, "JOBS_BACKEND": "memory"}, instance_path=str(tmp_path))
    assert app.config["JOBS_BACKEND"] == "memory"


def test_development_and_tests_need_no_extra_process(clean_env, tmp_path):
    dev = create_app({"APP_ENV": "development"}, instance_path=str(tmp_path))
    assert (dev.config["JOBS_BACKEND"], dev.config["RATELIMIT_STORAGE_URI"]) == ("memory", "memory://")
    test = create_app({"APP_ENV": "testing", "SECRET_KEY": "x"}, instance_path=str(tmp_path))
    assert test.config["JOBS_BACKEND"] == "inline"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.sqlite", "sqlite:////tmp/x.sqlite"),
    ],
)
def test_database_urls_use_psycopg3(given, expected):
    assert normalise_database_url(given) == expected


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "HX-Request" in response.headers["Vary"]


def test_session_cookie_is_httponly_samesite_and_secure_over_https(app, make_user):
    user = make_user()
    for base, secure in (("http://localhost", False), ("https://localhost", True)):
        client = app.test_client()
        response = client.post("/login", data={"email": user.email, "password": "correct horse battery"}, base_url=base)
        cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie
        assert ("Secure" in cookie) is secure


def test_pages_load_nothing_from_other_sites(client):
    import re

    for path in ("/", "/login", "/register", "/terms", "/activity"):
        html = html_of(client.get(path))
        for _attr, url in re.findall(r'(src|href|action)="([^"]+)"', html):
            assert not re.match(r"^(https?:)?//", url), f"{path} loads {url}"


def test_health_check(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_oversized_requests_are_refused(client):
    response = client.post("/login", data={"email": "a@example.jp", "password": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "容量が大きすぎます" in response.get_data(as_text=True)
