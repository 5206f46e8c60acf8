"""Recording changes to searchable records in the transaction that makes them, applying them after.

After each flush, every new, changed or deleted object whose class a capability declared searchable
gets a row in the change feed (``search_outbox``, through ``core.searchable.queue_reindex``) on the
flush's own connection, so it commits or rolls back with the change. After the commit, the request
applies its own changes only (if the index's lock comes quickly): a backlog left by a bulk import
or another machine is never drained by an ordinary request but by `flask search sync` or, when
SEARCH_SYNC_IN_BACKGROUND is on, a background thread of this process. Nothing is indexed before
commit, so a rolled-back change never reaches the index.
"""

from __future__ import annotations

import logging
import threading
from itertools import chain

from flask import current_app, has_app_context
from sqlalchemy import event

from ..core.searchable import DEFERRED, OWN, queue_reindex
from ..extensions import db

log = logging.getLogger(__name__)

EXTENSION_KEY = "participation.search"
_lock = threading.Lock()
_running: set[str] = set()  # apps (by name) with a background sync under way in this process


def _active() -> bool:
    return has_app_context() and EXTENSION_KEY in current_app.extensions


def _models() -> dict[type, str]:
    state = current_app.extensions[EXTENSION_KEY]
    if "models" not in state:
        from .documents import declared_models

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
    if refs:
        queue_reindex(session, list(refs))  # on the flush's connection; noted as this transaction's own


def _after_commit(session) -> None:
    # Also fired when a SAVEPOINT is released (begin_nested): the outer transaction still holds
    # the write lock then, and applying from another connection would wait on it ("database is
    # locked" on SQLite) and index changes that may yet roll back.
    if session.in_nested_transaction():
        return
    own = session.info.pop(OWN, None)
    deferred = session.info.pop(DEFERRED, False)
    if not own or not _active():
        return
    from .backend import backend

    try:
        if not deferred:
            backend().apply_own(own, timeout=current_app.config["SEARCH_WRITER_TIMEOUT"])
        if current_app.config["SEARCH_SYNC_IN_BACKGROUND"] and backend().has_backlog(own):
            start_background_sync()
    except Exception:  # the change is committed; its feed row stays for `flask search sync`
        log.exception("could not apply search changes after commit")


def _after_rollback(session) -> None:
    if session.in_nested_transaction():  # a savepoint rolled back; earlier rows still stand
        return
    session.info.pop(OWN, None)
    session.info.pop(DEFERRED, None)


def start_background_sync() -> None:
    """Catch up with the feed in a thread of this process (one at a time), for development and
    single-machine sites; production runs `flask search sync` (or the jobs worker) as well."""
    app = current_app._get_current_object()
    with _lock:
        if app.name in _running:
            return
        _running.add(app.name)

    def run():
        try:
            with app.app_context():
                from .backend import backend

                backend().sync(timeout=app.config["SEARCH_SYNC_TIMEOUT"])
        except Exception:
            log.exception("background search sync failed")
        finally:
            with _lock:
                _running.discard(app.name)

    threading.Thread(target=run, name="search-sync", daemon=True).start()


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
