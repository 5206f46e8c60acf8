"""State changes on users that the core owns: language preference and roles."""

from __future__ import annotations

import secrets

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from .action_log import log_action
from .db import transaction
from .models import Role, RoleGrant, User
from .searchable import queue_reindex
from .signals import account_deleting, use_stopping
from .types import utcnow


class RoleChangeRefused(Exception):
    """A role change that would leave the site without an administrator, or similar."""


def set_locale(user: User, locale: str) -> None:
    with transaction():
        user.locale = locale


def grant_role(actor: User | None, user: User, role: Role) -> bool:
    """Grant ``role``; returns False if the user already had it. Logged (restricted)."""
    try:
        with transaction():
            if role in user.roles:
                return False
            db.session.add(RoleGrant(user=user, role=role.value, granted_by_id=getattr(actor, "id", None)))
            log_action(actor, "user.role_granted", user, data={"role": role.value})
    except IntegrityError:  # granted by someone else at the same moment
        return False
    return True


def revoke_role(actor: User | None, user: User, role: Role) -> bool:
    """Remove ``role``; returns False if the user did not have it. The last administrator cannot be
    removed, so the site always has someone who can grant roles."""
    try:
        with transaction():
            grant = next((g for g in user.role_grants if g.role == role.value), None)
            if grant is None:
                return False
            if role == Role.ADMIN and active_admin_count() <= 1:
                raise RoleChangeRefused("last administrator")
            user.role_grants.remove(grant)
            log_action(actor, "user.role_revoked", user, data={"role": role.value})
    except StaleDataError:  # removed by someone else at the same moment
        return False
    return True


def active_admin_count() -> int:
    # Lock the administrator grants (PostgreSQL) so two admins removing each other at the same
    # moment cannot both succeed; SQLite write transactions are serialised already.
    grant_ids = db.session.scalars(
        db.select(RoleGrant.id)
        .join(User, User.id == RoleGrant.user_id)
        .where(RoleGrant.role == Role.ADMIN.value, User.deleted_at.is_(None))
        .with_for_update(of=RoleGrant)
    ).all()
    return len(grant_ids)


def record_personal_data_view(actor: User, user: User) -> None:
    """Staff opened a page showing someone's personal data; the person can later see this
    (restricted log, readable by auditors)."""
    if actor.id == user.id:
        return
    with transaction():
        log_action(actor, "user.personal_data_viewed", user)


def erase_account(user: User, actor: User | None = None) -> None:
    """Delete or anonymise every personal field of ``user``, in every capability.

    The users row stays as a tombstone (no personal field left) so published contributions keep
    their author link and read "Former participant". Capabilities that keep personal data erase it
    in their ``account_deleting`` receivers, inside this transaction. Records that name the person
    in the search index are queued for re-indexing. Callers check passwords and the last
    administrator; ``actor`` is staff carrying out an erasure request, or None for the person.
    """
    with transaction():
        account_deleting.send(user)
        _queue_authored_for_reindex(user)
        user.email = None
        user.display_name = None
        user.password_hash = None
        user.locale = None
        user.district_id = None
        user.age_group = None
        user.terms_version = None
        user.terms_accepted_at = None
        user.use_stopped_at = None
        user.session_token = secrets.token_hex(16)
        user.deleted_at = utcnow()
        user.role_grants.clear()
        log_action(actor or user, "user.deleted", user)


def _queue_authored_for_reindex(user: User) -> None:
    from .capability import capabilities

    refs = []
    for capability in capabilities():
        for declaration in capability.searchable:
            author = getattr(declaration.model, "author_id", None)
            if author is None:
                continue
            ids = db.session.scalars(db.select(declaration.model.id).where(author == user.id)).all()
            refs += [(declaration.name, ident) for ident in ids]
    queue_reindex(db.session, refs)


def stop_use(user: User, actor: User | None) -> bool:
    """Carry out a stop-of-use request: from now on the person's data serves only their account.
    Returns False if use was already stopped."""
    with transaction():
        if user.use_stopped_at is not None:
            return False
        user.use_stopped_at = utcnow()
        use_stopping.send(user)
        log_action(actor, "user.use_stopped", user)
    return True


def resume_use(user: User, actor: User | None) -> bool:
    with transaction():
        if user.use_stopped_at is None:
            return False
        user.use_stopped_at = None
        log_action(actor, "user.use_resumed", user)
    return True


def in_statistics(user: User | None = None):
    """Whether a person's data may be counted in statistics or profiling: their account exists and
    they have not stopped the use of their data. With ``user``: a bool; without: the SQL condition
    on User, for queries (``.where(in_statistics())``)."""
    if user is not None:
        return user.deleted_at is None and user.use_stopped_at is None
    return User.deleted_at.is_(None) & User.use_stopped_at.is_(None)


def _role_label(entry) -> str:
    from .models import ROLE_LABELS

    return str(ROLE_LABELS[Role(entry.data["role"])])


ACTION_LABELS = {
    "user.role_granted": lambda e: _("Granted the role “%(role)s”", role=_role_label(e)),
    "user.role_revoked": lambda e: _("Removed the role “%(role)s”", role=_role_label(e)),
    "user.personal_data_viewed": lambda e: _("Viewed the account's personal data"),
    "user.use_stopped": lambda e: _("Stopped the use of the account's personal data"),
    "user.use_resumed": lambda e: _("Resumed the use of the account's personal data"),
}
