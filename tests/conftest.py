"""Test fixtures.

The app is built once per test session (once per pytest-xdist worker), and once more for each
distinct set of ``make_app(...)`` settings; building one costs ~0.5 s, mostly compiling the URL map.
Every test still starts from the freshly migrated, empty database and from fresh state outside it
(search index, instance files, mail outbox, rate-limit counters): ``tests/isolation.py`` resets what
the previous test changed. The database comes from the real migrations: SQLite by default, PostgreSQL
when DATABASE_URL points at one (each xdist worker then uses its own database, ``<name>_gw0``, ...).

Rules for tests: never change ``app.config`` (ask ``make_app(SETTING=...)`` for another app: the
suite fails a test that does), never rely on ids or on what another test left.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager

import pytest
from flask import Flask
from sqlalchemy import event

from participation import create_app
from participation.core.models import Role, RoleGrant, User
from participation.extensions import db

from . import isolation
from .isolation import BASE_DATABASE_URL, DATABASE_URL, ON_POSTGRES, reset_postgres_schema  # noqa: F401 (re-exported)

PASSWORD = "correct horse battery"

BASE_CONFIG = {
    "APP_ENV": "testing",
    "SECRET_KEY": "test-secret",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "SERVER_NAME": "localhost",
    "PUBLIC_URL": "http://localhost",
    "SEARCH_SYNC_IN_BACKGROUND": False,
    # the search suite runs on Whoosh with SQLite and on the PostgreSQL backend with PostgreSQL
    "SEARCH_BACKEND": "postgresql" if ON_POSTGRES else "whoosh",
    # One cheap round instead of scrypt: tests create and log in thousands of accounts. The
    # production default stays scrypt (tests/accounts/test_password_hash.py checks it).
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
}


def _migrate(url: str, instance) -> None:
    from flask_migrate import upgrade

    app = create_app({**BASE_CONFIG, "DATABASE_URL": url}, instance_path=str(instance))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory) -> str:
    """The database URL (PostgreSQL) or template file path (SQLite) after `flask db upgrade`."""
    instance = tmp_path_factory.mktemp("instance-migrate")
    if ON_POSTGRES:
        isolation.ensure_postgres_database(BASE_DATABASE_URL, DATABASE_URL)
        reset_postgres_schema(DATABASE_URL)
        _migrate(DATABASE_URL, instance)
        return DATABASE_URL
    template = tmp_path_factory.mktemp("db") / "template.sqlite"
    _migrate(f"sqlite:///{template}", instance)
    return str(template)


@pytest.fixture(scope="session")
def _state(migrated_database, tmp_path_factory) -> isolation.State:
    state = isolation.State(migrated_database, tmp_path_factory.mktemp("session"), BASE_CONFIG)
    yield state
    state.close()


@pytest.fixture
def database_url(_state, make_app) -> str:
    """The URL of the test database, for a test that hands it to other processes (which the write
    tracking cannot see): the whole database is reset after such a test."""
    _state.full_reset_needed = True
    return _state.url


@pytest.fixture
def make_app(_state) -> Callable[..., Flask]:
    """The app with extra settings, on this test's database: ``make_app(PAGE_SIZE=2)``. Apps are
    cached per distinct settings for the session; treat them as read-only."""
    _state.begin_test()
    yield _state.app
    _state.end_test()


@pytest.fixture
def app(make_app) -> Flask:
    # No app context stays pushed: each request in a test gets its own context, session and `g`,
    # as in production. Tests open `with app.app_context():` to prepare or check data.
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app) -> Callable[..., User]:
    """Create an account directly (registration itself is tested through the views)."""
    counter = iter(range(1, 10_000))

    def build(
        *roles: Role, email: str | None = None, name: str | None = None, password: str = PASSWORD, **fields
    ) -> User:
        """Returns a detached User with its columns and roles loaded."""
        n = next(counter)
        with app.app_context():
            user = User(email=email or f"person{n}@example.jp", display_name=name or f"参加者{n}", **fields)
            user.set_password(password)
            for role in roles or (Role.RESIDENT,):
                user.role_grants.append(RoleGrant(role=role.value))
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            _ = list(user.role_grants)
            db.session.expunge(user)
        return user

    return build


@pytest.fixture
def login(client):
    def do(user: User, password: str = PASSWORD):
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return do


@pytest.fixture
def count_queries(app):
    """Count SQL statements run inside a block: ``with count_queries() as counted: ...; counted.n``."""

    class Counter:
        n = 0
        statements: list[str] = []

    @contextmanager
    def counting():
        counter = Counter()
        counter.statements = []

        def before(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
                counter.n += 1
                counter.statements.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting


@pytest.fixture
def outbox(app) -> list:
    """Mail sent by the app during the test (Flask-Mailman's in-memory backend), emptied per test."""
    return app.extensions["mailman"].outbox


HX = {"HX-Request": "true"}


def html_of(response, status: int = 200) -> str:
    """The text of a page after checking its status, so a check that something is absent (an
    escaped payload, a hidden record) cannot pass on an error page."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
    return response.get_data(as_text=True)
