"""One app per test session, a clean state per test.

``State`` keeps the session's apps (one per distinct ``make_app`` settings) and, after each test,
puts back what the test changed:

- the database. Every app's engine reports the tables each statement writes (a cheap regex on the
  statement's first words); after the test only those are emptied. PostgreSQL: one DELETE per
  written table with triggers and foreign-key checks off for that transaction (the append-only
  guards refuse DELETE; measured faster than TRUNCATE, which replaces each table's files), and their
  id sequences restarted. SQLite: the migrated template file is copied back over the test database
  (emptying in place is not possible: the guards' triggers refuse DELETE). A statement the regex
  cannot place, or a test that handed the database to other processes (``database_url``), resets
  every table.
- the search index directory and the instance folder (mail files, secrets), emptied;
- the mail outbox of every app, the rate-limit counters and per-app caches (``CACHES``), emptied;
- ``app.config``: a test that changed it fails (ask ``make_app`` for other settings instead).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from flask import Flask
from flask.globals import _cv_app
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from participation import create_app
from participation.config import normalise_database_url
from participation.core import jobs
from participation.core.jobs.schema import TABLES as JOB_TABLES
from participation.extensions import db, limiter

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1"... under pytest-xdist
BASE_DATABASE_URL = normalise_database_url(os.environ.get("DATABASE_URL", ""))
ON_POSTGRES = BASE_DATABASE_URL.startswith("postgresql")


def worker_database_url(url: str, worker: str) -> str:
    """Each xdist worker gets its own PostgreSQL database, named after the configured one."""
    if not worker or not url.startswith("postgresql"):
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)


DATABASE_URL = worker_database_url(BASE_DATABASE_URL, WORKER)

# Per-app caches (app.extensions keys) emptied after each test.
CACHES = ("participation.policy_diffs",)

_WRITE = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)
_CTE_WRITE = re.compile(r"\b(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
_READ = ("SELECT", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA", "SHOW", "SET ", "RESET")


def ensure_postgres_database(server_url: str, url: str) -> None:
    """Create the worker's database on the configured server when it does not exist yet."""
    if server_url == url:
        return
    name = make_url(url).database
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}) is None:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()


def reset_postgres_schema(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


class State:
    def __init__(self, migrated: str, directory: Path, base_config: dict):
        self.base_config = base_config
        self.directory = directory
        self.instance = directory / "instance"
        self.index_dir = directory / "index" / "search-index"
        if ON_POSTGRES:
            self.url = migrated
            self.template = None
            self.cleaner = create_engine(migrated, pool_size=1)
        else:
            self.template = Path(migrated)
            self.db_path = directory / "test.sqlite"
            shutil.copyfile(self.template, self.db_path)
            self.url = f"sqlite:///{self.db_path}"
        self.tables = {table.name for table in db.metadata.sorted_tables}
        if ON_POSTGRES:  # the job queue's own tables (outside the models)
            self.tables |= set(JOB_TABLES)
        self.apps: dict[str, Flask] = {}
        self.configs: dict[str, dict] = {}
        self.engines: list = []
        self.written: set[str] = set()
        self.unplaced_write = False
        self.full_reset_needed = False
        self.used: set[str] = set()
        self.sequences: dict[str, list[str]] | None = None
        self.superuser = False

    # --- apps -------------------------------------------------------------------------------

    def app(self, **overrides) -> Flask:
        key = repr(sorted(overrides.items()))
        found = self.apps.get(key)
        if found is None:
            settings = {
                **self.base_config,
                "DATABASE_URL": self.url,
                "SEARCH_INDEX_DIR": str(self.index_dir),
                **overrides,
            }
            found = create_app(settings, instance_path=str(self.instance))
            with found.app_context():
                engine = db.engine
            event.listen(engine, "before_cursor_execute", self._track)
            event.listen(engine, "connect", _no_durable_commits)
            self.engines.append(engine)
            found.extensions["mailman"].outbox = []
            self.apps[key] = found
            self.configs[key] = dict(found.config)
        self.used.add(key)
        return found

    def _track(self, _conn, _cursor, statement: str, _parameters, _context, _executemany) -> None:
        match = _WRITE.match(statement)
        if match:
            self.written.add(match.group(1).lower())
            return
        start = statement.lstrip()[:9].upper()
        if start.startswith(_READ) or (start.startswith("WITH") and not _CTE_WRITE.search(statement)):
            return
        self.unplaced_write = True  # DDL, TRUNCATE, a CTE that writes...

    # --- per test ---------------------------------------------------------------------------

    def begin_test(self) -> None:
        self.used.clear()

    def end_test(self) -> None:
        leaked = _cv_app.get(None)
        problems = []
        for key in self.used:
            app = self.apps[key]
            with app.app_context():
                db.session.remove()
            if dict(app.config) != self.configs[key]:
                changed = sorted(
                    k for k in set(app.config) | set(self.configs[key]) if app.config.get(k) != self.configs[key].get(k)
                )
                problems.append(f"the test changed app.config {changed}: use make_app(...) for other settings")
                app.config.clear()
                app.config.update(self.configs[key])
        while _cv_app.get(None) is not None:  # a context a test pushed and never popped
            _cv_app.get().pop()
        self._reset_job_queues()
        self._reset_database()
        self._reset_files()
        for app in self.apps.values():
            app.extensions["mailman"].outbox.clear()
            for key in CACHES:
                app.extensions.pop(key, None)
            if pages := app.extensions.get("participation.page_cache"):
                pages.cache.clear()
        if limiter.initialized:
            limiter.reset()
        if leaked is not None:
            problems.append("the test left an app context pushed: use `with app.app_context():`")
        if problems:
            raise AssertionError("; ".join(problems))

    def _reset_job_queues(self) -> None:
        """Queued jobs: the memory queue lives in the app; PostgreSQL's queue is filled through
        procrastinate's SQL functions, which the statement tracker cannot place."""
        for key in self.used:
            app = self.apps[key]
            kind = app.config["JOBS_BACKEND"]
            if kind == "memory":
                jobs.backend(app).reset()
            elif kind == "database":
                self.written |= set(JOB_TABLES)

    def _reset_database(self) -> None:
        everything = self.full_reset_needed or self.unplaced_write
        tables = set(self.tables) if everything else self.written & self.tables
        self.written.clear()
        self.unplaced_write = self.full_reset_needed = False
        if not tables:
            return
        if ON_POSTGRES:
            self._empty_postgres_tables(tables)
        else:
            self._restore_sqlite()

    def _empty_postgres_tables(self, tables: set[str]) -> None:
        with self.cleaner.begin() as conn:
            if self.sequences is None:
                self.sequences, self.superuser = _postgres_facts(conn)
            if not self.superuser:  # replication role needs a superuser: TRUNCATE (slower) instead
                names = ", ".join(f'"{name}"' for name in sorted(tables))
                conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
                return
            statements = ["SET LOCAL session_replication_role = replica", "SET LOCAL lock_timeout = '10s'"]
            statements += [f'DELETE FROM "{name}"' for name in sorted(tables)]  # noqa: S608 (our table names)
            statements += [
                f"ALTER SEQUENCE {seq} RESTART" for name in sorted(tables) for seq in self.sequences.get(name, ())
            ]
            conn.exec_driver_sql(";\n".join(statements))

    def _restore_sqlite(self) -> None:
        for engine in self.engines:
            if engine.pool.checkedout():
                raise AssertionError("a database connection is still in use after the test (a thread left running?)")
            engine.dispose()
        for suffix in ("-wal", "-shm"):
            Path(f"{self.db_path}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(self.template, self.db_path)

    def _reset_files(self) -> None:
        for folder in (self.instance, self.index_dir.parent):
            if folder.exists():
                for entry in folder.iterdir():
                    if entry.is_dir() and not entry.is_symlink():
                        shutil.rmtree(entry)
                    else:
                        entry.unlink()

    def close(self) -> None:
        for engine in self.engines:
            engine.dispose()
        if ON_POSTGRES:
            self.cleaner.dispose()


def _no_durable_commits(dbapi_connection, _record) -> None:
    """A commit need not wait for the disk in tests (the data is thrown away anyway): on a busy
    machine waiting for fsync was most of the time of tests that commit often."""
    cursor = dbapi_connection.cursor()
    cursor.execute("SET synchronous_commit = off" if ON_POSTGRES else "PRAGMA synchronous = OFF")
    cursor.close()
    dbapi_connection.commit()  # a SET inside a transaction rolled back later would be undone


def _postgres_facts(conn) -> tuple[dict[str, list[str]], bool]:
    """The id sequences of each table, and whether we may switch triggers off."""
    sequences: dict[str, list[str]] = {}
    rows = conn.execute(
        text(
            "SELECT table_name, pg_get_serial_sequence(quote_ident(table_name), column_name) FROM "
            "information_schema.columns WHERE table_schema = 'public' "
            "AND pg_get_serial_sequence(quote_ident(table_name), column_name) IS NOT NULL"
        )
    )
    for table, sequence in rows:
        sequences.setdefault(table, []).append(sequence)
    superuser = bool(conn.scalar(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")))
    return sequences, superuser
