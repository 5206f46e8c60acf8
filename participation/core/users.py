"""State changes on users that the core owns: language preference and roles."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from .action_log import log_action
from .db import transaction
from .models import Role, RoleGrant, User


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


def _role_label(entry) -> str:
    from .models import ROLE_LABELS

    return str(ROLE_LABELS[Role(entry.data["role"])])


ACTION_LABELS = {
    "user.role_granted": lambda e: _("Granted the role “%(role)s”", role=_role_label(e)),
    "user.role_revoked": lambda e: _("Removed the role “%(role)s”", role=_role_label(e)),
    "user.personal_data_viewed": lambda e: _("Viewed the account's personal data"),
}
