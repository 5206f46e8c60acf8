"""The schema comes from the migrations: they must build exactly what the models declare."""

import uuid

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from participation.core.jobs.schema import include_name
from participation.extensions import db

from ..conftest import BASE_CONFIG, DATABASE_URL, ON_POSTGRES


def _differences(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": include_name})
        return compare_metadata(context, db.metadata)


def test_migrations_produce_the_models_schema(app):
    assert _differences(app) == []


def test_migrations_run_down_and_up_again(tmp_path):
    """From an empty database: upgrade, downgrade to nothing, upgrade again."""
    from participation import create_app

    if ON_POSTGRES:
        schema = f"migtest_{uuid.uuid4().hex[:8]}"
        separator = "&" if "?" in DATABASE_URL else "?"
        url = f"{DATABASE_URL}{separator}options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{tmp_path / 'roundtrip.sqlite'}"
    app = create_app({**BASE_CONFIG, "DATABASE_URL": url}, instance_path=str(tmp_path / "instance"))
    with app.app_context():
        if ON_POSTGRES:
            with db.engine.begin() as conn:
                conn.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            upgrade()
            assert _differences(app) == []
            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
            upgrade()
            assert _differences(app) == []
        finally:
            if ON_POSTGRES:
                with db.engine.begin() as conn:
                    conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            db.engine.dispose()
