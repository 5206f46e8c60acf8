"""What the platform holds about a person's account: the profile, roles, their own entries in the
action log, and each time staff viewed their personal data. Also the retention of deleted accounts'
traces in the action log."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from ..core.action_log import describe, log_action
from ..core.db import transaction
from ..core.i18n import localize
from ..core.models import AGE_GROUPS, ROLE_LABELS, ActionLog, Role, User
from ..extensions import db

STAFF_VIEW_ACTION = "user.personal_data_viewed"


def personal_data(user: User) -> dict:
    profile = {
        _l("E-mail address"): user.email,
        _l("Display name"): user.display_name,
        _l("Language"): user.locale,
        _l("District"): localize(user.district.name).text if user.district else None,
        _l("Age group"): AGE_GROUPS.get(user.age_group) if user.age_group else None,
        _l("Terms of use accepted"): user.terms_version,
        _l("Terms accepted at"): user.terms_accepted_at,
        _l("Registered at"): user.created_at,
        _l("Use of data stopped at"): user.use_stopped_at,
    }
    roles = [
        {_l("Role"): ROLE_LABELS[Role(grant.role)], _l("Granted at"): grant.granted_at} for grant in user.role_grants
    ]
    own = db.session.scalars(
        db.select(ActionLog).where(ActionLog.actor_id == user.id).order_by(ActionLog.created_at.desc()).limit(1000)
    ).all()
    views = db.session.scalars(
        db.select(ActionLog)
        .where(
            ActionLog.action == STAFF_VIEW_ACTION, ActionLog.resource_type == "user", ActionLog.resource_id == user.id
        )
        .options(db.joinedload(ActionLog.actor))
        .order_by(ActionLog.created_at.desc())
        .limit(1000)
    ).all()
    return {
        _l("Profile"): [profile],
        _l("Roles"): roles,
        _l("Your activity in the action log"): [
            {_l("When"): entry.created_at, _l("What"): describe(entry)} for entry in own
        ],
        _l("Times staff viewed your personal data"): [
            {_l("When"): entry.created_at, _l("Staff member"): entry.actor.public_name if entry.actor else None}
            for entry in views
        ],
    }


def enforce_deleted_actor_links(cutoff, dry_run: bool) -> int:
    """Retention: restricted log entries older than ``cutoff`` by accounts since deleted lose the
    link to the (already emptied) account, so old activity cannot be tied to one former person."""
    condition = (ActionLog.created_at < cutoff) & ActionLog.actor_id.in_(
        db.select(User.id).where(User.deleted_at.is_not(None))
    )
    count = db.session.scalar(db.select(db.func.count(ActionLog.id)).where(condition)) or 0
    if dry_run or not count:
        return count
    with transaction():
        # A table-level UPDATE: the ORM guard keeps the log append-only for everything else.
        db.session.execute(update(ActionLog.__table__).where(condition).values(actor_id=None))
        log_action(None, "retention.enforced", data={"category": "accounts.deleted_actor_links", "count": count})
    return count
