"""Test fixtures. Every test gets an app built by the factory and a database migrated with the real
migrations: SQLite by default (a migrated template file copied per test), PostgreSQL when
DATABASE_URL points at one (tables emptied after each test)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, event, text

from participation import create_app
from participation.config import normalise_database_url
from participation.core.models import Role, RoleGrant, User
from participation.extensions import db

DATABASE_URL = normalise_database_url(os.environ.get("DATABASE_URL", ""))
ON_POSTGRES = DATABASE_URL.startswith("postgresql")
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
}


def _migrate(url: str, instance: Path) -> None:
    from flask_migrate import upgrade

    app = create_app({**BASE_CONFIG, "DATABASE_URL": url}, instance_path=str(instance))
    with app.app_context():
        upgrade()
        db.engine.dispose()


def reset_postgres_schema(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory) -> str:
    """The database URL (PostgreSQL) or template file path (SQLite) after `flask db upgrade`."""
    instance = tmp_path_factory.mktemp("instance-migrate")
    if ON_POSTGRES:
        reset_postgres_schema(DATABASE_URL)
        _migrate(DATABASE_URL, instance)
        return DATABASE_URL
    template = tmp_path_factory.mktemp("db") / "template.sqlite"
    _migrate(f"sqlite:///{template}", instance)
    return str(template)


def _empty_postgres_tables(app: Flask) -> None:
    with app.app_context():
        from participation.core.jobs.schema import TABLES

        tables = [t.name for t in db.metadata.sorted_tables] + list(TABLES)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture
def database_url(migrated_database, tmp_path) -> str:
    if ON_POSTGRES:
        return migrated_database
    path = tmp_path / "test.sqlite"
    shutil.copyfile(migrated_database, path)
    return f"sqlite:///{path}"


@pytest.fixture
def make_app(database_url, tmp_path) -> Callable[..., Flask]:
    """Build an app on this test's database with extra settings."""
    apps: list[Flask] = []

    def build(**overrides) -> Flask:
        app = create_app(
            {**BASE_CONFIG, "DATABASE_URL": database_url, **overrides}, instance_path=str(tmp_path / "instance")
        )
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    if ON_POSTGRES and apps:
        _empty_postgres_tables(apps[0])
        with apps[0].app_context():
            db.engine.dispose()


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

    from contextlib import contextmanager

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
    """Mail sent by the app during the test (Flask-Mailman's in-memory backend)."""
    state = app.extensions["mailman"]
    state.outbox = []
    return state.outbox


HX = {"HX-Request": "true"}
