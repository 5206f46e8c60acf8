"""Sending notifications, following records, and reading one's own notifications.

``notify`` writes every recipient's row with ONE ``INSERT ... SELECT``: recipients are combined as a
UNION of id queries (followers, a role, listed people), so an event reaching 10,000 followers costs
the same single statement as one reaching three, deduplicated by the database and never including
the actor or deleted accounts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import JSON, Integer, String, cast, delete, literal, select, union, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import Select

from ...extensions import db
from ..action_log import log_action
from ..db import transaction
from ..models import RoleGrant, User
from ..resources import resource_type, type_name_of
from ..types import UTCDateTime, utcnow
from .models import Follow, Notification


class NotFollowable(Exception):
    """The record's type cannot be followed."""


def _ref(resource: object) -> tuple[str, int]:
    return type_name_of(resource), resource.id


# --- who hears about what ------------------------------------------------------------------------


def followers_of(resource: object) -> Select:
    """The ids of the people following ``resource``, as a query (run it, or pass it to ``notify``)."""
    name, ident = _ref(resource)
    return select(Follow.user_id).where(Follow.resource_type == name, Follow.resource_id == ident)


def users_with_role(role: str) -> Select:
    """The ids of the people holding ``role`` (a Role or its value), as a query."""
    return select(RoleGrant.user_id).where(RoleGrant.role == str(getattr(role, "value", role)))


def _recipient_queries(recipients) -> list[Select]:
    if isinstance(recipients, Select):
        recipients = (recipients,)
    queries: list[Select] = []
    ids: set[int] = set()
    for item in recipients or ():
        if isinstance(item, Select):
            queries.append(item)
        elif isinstance(item, int):
            ids.add(item)
        elif item is not None and getattr(item, "id", None) is not None:
            ids.add(item.id)
    if ids:
        queries.append(select(User.id).where(User.id.in_(ids)))
    return queries


def notify(
    kind: str,
    resource: object = None,
    *,
    actor: object = None,
    params: dict | None = None,
    recipients: Iterable[Any] | Select = (),
    followers: bool = True,
) -> int:
    """Tell people that ``kind`` happened to ``resource``; returns how many were notified.

    Recipients are ``recipients`` (users, ids, or id queries such as ``users_with_role("staff")``)
    plus, when ``followers`` is true and the resource's type is followable, the resource's
    followers. Followers of a parent (a proposal's consultation) are not included: a consultation
    with thousands of proposals would flood them. Events meant for them (a new proposal) pass
    ``recipients=followers_of(parent)``. Each person gets one row per call, never the actor.
    ``params`` holds ids and codes only; the text is composed when read, in the reader's language.
    Runs in the caller's transaction.
    """
    queries = _recipient_queries(recipients)
    name = ident = None
    if resource is not None:
        name, ident = _ref(resource)
        rtype = resource_type(name)
        if followers and rtype is not None and rtype.followable:
            queries.append(followers_of(resource))
    if not queries:
        return 0
    candidates = union(*queries).subquery()
    candidate_id = candidates.c[0]
    is_postgres = db.session.get_bind().dialect.name == "postgresql"
    params_value = literal(dict(params or {}), JSON)
    if is_postgres:  # a bound parameter in a SELECT list is text there; the column wants json
        params_value = cast(params_value, JSON)
    actor_id = actor if isinstance(actor, int) or actor is None else getattr(actor, "id", None)
    chosen = select(
        User.id,
        literal(kind, String),
        literal(name, String),
        literal(ident, Integer),
        literal(actor_id, Integer),
        params_value,
        literal(utcnow(), UTCDateTime),
    ).where(User.id.in_(select(candidate_id)), User.deleted_at.is_(None))
    if actor_id is not None:
        chosen = chosen.where(User.id != actor_id)
    columns = ["user_id", "kind", "resource_type", "resource_id", "actor_id", "params", "created_at"]
    statement = db.insert(Notification.__table__).from_select(columns, chosen)
    # without preserve_rowcount SQLAlchemy reports -1 for INSERT ... SELECT on psycopg
    result = db.session.execute(statement.execution_options(preserve_rowcount=True))
    return max(result.rowcount or 0, 0)


# --- following ---------------------------------------------------------------------------------


def _insert_ignoring_duplicates(values: dict):
    dialect = db.session.get_bind().dialect.name
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(Follow.__table__)
    statement = statement.values(**values).on_conflict_do_nothing()
    return db.session.execute(statement.execution_options(preserve_rowcount=True))


def ensure_following(user: object, resource: object) -> bool:
    """Make ``user`` (a User or an id) follow ``resource`` inside the caller's transaction (e.g. when
    they support it); returns whether a follow was added. Safe against the same follow arriving twice
    at once."""
    name, ident = _ref(resource)
    rtype = resource_type(name)
    if rtype is None or not rtype.followable:
        return False
    result = _insert_ignoring_duplicates(
        {"user_id": getattr(user, "id", user), "resource_type": name, "resource_id": ident, "created_at": utcnow()}
    )
    return result.rowcount == 1


def follow(user: object, resource: object) -> bool:
    """``user`` follows ``resource``; False if they already did."""
    name, _ident = _ref(resource)
    rtype = resource_type(name)
    if rtype is None or not rtype.followable:
        raise NotFollowable(name)
    with transaction():
        added = ensure_following(user, resource)
        if added:
            log_action(user, "follow.created", resource)
    return added


def unfollow(user: object, resource: object) -> bool:
    """``user`` stops following ``resource``; False if they did not follow it."""
    name, ident = _ref(resource)
    with transaction():
        result = db.session.execute(
            delete(Follow).where(Follow.user_id == user.id, Follow.resource_type == name, Follow.resource_id == ident)
        )
        removed = result.rowcount == 1
        if removed:
            log_action(user, "follow.removed", resource)
    return removed


def is_following(user: object, resource: object) -> bool:
    if user is None or not getattr(user, "is_authenticated", True) or getattr(user, "id", None) is None:
        return False
    name, ident = _ref(resource)
    return (
        db.session.scalar(
            select(Follow.id)
            .where(Follow.user_id == user.id, Follow.resource_type == name, Follow.resource_id == ident)
            .limit(1)
        )
        is not None
    )


# --- one's own notifications -------------------------------------------------------------------


def unread_count(user: object) -> int:
    """One aggregate query on the (user_id, read_at) index."""
    return (
        db.session.scalar(
            select(db.func.count(Notification.id)).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


# Reading one's notifications is not written to the action log: it changes nothing anyone else sees
# and the log would grow by a row per click.


def mark_read(user: object, notification_id: int) -> bool:
    """Mark one of ``user``'s own notifications read; False if it is not theirs (or does not exist)."""
    with transaction():
        owned = db.session.scalar(
            select(Notification.id).where(Notification.id == notification_id, Notification.user_id == user.id)
        )
        if owned is None:
            return False
        db.session.execute(
            update(Notification)
            .where(Notification.id == notification_id, Notification.read_at.is_(None))
            .values(read_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    return True


def mark_all_read(user: object) -> int:
    with transaction():
        result = db.session.execute(
            update(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
            .values(read_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    return result.rowcount or 0


def set_email_digest(user: object, frequency: str) -> None:
    from ..models import DIGEST_FREQUENCIES

    if frequency not in DIGEST_FREQUENCIES:
        raise ValueError(frequency)
    with transaction():
        if user.email_digest != frequency and frequency != "none" and user.digest_sent_at is None:
            # The first digest covers what arrives from now on, not the whole history.
            user.digest_sent_at = utcnow()
        user.email_digest = frequency
        log_action(user, "user.email_digest_set", user, data={"frequency": frequency})


def forget_user(user: object) -> None:
    """On account deletion: the person's follows, notifications and digest setting go (signal
    receiver, in the deletion's transaction)."""
    db.session.execute(delete(Follow).where(Follow.user_id == user.id))
    db.session.execute(delete(Notification).where(Notification.user_id == user.id))
    user.email_digest = "none"
    user.digest_sent_at = None
