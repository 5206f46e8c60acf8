"""A procrastinate connector that runs its queries on the app's own database connection.

Inside ``transaction()`` a deferred job is inserted on the transaction's connection, so it commits
or rolls back with the change that caused it; outside one, each query runs in a short transaction
of its own. The web processes thus need no second connection pool; the worker (`flask jobs worker`)
uses procrastinate's own asynchronous connector, which listens for new jobs.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

import psycopg
import psycopg.rows
import psycopg.types.json
from procrastinate import connector, exceptions, manager

from ...extensions import db
from ..db import in_transaction


def _wrap(value: Any) -> Any:
    # procrastinate passes job arguments as dicts; PostgreSQL receives them as jsonb.
    if isinstance(value, dict):
        return psycopg.types.json.Jsonb(value)
    if isinstance(value, list):
        return [_wrap(item) for item in value]
    if isinstance(value, tuple):  # named tuples (a job to defer) become PostgreSQL records
        return tuple(_wrap(item) for item in value)
    return value


class SessionConnector(connector.BaseConnector):
    def get_sync_connector(self) -> connector.BaseConnector:
        return self

    def open(self, pool=None) -> None:  # nothing to open: the app's engine is used
        pass

    def close(self) -> None:
        pass

    @contextmanager
    def _cursor(self):
        if in_transaction():
            with db.session.connection().connection.driver_connection.cursor(row_factory=psycopg.rows.dict_row) as c:
                yield c
            return
        with (
            db.engine.begin() as sa_connection,
            sa_connection.connection.driver_connection.cursor(row_factory=psycopg.rows.dict_row) as c,
        ):
            yield c

    def _execute(self, query: str, arguments: dict, fetch: str | None):
        try:
            with self._cursor() as cursor:
                cursor.execute(query, {key: _wrap(value) for key, value in arguments.items()})
                if fetch == "one":
                    row = cursor.fetchone()
                    if row is None:
                        raise exceptions.NoResult
                    return row
                if fetch == "all":
                    return cursor.fetchall()
                return None
        except psycopg.errors.UniqueViolation as exc:
            name = exc.diag.constraint_name
            lock = None
            if name == manager.QUEUEING_LOCK_CONSTRAINT:
                lock = (exc.diag.message_detail or "").partition("=(")[2].rstrip(").")
            raise exceptions.UniqueViolation(constraint_name=name, queueing_lock=lock) from exc
        except psycopg.Error as exc:
            raise exceptions.ConnectorException from exc

    def execute_query(self, query, **arguments) -> None:
        self._execute(query, arguments, None)

    def execute_query_one(self, query, **arguments) -> dict[str, Any]:
        return self._execute(query, arguments, "one")

    def execute_query_all(self, query, **arguments) -> list[dict[str, Any]]:
        return self._execute(query, arguments, "all")
