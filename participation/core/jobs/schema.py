"""procrastinate's tables, types and functions in our migrations (PostgreSQL only).

The schema is procrastinate's own SQL, applied by an Alembic migration so `flask db upgrade` stays
the one way the schema changes. When procrastinate is upgraded, a new migration applies the files
it ships in ``procrastinate/sql/migrations`` for the versions in between (see its release notes).
Autogenerate and the models-vs-migrations test ignore these objects (``include_name``).
"""

from __future__ import annotations

from procrastinate.schema import SchemaManager

PREFIX = "procrastinate_"
TABLES = ("procrastinate_events", "procrastinate_periodic_defers", "procrastinate_jobs", "procrastinate_workers")


def include_name(name, type_, parent_names) -> bool:
    """For Alembic: leave procrastinate's tables out of comparisons with the models."""
    return not (type_ == "table" and name and name.startswith(PREFIX))


def create(connection) -> None:
    if connection.dialect.name == "postgresql":
        # Straight to psycopg, without parameters, so the script's "%" signs stay as they are.
        connection.connection.driver_connection.execute(SchemaManager.get_schema())


def drop(connection) -> None:
    if connection.dialect.name != "postgresql":
        return
    in_schema = "n.nspname = current_schema() AND starts_with({name}::text, 'procrastinate_')"
    for (table,) in connection.exec_driver_sql(
        f"SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "  # noqa: S608
        f"WHERE c.relkind = 'r' AND {in_schema.format(name='c.relname')}"
    ).all():
        connection.exec_driver_sql(f'DROP TABLE IF EXISTS "{table}" CASCADE')
    for (function,) in connection.exec_driver_sql(
        f"SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "  # noqa: S608
        f"WHERE {in_schema.format(name='p.proname')}"
    ).all():
        connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {function} CASCADE")
    for (kind,) in connection.exec_driver_sql(
        f"SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "  # noqa: S608
        f"WHERE t.typtype IN ('e', 'c') AND {in_schema.format(name='t.typname')}"
    ).all():
        connection.exec_driver_sql(f'DROP TYPE IF EXISTS "{kind}" CASCADE')
