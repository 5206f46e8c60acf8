"""What moderation holds about a person, what account deletion does to it, and its retention.

My data lists the reports the person filed and only the number of moderators' decisions on their
own contributions: reports others filed about them are not disclosed (they would name the reporters).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, false, or_, update

from ...extensions import db
from .. import registry, resources
from ..action_log import log_action
from ..db import transaction
from .models import ModerationDecision, Report, ReportReason


def _about(report: Report) -> str:
    rtype = resources.resource_type(report.resource_type)
    return f"{rtype.label if rtype else report.resource_type} {report.resource_id}"


def _on_own_content(user_id: int):
    """SQL condition: the decision is about a record the person wrote (any moderatable type)."""
    conditions = [
        and_(
            ModerationDecision.resource_type == rtype.name,
            ModerationDecision.resource_id.in_(db.select(rtype.model.id).where(rtype.model.author_id == user_id)),
        )
        for rtype in registry.get(resources.EXTENSION_KEY).values()
        if rtype.moderatable and hasattr(rtype.model, "author_id")
    ]
    return or_(*conditions) if conditions else false()


def personal_data(user) -> dict:
    reports = db.session.scalars(db.select(Report).where(Report.reporter_id == user.id).order_by(Report.id)).all()
    decisions = db.session.scalar(db.select(db.func.count(ModerationDecision.id)).where(_on_own_content(user.id)))
    return {
        _l("Content you reported"): [
            {
                _l("About"): _about(r),
                _l("Reason"): ReportReason(r.reason).label,
                _l("Details"): r.details,
                _l("Reported at"): r.created_at,
                _l("Resolved at"): r.resolved_at,
            }
            for r in reports
        ],
        _l("Moderation of your contributions and account"): [
            {
                _l("Decisions by moderators on your contributions"): decisions or 0,
                _l("Account blocked since"): user.blocked_at,
            }
        ],
    }


def erase(user) -> None:
    """account_deleting receiver. Reports already resolved go; open ones stay for the moderators
    (the content was still reported) without their free text, under the emptied account. The
    account's block and the moderators' written reasons about it go too."""
    db.session.execute(db.delete(Report).where(Report.reporter_id == user.id, Report.resolved_at.is_not(None)))
    db.session.execute(
        update(Report)
        .where(Report.reporter_id == user.id)
        .values(details=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(ModerationDecision)
        .where(ModerationDecision.resource_type == "user", ModerationDecision.resource_id == user.id)
        .values(reason=None)
        .execution_options(synchronize_session=False)
    )
    user.blocked_at = None


def enforce_resolved_report_details(cutoff, dry_run: bool) -> int:
    """Retention: the free-text details of reports resolved before ``cutoff`` are removed (the
    reason code, dates and decision stay for the moderation record)."""
    condition = (Report.resolved_at < cutoff) & Report.details.is_not(None)
    count = db.session.scalar(db.select(db.func.count(Report.id)).where(condition)) or 0
    if dry_run or not count:
        return count
    with transaction():
        db.session.execute(
            update(Report).where(condition).values(details=None).execution_options(synchronize_session=False)
        )
        log_action(None, "retention.enforced", data={"category": "moderation.report_details", "count": count})
    return count
