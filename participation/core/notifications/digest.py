"""The e-mail digest: one mail per person who asked for one, listing their unread notifications
since their previous digest, grouped by record with the most recent first (no mail per event)."""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale

from ...extensions import db
from ..db import transaction
from ..mail import send_mail
from ..models import User
from ..types import utcnow
from .models import Notification
from .render import prepare

MAX_ITEMS = 50  # per mail; the rest is one click away on the notifications page


def due_notifications(frequency: str, now) -> dict[int, tuple[object, list[Notification]]]:
    """Unread notifications after each subscriber's last digest, up to ``now``, in one query:
    user id -> (that last digest's time as read here, notifications newest first)."""
    since = db.func.coalesce(User.digest_sent_at, User.created_at)
    rows = db.session.execute(
        db.select(Notification, User.id, User.digest_sent_at)
        .join(User, User.id == Notification.user_id)
        .where(
            User.email_digest == frequency,
            User.deleted_at.is_(None),
            User.email.is_not(None),
            Notification.read_at.is_(None),
            Notification.created_at > since,
            Notification.created_at <= now,
        )
        .options(db.joinedload(Notification.actor))
        .order_by(User.id, Notification.created_at.desc(), Notification.id.desc())
    ).all()
    due: dict[int, tuple[object, list[Notification]]] = {}
    for notification, user_id, previous in rows:
        due.setdefault(user_id, (previous, []))[1].append(notification)
    return due


def _groups(shown) -> list[dict]:
    """Notifications of one record together, the most recently active record first."""
    groups: dict[tuple, dict] = {}
    for item in shown:  # already newest first
        key = (item.notification.resource_type, item.notification.resource_id)
        group = groups.setdefault(key, {"title": item.title, "path": item.path, "items": []})
        group["items"].append(item)
    return list(groups.values())


def _claim(user_id: int, previous, now) -> bool:
    """Move the person's last-digest time from ``previous`` to ``now``, unless another run already
    moved it: of two runs at the same moment (two workers, cron and a person), one sends."""
    unchanged = User.digest_sent_at.is_(None) if previous is None else User.digest_sent_at == previous
    result = db.session.execute(
        db.update(User)
        .where(User.id == user_id, unchanged)
        .values(digest_sent_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def send_digests(frequency: str) -> int:
    """Queue the ``frequency`` digests; returns the number of mails. Running it again right after,
    or at the same time, sends nothing twice: each mail is queued in the transaction that moves
    the person's ``digest_sent_at`` to the moment this run started."""
    now = utcnow()
    due = due_notifications(frequency, now)
    if not due:
        return 0
    users = {u.id: u for u in db.session.scalars(db.select(User).where(User.id.in_(due)))}
    public_url = current_app.config["PUBLIC_URL"] or "http://localhost"
    default_locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    sent = 0
    # Record links need a request context for url_for; build them against the public address.
    with current_app.test_request_context("/", base_url=public_url):
        for user_id, (previous, notifications) in due.items():
            user = users[user_id]
            email, name = user.email, user.display_name
            locale = user.locale if user.locale in current_app.config["LOCALES"] else default_locale
            with force_locale(locale):
                shown = prepare(notifications[:MAX_ITEMS])
                groups = _groups(shown)
            # Not in the action log: a row per person per day would say nothing anyone needs to audit.
            with transaction():
                if not _claim(user_id, previous, now):
                    continue
                send_mail(
                    email,
                    "notifications_digest",
                    locale=locale,
                    name=name,
                    groups=groups,
                    total=len(notifications),
                    more=max(len(notifications) - MAX_ITEMS, 0),
                    base_url=public_url.rstrip("/"),
                    frequency=frequency,
                )
            sent += 1
    return sent


def digest_job(frequency: str) -> None:
    """The "notifications.digest" job (daily and weekly, see the capability's schedules)."""
    send_digests(frequency)
