"""Append-only records, declared once: ``@append_only("the action log")`` on a model.

The ORM then refuses to change a row (a flushed UPDATE) and, unless ``deletes=True`` (histories that
go with their account or record), to delete one; ORM bulk ``update(Model)`` / ``delete(Model)``
statements are refused the same way. ``triggers=True`` says the table's migration also installs
database triggers refusing UPDATE and DELETE from any client (``trigger_sql``); a test checks that
the migrated schema has them.

A deliberate change that rules allow (retention cutting an old log entry's link to a deleted
account) is a table-level statement, ``update(Model.__table__)``: visible in review, and named in
the service that runs it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session


class AppendOnlyError(RuntimeError):
    """A change to an append-only record was attempted."""


@dataclass(frozen=True)
class AppendOnly:
    what: str  # "the action log", in messages
    table: str
    deletes: bool = False
    triggers: bool = False

    def refuse(self, change: str) -> None:
        raise AppendOnlyError(f"{self.what} is append-only: a row is never {change}")


# model class -> its declaration; filled by the decorator as model modules are imported
DECLARED: dict[type, AppendOnly] = {}


def append_only(what: str, *, deletes: bool = False, triggers: bool = False):
    """Class decorator for a model whose rows are written once and never changed."""

    def declare(model: type) -> type:
        rule = AppendOnly(what, model.__tablename__, deletes=deletes, triggers=triggers)
        DECLARED[model] = rule

        @event.listens_for(model, "before_update")
        def _no_update(_mapper, _connection, _target) -> None:
            rule.refuse("changed")

        if not deletes:

            @event.listens_for(model, "before_delete")
            def _no_delete(_mapper, _connection, _target) -> None:
                rule.refuse("deleted")

        if not event.contains(Session, "do_orm_execute", _refuse_bulk_changes):
            event.listen(Session, "do_orm_execute", _refuse_bulk_changes)
        return model

    return declare


def _refuse_bulk_changes(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete):
        return
    # ``update(Model)`` names the ORM entity; ``update(Model.__table__)`` (the deliberate way) does not
    # (and, filtered on ORM attributes, cannot even describe one: SQLAlchemy raises KeyError then).
    try:
        entity = state.statement.entity_description.get("entity")
    except KeyError:
        entity = None
    rule = DECLARED.get(entity)
    if rule is not None and (state.is_update or not rule.deletes):
        rule.refuse("changed" if state.is_update else "deleted")


def trigger_sql(table: str, what: str, dialect: str) -> list[str]:
    """The statements a migration runs to make the database itself refuse UPDATE and DELETE on
    ``table`` (TRUNCATE, which the test suite uses, fires no row triggers)."""
    message = f"{what} is append-only"
    if dialect == "postgresql":
        return [
            f"CREATE FUNCTION {table}_refuse_change() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{message}'; END; $$ LANGUAGE plpgsql",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_refuse_change()",
        ]
    return [
        f"CREATE TRIGGER {table}_no_{change.lower()} BEFORE {change} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        for change in ("UPDATE", "DELETE")
    ]


def drop_trigger_sql(table: str, dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"DROP FUNCTION IF EXISTS {table}_refuse_change()",
        ]
    return [f"DROP TRIGGER IF EXISTS {table}_no_{change}" for change in ("update", "delete")]


def trigger_names(table: str, dialect: str) -> set[str]:
    """The triggers ``trigger_sql`` creates, to check a migrated schema."""
    if dialect == "postgresql":
        return {f"{table}_append_only"}
    return {f"{table}_no_update", f"{table}_no_delete"}
