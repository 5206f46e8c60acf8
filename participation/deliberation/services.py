"""Opening and closing deliberation threads: one transaction each, written to the action log."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.action_log import PUBLIC, log_action
from ..core.db import transaction
from ..core.errors import Refused
from ..core.models import User
from ..core.notifications import ensure_following, followers_of, notify
from ..core.types import LocalizedText, utcnow
from ..extensions import db
from ..processes.models import Process
from .models import BODY_MAX, CONCLUSION_MAX, TITLE_MAX, Thread


class ThreadError(Refused):
    """A change refused for a reason the person can understand; ``message`` is in the reader's language."""


NOT_PUBLISHED = _l("This consultation is not open to the public.")
MISSING_TITLE = _l("Write the question in at least one language.")
MISSING_BODY = _l("Describe the question in at least one language.")
MISSING_CONCLUSION = _l("Write the conclusion in at least one language.")
TOO_LONG = _l("This text is too long.")
ALREADY_CLOSED = _l("This discussion has already been closed.")


def _text(value) -> LocalizedText:
    return value if isinstance(value, LocalizedText) else LocalizedText(value or {})


def _check(text: LocalizedText, missing, limit: int) -> LocalizedText:
    text = _text(text)
    if not text:
        raise ThreadError(missing)
    if any(len(value) > limit for value in text.values()):
        raise ThreadError(TOO_LONG)
    return text


def open_thread(actor: User, process: Process, *, title, body, asks_stance: bool = False) -> Thread:
    """A new thread in a published process (who may open one is the permission's business)."""
    with transaction():
        if not process.is_published:
            raise ThreadError(NOT_PUBLISHED)
        thread = Thread(
            process_id=process.id,
            author_id=actor.id,
            title=_check(title, MISSING_TITLE, TITLE_MAX),
            body=_check(body, MISSING_BODY, BODY_MAX),
            asks_stance=bool(asks_stance),
        )
        db.session.add(thread)
        db.session.flush()
        log_action(actor, "thread.opened", thread, visibility=PUBLIC, data={"process_id": process.id})
        ensure_following(actor, thread)
        # The consultation's followers hear of a new discussion; its comments go to the thread's own followers.
        notify("thread.opened", thread, actor=actor, recipients=followers_of(process), followers=False)
    return thread


def close_thread(actor: User, thread: Thread, *, conclusion) -> Thread:
    """Staff close the thread with a written conclusion; it then takes no new comments."""
    with transaction():
        thread = db.session.scalars(
            db.select(Thread).where(Thread.id == thread.id).with_for_update().execution_options(populate_existing=True)
        ).one()
        if thread.is_closed:
            raise ThreadError(ALREADY_CLOSED)
        thread.conclusion = _check(conclusion, MISSING_CONCLUSION, CONCLUSION_MAX)
        thread.closed_at = utcnow()
        thread.closed_by_id = actor.id
        log_action(actor, "thread.closed", thread, visibility=PUBLIC)
        notify("thread.closed", thread, actor=actor)
    return thread
