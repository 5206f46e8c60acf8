"""Every moderation change: one transaction each, written to the action log (restricted: reports name
their reporter, decisions their moderator).

A record is hidden by setting ``hidden_at``/``hidden_reason`` on the loaded object (not by a bulk
UPDATE), so the search outbox sees the change and the index drops the record after commit.
"""

from __future__ import annotations

from enum import StrEnum

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ..action_log import log_action
from ..db import transaction
from ..errors import Refused
from ..models import Role, User
from ..notifications import notify
from ..resources import ResourceType, resource_type, type_name_of
from ..signals import content_moderated
from ..types import utcnow
from .models import DETAILS_MAX, REASON_MAX, Decision, ModerationDecision, Report, ReportReason

# Stored in hidden_reason when the report threshold hid a record; shown translated (see hidden_reason_text).
AUTO_HIDDEN = "auto:reports"
# Accounts whose holders run the site are not blocked from the moderation queue.
UNBLOCKABLE_ROLES = (Role.ADMIN, Role.MODERATOR, Role.STAFF)


class ModerationError(Refused):
    """A refusal the person can understand; ``message`` is in the reader's language."""


class ReportResult(StrEnum):
    REPORTED = "reported"
    ALREADY_REPORTED = "already_reported"


OWN_CONTENT = _l("You cannot report your own contribution.")
BLOCKED = _l("Your account has been blocked by a moderator, so you cannot report content.")
UNKNOWN_REASON = _l("Choose a reason from the list.")
DETAILS_TOO_LONG = _l("The details are too long.")
MISSING_REASON = _l("Write the reason for this decision.")
REASON_TOO_LONG = _l("The reason is too long.")
ALREADY_HIDDEN = _l("This content is already hidden.")
NOT_HIDDEN = _l("This content is not hidden.")
NO_OPEN_REPORTS = _l("There are no open reports on this content.")
DISMISS_HIDDEN = _l("This content is hidden: restore it or keep it hidden instead.")
BLOCK_SELF = _l("You cannot block your own account.")
BLOCK_STAFF = _l("Accounts of staff, moderators and administrators cannot be blocked here.")
ALREADY_BLOCKED = _l("This account is already blocked.")
NOT_BLOCKED = _l("This account is not blocked.")
AUTO_HIDDEN_TEXT = _l("Hidden automatically after several reports, pending review by a moderator.")


# --- looking things up -----------------------------------------------------------------------------


def moderatable_type(name: str) -> ResourceType | None:
    rtype = resource_type(name)
    return rtype if rtype is not None and rtype.moderatable else None


def load(name: str, ident: int, *, lock: bool = False):
    """The record of moderatable type ``name`` with id ``ident``, or None."""
    rtype = moderatable_type(name)
    if rtype is None:
        return None
    model = rtype.model
    query = db.select(model).where(model.id == ident)
    if lock:
        # Re-read, locked until the end of the transaction (PostgreSQL; SQLite serialises writers),
        # so two reports arriving together count one after the other against the threshold.
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.scalars(query).first()


def is_hidden(obj) -> bool:
    return getattr(obj, "hidden_at", None) is not None


def author_id_of(obj) -> int | None:
    """Moderatable models name their author ``author_id`` (proposals, comments, threads)."""
    return getattr(obj, "author_id", None)


def hidden_reason_text(obj) -> str:
    reason = getattr(obj, "hidden_reason", None)
    if reason == AUTO_HIDDEN:
        return str(AUTO_HIDDEN_TEXT)
    return reason or ""


def open_report_count(name: str, ident: int) -> int:
    return (
        db.session.scalar(
            db.select(db.func.count(Report.id)).where(
                Report.resource_type == name, Report.resource_id == ident, Report.resolved_at.is_(None)
            )
        )
        or 0
    )


def has_reported(user, obj) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    name = type_name_of(obj)
    return (
        db.session.scalar(
            db.select(Report.id)
            .where(Report.resource_type == name, Report.resource_id == obj.id, Report.reporter_id == user.id)
            .limit(1)
        )
        is not None
    )


def _clean_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ModerationError(MISSING_REASON)
    if len(reason) > REASON_MAX:
        raise ModerationError(REASON_TOO_LONG)
    return reason


def _resolve_open_reports(name: str, ident: int, actor: User, resolution: str) -> int:
    result = db.session.execute(
        db.update(Report)
        .where(Report.resource_type == name, Report.resource_id == ident, Report.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolved_by_id=actor.id, resolution=resolution)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def _set_hidden(obj, hidden: bool, reason: str | None) -> None:
    obj.hidden_at = utcnow() if hidden else None
    obj.hidden_reason = reason if hidden else None
    db.session.flush()  # the search outbox records the change in this transaction
    content_moderated.send(obj, hidden=hidden)  # counters of visible records are recomputed


# --- reports ---------------------------------------------------------------------------------------


def report(actor: User, obj, *, reason: str, details: str | None = None) -> ReportResult:
    """``actor`` reports ``obj``. A second report by the same person (even at the same moment) is
    answered with ALREADY_REPORTED and changes nothing. When the open reports reach the threshold
    (MODERATION_HIDE_AFTER_REPORTS), the record is hidden pending review."""
    name = type_name_of(obj)
    if moderatable_type(name) is None:
        raise LookupError(f"{name} is not moderatable")
    try:
        reason = ReportReason(reason)
    except ValueError:
        raise ModerationError(UNKNOWN_REASON) from None
    details = (details or "").strip() or None
    if details and len(details) > DETAILS_MAX:
        raise ModerationError(DETAILS_TOO_LONG)
    with transaction():
        obj = load(name, obj.id, lock=True)
        if actor.blocked_at is not None:
            raise ModerationError(BLOCKED)
        if author_id_of(obj) == actor.id:
            raise ModerationError(OWN_CONTENT)
        try:
            with db.session.begin_nested():
                db.session.add(
                    Report(resource_type=name, resource_id=obj.id, reporter_id=actor.id, reason=reason, details=details)
                )
        except IntegrityError:
            return ReportResult.ALREADY_REPORTED
        log_action(actor, "moderation.reported", obj, data={"reason": reason.value})
        threshold = current_app.config["MODERATION_HIDE_AFTER_REPORTS"]
        if threshold and not is_hidden(obj):
            count = open_report_count(name, obj.id)
            if count >= threshold:
                _set_hidden(obj, True, AUTO_HIDDEN)
                db.session.add(
                    ModerationDecision(
                        resource_type=name,
                        resource_id=obj.id,
                        action=Decision.HIDE,
                        reason=AUTO_HIDDEN,
                        report_count=count,
                    )
                )
                log_action(None, "moderation.auto_hidden", obj, data={"reports": count})
                _tell_author("moderation.auto_hidden", obj, None)
    return ReportResult.REPORTED


# --- decisions on content --------------------------------------------------------------------------


def _tell_author(kind: str, obj, actor: User | None, reason: str | None = None) -> None:
    """Tell the author what happened to their contribution. The moderator's reason is kept as written:
    it is the decision's own text, not something to translate."""
    author_id = author_id_of(obj)
    if author_id is None:
        return
    params = {"type": type_name_of(obj)}
    if reason is not None:
        params["reason"] = reason
    notify(kind, obj, actor=actor, params=params, recipients=[author_id], followers=False)


def _decide(actor: User, obj, action: Decision, reason: str | None, resolution: str) -> ModerationDecision:
    name = type_name_of(obj)
    resolved = _resolve_open_reports(name, obj.id, actor, resolution)
    decision = ModerationDecision(
        resource_type=name,
        resource_id=obj.id,
        action=action,
        reason=reason,
        moderator_id=actor.id,
        report_count=resolved,
    )
    db.session.add(decision)
    db.session.flush()
    log_action(actor, f"moderation.{action.value}", obj, data={"decision_id": decision.id, "reports": resolved})
    return decision


def hide(actor: User, obj, *, reason: str) -> ModerationDecision:
    """Hide ``obj`` (or confirm a record the threshold hid) with a written reason; closes its reports."""
    reason = _clean_reason(reason)
    name = type_name_of(obj)
    with transaction():
        obj = load(name, obj.id, lock=True)
        if is_hidden(obj) and obj.hidden_reason != AUTO_HIDDEN:
            raise ModerationError(ALREADY_HIDDEN)
        _set_hidden(obj, True, reason)
        decision = _decide(actor, obj, Decision.HIDE, reason, "upheld")
        _tell_author("moderation.hidden", obj, actor, reason)
    return decision


def restore(actor: User, obj, *, reason: str) -> ModerationDecision:
    """Make a hidden record public again with a written reason; its open reports are set aside."""
    reason = _clean_reason(reason)
    name = type_name_of(obj)
    with transaction():
        obj = load(name, obj.id, lock=True)
        if not is_hidden(obj):
            raise ModerationError(NOT_HIDDEN)
        _set_hidden(obj, False, None)
        decision = _decide(actor, obj, Decision.RESTORE, reason, "dismissed")
        _tell_author("moderation.restored", obj, actor, reason)
    return decision


def dismiss(actor: User, obj, *, reason: str | None = None) -> ModerationDecision:
    """The reports on a visible record are unfounded: close them, leave the record as it is."""
    reason = (reason or "").strip() or None
    if reason and len(reason) > REASON_MAX:
        raise ModerationError(REASON_TOO_LONG)
    name = type_name_of(obj)
    with transaction():
        obj = load(name, obj.id, lock=True)
        if is_hidden(obj):
            raise ModerationError(DISMISS_HIDDEN)
        if open_report_count(name, obj.id) == 0:
            raise ModerationError(NO_OPEN_REPORTS)
        decision = _decide(actor, obj, Decision.DISMISS, reason, "dismissed")
    return decision


# --- blocking accounts -----------------------------------------------------------------------------


def _lock_user(user: User) -> User:
    return db.session.scalars(
        db.select(User).where(User.id == user.id).with_for_update().execution_options(populate_existing=True)
    ).one()


def block_user(actor: User, user: User, *, reason: str) -> ModerationDecision:
    """Block ``user``: they keep reading and signing in but can no longer post, support or report."""
    reason = _clean_reason(reason)
    with transaction():
        user = _lock_user(user)
        if user.id == actor.id:
            raise ModerationError(BLOCK_SELF)
        if user.has_role(*UNBLOCKABLE_ROLES):
            raise ModerationError(BLOCK_STAFF)
        if user.blocked_at is not None:
            raise ModerationError(ALREADY_BLOCKED)
        user.blocked_at = utcnow()
        decision = ModerationDecision(
            resource_type="user", resource_id=user.id, action=Decision.BLOCK, reason=reason, moderator_id=actor.id
        )
        db.session.add(decision)
        db.session.flush()
        log_action(actor, "moderation.user_blocked", user, data={"decision_id": decision.id})
    return decision


def unblock_user(actor: User, user: User, *, reason: str) -> ModerationDecision:
    reason = _clean_reason(reason)
    with transaction():
        user = _lock_user(user)
        if user.blocked_at is None:
            raise ModerationError(NOT_BLOCKED)
        user.blocked_at = None
        decision = ModerationDecision(
            resource_type="user", resource_id=user.id, action=Decision.UNBLOCK, reason=reason, moderator_id=actor.id
        )
        db.session.add(decision)
        db.session.flush()
        log_action(actor, "moderation.user_unblocked", user, data={"decision_id": decision.id})
    return decision
