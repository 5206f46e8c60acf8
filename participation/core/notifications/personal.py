"""What notifications hold about a person (follows, notifications, the e-mail digest setting) and
their retention: read notifications go after a period, unread ones after a longer one."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete

from ...extensions import db
from ..action_log import log_action
from ..db import transaction
from ..models import User
from ..resources import resource_type
from .models import Follow, Notification
from .render import kind_label

DIGEST_LABELS = {"none": _l("none"), "daily": _l("daily"), "weekly": _l("weekly")}


def _ref(name: str | None, ident: int | None) -> str | None:
    if not name:
        return None
    rtype = resource_type(name)
    return f"{rtype.label if rtype else name} {ident}"


def _sentence(notification: Notification) -> str:
    # Put into words without loading each record (My data runs one query per section): the record
    # is named by its type and number.
    label = kind_label(notification.kind)
    values = {
        **(notification.params or {}),
        "title": _ref(notification.resource_type, notification.resource_id) or "",
        "actor": notification.actor.public_name if notification.actor else _("Former participant"),
    }
    try:
        return str(label(values)) if callable(label) else str(label) % values if label else notification.kind
    except (KeyError, TypeError, ValueError):
        return notification.kind


def personal_data(user) -> dict:
    follows = db.session.scalars(db.select(Follow).where(Follow.user_id == user.id).order_by(Follow.id)).all()
    notifications = db.session.scalars(
        db.select(Notification)
        .where(Notification.user_id == user.id)
        # the actor's name only: not their roles (User loads those eagerly by default)
        .options(db.joinedload(Notification.actor).lazyload(User.role_grants))
        .order_by(Notification.id.desc())
    ).all()
    return {
        _l("What you follow"): [
            {_l("Following"): _ref(f.resource_type, f.resource_id), _l("Since"): f.created_at} for f in follows
        ],
        _l("Your notifications"): [
            {
                _l("Notification"): _sentence(n),
                _l("About"): _ref(n.resource_type, n.resource_id),
                _l("Received at"): n.created_at,
                _l("Read at"): n.read_at,
            }
            for n in notifications
        ],
        _l("Notification e-mail"): [
            {
                _l("E-mail digest"): DIGEST_LABELS.get(user.email_digest, user.email_digest),
                _l("Last digest sent at"): user.digest_sent_at,
            }
        ],
    }


def _enforce(condition, key: str, dry_run: bool) -> int:
    count = db.session.scalar(db.select(db.func.count(Notification.id)).where(condition)) or 0
    if dry_run or not count:
        return count
    with transaction():
        db.session.execute(delete(Notification).where(condition).execution_options(synchronize_session=False))
        log_action(None, "retention.enforced", data={"category": key, "count": count})
    return count


def enforce_read(cutoff, dry_run: bool) -> int:
    """Retention: notifications read before ``cutoff`` are deleted."""
    return _enforce(Notification.read_at < cutoff, "notifications.read", dry_run)


def enforce_unread(cutoff, dry_run: bool) -> int:
    """Retention: notifications never read and created before ``cutoff`` are deleted."""
    return _enforce(
        Notification.read_at.is_(None) & (Notification.created_at < cutoff), "notifications.unread", dry_run
    )
