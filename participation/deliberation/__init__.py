"""Deliberation threads: staff (and residents, where the process allows it) put a question to a
process's participants; comments discuss it; staff close it with a written conclusion."""

from flask import url_for
from flask_babel import lazy_gettext as _l

from ..core.action_log import fixed
from ..core.capability import Capability
from ..core.comments import Commentable
from ..core.components import Component, Setting
from ..core.i18n import localize
from ..core.models import Role
from ..core.permissions import any_of, can, has_role, participant
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
    return (
        process is not None
        and process.is_published
        and process.setting("deliberation", "residents_open")
        and resident(user)
    )


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


def _panel(process, _today, limit: int = 5) -> dict | None:
    """The consultation page's discussions panel: the newest visible threads and how many there are
    (two queries); hidden while there are none and the reader cannot open one."""
    visible = (Thread.process_id == process.id, Thread.hidden_at.is_(None))
    total = db.session.scalar(db.select(db.func.count(Thread.id)).where(*visible)) or 0
    if not total:
        return {"total": 0, "threads": []} if can("deliberation.open", process) else None
    threads = db.session.scalars(
        db.select(Thread)
        .where(*visible)
        .order_by(Thread.closed_at.is_not(None), Thread.created_at.desc(), Thread.id.desc())
        .limit(limit)
    ).all()
    return {"total": total, "threads": threads}


COMPONENT = Component(
    name="deliberation",
    label=_l("Discussions"),
    panel="deliberation/_process_panel.html",
    panel_context=_panel,
    settings=(
        Setting(
            "residents_open",
            _l("Residents can open discussion threads"),
            kind="bool",
            default=False,
            help=_l("When off, only staff open discussion threads in this consultation."),
        ),
    ),
    order=30,
)


capability = Capability(
    name="deliberation",
    requires=("processes",),
    components=(COMPONENT,),
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
            plural=_l("Discussions"),
            view_permission="deliberation.view",
            space=lambda thread: ("process", thread.process_id),
            in_space=lambda name, ident: (
                db.select(Thread.id).where(Thread.process_id == ident) if name == "process" else None
            ),
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
    personal_data=personal_data,
)
