"""Transactions for service functions, and the SQLite settings that make them safe.

Views only read. Every state change runs inside ``transaction()``, which commits on success and rolls
back on error. On SQLite a write transaction starts with BEGIN IMMEDIATE, so concurrent writers queue
on the busy timeout instead of failing with "database is locked" when a reader tries to upgrade.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Engine

from ..extensions import db

_in_transaction: ContextVar[bool] = ContextVar("participation_in_transaction", default=False)
_ON_COMMIT = "participation.on_commit"


def in_transaction() -> bool:
    """Whether a ``transaction()`` block is open in this context."""
    return _in_transaction.get()


def on_commit(callback, key: str | None = None) -> None:
    """Call ``callback()`` once the current ``transaction()`` has committed, and never if it rolls
    back (jobs run after the change they follow is visible). Outside a transaction it runs now.
    A callback with the ``key`` of one already waiting in this transaction is dropped."""
    if not _in_transaction.get():
        callback()
        return
    waiting = db.session().info.setdefault(_ON_COMMIT, [])
    if key is None or all(key != k for k, _ in waiting):
        waiting.append((key, callback))


@contextmanager
def transaction() -> Iterator:
    """Run a state change atomically. Nested calls join the outer transaction."""
    if _in_transaction.get():
        yield db.session()
        return
    session = db.session()  # the request's Session behind the scoped proxy
    if session.in_transaction():
        # End the read snapshot opened by earlier loads in this request (nothing is pending:
        # only services write), so the write transaction below starts fresh and sees current data.
        session.commit()
    token = _in_transaction.set(True)
    try:
        yield session
        session.commit()
    except BaseException:
        session.info.pop(_ON_COMMIT, None)
        session.rollback()
        raise
    finally:
        _in_transaction.reset(token)
    for _key, callback in session.info.pop(_ON_COMMIT, ()):
        callback()


def configure_engine(engine: Engine) -> None:
    """Per-dialect connection settings, applied once per engine."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, issue BEGIN (so savepoints and IMMEDIATE work).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _in_transaction.get() else "BEGIN")
