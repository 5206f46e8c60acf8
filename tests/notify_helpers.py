"""Reading who was notified of what, for the tests of each capability's notifications."""

from __future__ import annotations

from participation.core.notifications.models import Follow, Notification
from participation.extensions import db


def notices(app, kind: str | None = None) -> list[tuple[int, str, dict]]:
    """(recipient id, kind, params) of every notification, oldest first."""
    with app.app_context():
        query = db.select(Notification).order_by(Notification.id)
        if kind is not None:
            query = query.where(Notification.kind == kind)
        return [(n.user_id, n.kind, dict(n.params or {})) for n in db.session.scalars(query)]


def recipients(app, kind: str) -> list[int]:
    return sorted(user_id for user_id, _kind, _params in notices(app, kind))


def follows(app, user_id: int, type_name: str, record_id: int) -> bool:
    with app.app_context():
        return (
            db.session.scalar(
                db.select(Follow.id).where(
                    Follow.user_id == user_id, Follow.resource_type == type_name, Follow.resource_id == record_id
                )
            )
            is not None
        )


def add_follow(app, user_id: int, record) -> None:
    """``user_id`` follows ``record`` (a model class and id)."""
    from participation.core.models import User
    from participation.core.notifications import follow

    model, ident = record
    with app.app_context():
        follow(db.session.get(User, user_id), db.session.get(model, ident))


def notifications_page(client, login, user) -> str:
    """The person's notifications list, in their own language (set on the account)."""
    login(user)
    return client.get("/notifications").get_data(as_text=True)
