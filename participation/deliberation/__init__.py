"""Deliberation threads: staff (and residents, where the process allows it) put a question to a
process's participants; comments discuss it; staff close it with a written conclusion."""

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l

from ..core.action_log import fixed
from ..core.capability import Capability
from ..core.comments import Commentable
from ..core.i18n import localize
from ..core.models import Role
from ..core.permissions import any_of, has_role, participant
from ..core.resources import ResourceType
from ..extensions import db
from . import seeds
from .models import Thread
from .personal import personal_data
from .search import is_public, searchable
from .views import bp

manage = has_role(Role.STAFF, Role.ADMIN)
moderate = has_role(Role.STAFF, Role.ADMIN, Role.MODERATOR)
resident = participant(Role.RESIDENT)

CLOSED = _l("This discussion has been closed and takes no new comments.")
HIDDEN = _l("This discussion has been hidden by a moderator.")
NOT_PUBLISHED = _l("This consultation is not open to the public.")


def _visible(user, thread) -> bool:
    if thread is None:
        return False
    if thread.is_hidden and not moderate(user):
        return False
    return thread.process.is_published or manage(user)


def _residents_may_open(user, process) -> bool:
    return process is not None and process.is_published and process.residents_open_threads and resident(user)


def _may_close(user, thread) -> bool:
    return manage(user) and thread is not None and not thread.is_closed


def _comments_closed(thread: Thread, _user) -> object:
    if thread.is_closed:
        return CLOSED
    if thread.is_hidden:
        return HIDDEN
    if not thread.process.is_published:
        return NOT_PUBLISHED
    return None


def process_threads(process, limit: int = 5) -> dict:
    """For the consultation page: the newest visible threads and how many there are (two queries)."""
    visible = (Thread.process_id == process.id, Thread.hidden_at.is_(None))
    total = db.session.scalar(db.select(db.func.count(Thread.id)).where(*visible)) or 0
    threads = db.session.scalars(
        db.select(Thread)
        .where(*visible)
        .order_by(Thread.closed_at.is_not(None), Thread.created_at.desc(), Thread.id.desc())
        .limit(limit)
    ).all()
    return {"total": total, "threads": threads}


def _init_app(app: Flask) -> None:
    app.jinja_env.globals["process_threads"] = process_threads


capability = Capability(
    name="deliberation",
    blueprints=(bp,),
    searchable=searchable,
    permissions={
        "deliberation.view": _visible,
        "deliberation.open": any_of(manage, _residents_may_open),
        "deliberation.close": _may_close,
        "deliberation.see_hidden": moderate,
    },
    resources=(
        ResourceType(
            "thread",
            Thread,
            _l("Discussion"),
            url=lambda thread: url_for("deliberation.show", thread_id=thread.id),
            title=lambda thread: localize(thread.title).text,
            is_public=is_public,
            moderatable=True,
            followable=True,
            comments=Commentable(
                closed_reason=_comments_closed,
                asks_stance=lambda thread: thread.asks_stance,
                counter=Thread.comments_count,
            ),
        ),
    ),
    action_labels={
        "thread.opened": fixed(_l("Opened a discussion")),
        "thread.closed": fixed(_l("Closed a discussion with a conclusion")),
    },
    notification_kinds={
        "thread.opened": _l("%(actor)s opened the discussion “%(title)s” in a consultation you follow"),
        "thread.closed": _l("The discussion “%(title)s” was closed with a conclusion"),
    },
    seed=seeds.seed,
    init_app=_init_app,
    personal_data=personal_data,
)
