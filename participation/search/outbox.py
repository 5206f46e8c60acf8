"""Recording changes to searchable records in the transaction that makes them, applying them after.

After each flush, every new, changed or deleted object whose class a capability declared searchable
gets a ``search_outbox`` row, written on the flush's own connection (so it commits or rolls back with
the change). After the commit, the rows are applied to the index if its write lock comes quickly;
otherwise they wait for the next commit or `flask search sync`. Nothing is indexed before commit, so
a rolled-back change never reaches the index.
"""

from __future__ import annotations

import logging
from itertools import chain

from flask import current_app, has_app_context
from sqlalchemy import event, insert

from ..core.models import SearchOutbox
from ..core.types import utcnow
from ..extensions import db

log = logging.getLogger(__name__)

EXTENSION_KEY = "participation.search"
_PENDING = "participation.search.pending"
_DEFERRED = "participation.search.deferred"


def _active() -> bool:
    return has_app_context() and EXTENSION_KEY in current_app.extensions


def _models() -> dict[type, str]:
    state = current_app.extensions[EXTENSION_KEY]
    if "models" not in state:
        from .index import declared_models

        state["models"] = declared_models()
    return state["models"]


def _name_of(obj, models: dict[type, str]) -> str | None:
    for model, name in models.items():
        if isinstance(obj, model):
            return name
    return None


def _after_flush(session, _flush_context) -> None:
    if not _active():
        return
    models = _models()
    if not models:
        return
    refs = {}
    for obj in chain(session.new, session.dirty, session.deleted):
        name = _name_of(obj, models)
        ident = getattr(obj, "id", None) if name else None
        if ident is not None:
            refs[(name, ident)] = None
    if not refs:
        return
    now = utcnow()
    session.connection().execute(
        insert(SearchOutbox.__table__),
        [{"resource_type": name, "resource_id": ident, "created_at": now} for name, ident in refs],
    )
    session.info[_PENDING] = True


def defer(session=None) -> None:
    """Leave the current transaction's outbox rows for `flask search sync` (or a later commit)
    instead of indexing them right after this commit: for bulk changes, such as importing
    thousands of records, that would otherwise hold the request for the whole indexing."""
    (session or db.session()).info[_DEFERRED] = True


def _after_commit(session) -> None:
    # Also fired when a SAVEPOINT is released (begin_nested): the outer transaction still holds
    # the write lock then, and applying the outbox from another connection would wait on it
    # ("database is locked" on SQLite) and index changes that may yet roll back.
    if session.in_nested_transaction():
        return
    if session.info.pop(_DEFERRED, False):
        session.info.pop(_PENDING, None)
        return
    if not session.info.pop(_PENDING, False) or not _active():
        return
    from .index import apply_pending

    try:
        apply_pending(timeout=current_app.config["SEARCH_WRITER_TIMEOUT"])
    except Exception:  # the change is committed; its outbox row stays for `flask search sync`
        log.exception("could not apply search outbox after commit")


def _after_rollback(session) -> None:
    if session.in_nested_transaction():  # a savepoint rolled back; earlier outbox rows still stand
        return
    session.info.pop(_PENDING, None)
    session.info.pop(_DEFERRED, None)


def install() -> None:
    """Listen on the app's session class once per process (the listeners check which app is active)."""
    session_class = db.session.session_factory.class_
    for name, listener in (
        ("after_flush", _after_flush),
        ("after_commit", _after_commit),
        ("after_rollback", _after_rollback),
    ):
        if not event.contains(session_class, name, listener):
            event.listen(session_class, name, listener)
