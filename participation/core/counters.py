"""Counters a capability keeps about another's record, e.g. how many public proposals a consultation
holds, so a page shows the number without counting rows and without the record's own table knowing
the capability. Each change is one atomic statement (an upsert), safe under concurrent requests::

    counters.add(process, "proposals")               # + 1, inside the service's transaction
    counters.set_to(process, "proposals", subquery)  # recount, e.g. after moderation
    counters.value(process, "proposals")             # one query; 0 when never counted

Name counters after the capability that keeps them ("proposals", "surveys.answers").
"""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .resources import type_name_of


class Counter(db.Model):
    __tablename__ = "counters"

    resource_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    resource_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)


def _upsert(obj, name: str, value, *, increment: bool) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(Counter).values(resource_type=type_name_of(obj), resource_id=obj.id, name=name, value=value)
    new = Counter.value + statement.excluded.value if increment else statement.excluded.value
    statement = statement.on_conflict_do_update(
        index_elements=[Counter.resource_type, Counter.resource_id, Counter.name], set_={"value": new}
    )
    db.session.execute(statement.execution_options(synchronize_session=False))


def add(obj, name: str, by: int = 1) -> None:
    """Add ``by`` (may be negative) to ``obj``'s counter ``name``."""
    _upsert(obj, name, by, increment=True)


def set_to(obj, name: str, value) -> None:
    """Set the counter to ``value``: a number or a scalar subquery counting the rows it stands for."""
    _upsert(obj, name, value, increment=False)


def value(obj, name: str) -> int:
    found = db.session.scalar(
        db.select(Counter.value).where(
            Counter.resource_type == type_name_of(obj), Counter.resource_id == obj.id, Counter.name == name
        )
    )
    return found or 0


def column(type_name: str, id_column, name: str):
    """The counter as a column to select with the records it counts for, so a page loads both in
    one query: ``db.select(Process, counters.column("process", Process.id, "proposals"))``."""
    found = (
        db.select(Counter.value)
        .where(Counter.resource_type == type_name, Counter.resource_id == id_column, Counter.name == name)
        .scalar_subquery()
    )
    return db.func.coalesce(found, 0)
