"""Every change to proposals and supports: one transaction each, written to the action log.

Supports are counted by an atomic ``UPDATE ... SET supports_count = supports_count + 1`` in the same
transaction as the support row; the UNIQUE (proposal, person) constraint is what really stops a second
support, so two requests arriving at the same moment give one support and one friendly answer.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from ..core import counters
from ..core.action_log import PUBLIC, log_action
from ..core.db import transaction
from ..core.errors import Refused
from ..core.models import District, Role, User
from ..core.notifications import ensure_following, followers_of, notify, users_with_role
from ..core.types import LocalizedText, local_today, utcnow
from ..extensions import db
from ..processes.models import Process
from .models import (
    ANSWER_MAX,
    BODY_MAX,
    COST_MAX,
    PLACE_MAX,
    TITLE_MAX,
    UPDATE_MAX,
    AnswerState,
    ProgressUpdate,
    Proposal,
    ProposalAnswer,
    Support,
)


class ProposalError(Refused):
    """A change refused for a reason the person can understand; ``message`` is in the reader's language."""


NOT_PUBLISHED = _l("This consultation is not open to the public.")
PROPOSALS_CLOSED = _l("Proposals cannot be submitted at the current stage of this consultation.")
SUPPORTS_CLOSED = _l("Proposals cannot be supported at the current stage of this consultation.")
WITHDRAWN = _l("This proposal has been withdrawn by its author and no longer takes supports.")
HIDDEN = _l("This proposal has been hidden by moderation and takes no supports.")
ALREADY_WITHDRAWN = _l("This proposal has already been withdrawn.")
EDIT_AFTER_SUPPORT = _l(
    "This proposal can no longer be edited because it has received supports. You can withdraw it instead."
)
MISSING_TITLE = _l("Enter a title.")
MISSING_BODY = _l("Describe your proposal.")
UNKNOWN_CATEGORY = _l("Choose a category from the list.")
UNKNOWN_DISTRICT = _l("Choose a district from the list.")
TOO_LONG = _l("This text is too long.")
ANSWER_WITHDRAWN = _l("A withdrawn proposal cannot be answered.")
UNKNOWN_STATE = _l("Choose a state from the list.")
MISSING_ANSWER = _l("Write the answer in at least one language.")
BAD_COST = _l("Enter the cost in yen as a whole number of 0 or more.")
NO_IMPLEMENTATION = _l("Progress can only be recorded for proposals that are accepted, in progress or implemented.")
BAD_PROGRESS = _l("Enter the progress as a whole number from 0 to 100.")
MISSING_UPDATE = _l("Describe the update in at least one language.")
MISSING_DATE = _l("Enter the date.")


COUNTER = "proposals"  # core.counters: public proposals per consultation


class SupportResult(StrEnum):
    SUPPORTED = "supported"
    ALREADY_SUPPORTED = "already_supported"
    REMOVED = "removed"
    NOT_SUPPORTED = "not_supported"


def limit_of(process: Process) -> int | None:
    """How many proposals of ``process`` one resident may support (None: no limit)."""
    return process.setting("proposals", "supports_per_resident")


def threshold_of(process: Process) -> int | None:
    """How many supports a proposal of ``process`` needs to reach the threshold (None: none)."""
    return process.setting("proposals", "support_threshold")


def _allows(process: Process, switch: str) -> bool:
    return process.allows(switch, local_today())


def _check_fields(process: Process, title: str, body: str, category_id, district_id, place) -> None:
    if not title:
        raise ProposalError(MISSING_TITLE)
    if not body:
        raise ProposalError(MISSING_BODY)
    if len(title) > TITLE_MAX or len(body) > BODY_MAX or (place and len(place) > PLACE_MAX):
        raise ProposalError(TOO_LONG)
    if category_id is not None and category_id not in {c.id for c in process.categories}:
        raise ProposalError(UNKNOWN_CATEGORY)
    if district_id is not None and db.session.get(District, district_id) is None:
        raise ProposalError(UNKNOWN_DISTRICT)


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


# --- proposals -------------------------------------------------------------------------------


def create_proposal(
    actor: User,
    process: Process,
    *,
    title: str,
    body: str,
    locale: str,
    category_id: int | None = None,
    district_id: int | None = None,
    place: str | None = None,
) -> Proposal:
    """A new proposal by ``actor``; only in a published process whose current stage takes proposals."""
    with transaction():
        title, body, place = (title or "").strip(), (body or "").strip(), _clean(place)
        if not process.is_published:
            raise ProposalError(NOT_PUBLISHED)
        if not _allows(process, "proposals.create"):
            raise ProposalError(PROPOSALS_CLOSED)
        _check_fields(process, title, body, category_id, district_id, place)
        proposal = Proposal(
            process_id=process.id,
            author_id=actor.id,
            title=title,
            body=body,
            locale=locale,
            category_id=category_id,
            district_id=district_id,
            place=place,
        )
        db.session.add(proposal)
        db.session.flush()
        counters.add(process, COUNTER)
        log_action(actor, "proposal.created", proposal, visibility=PUBLIC, data={"process_id": process.id})
        ensure_following(actor, proposal)
        # Only the consultation's followers hear of a new proposal; answers and progress go to the
        # proposal's own followers, so following a consultation does not mean every event in it.
        notify("proposal.created", proposal, actor=actor, recipients=followers_of(process), followers=False)
    return proposal


def proposals_count(process: Process) -> int:
    """How many public (not hidden) proposals ``process`` holds: the counter, one query."""
    return counters.value(process, COUNTER)


def recount_process(process: Process) -> None:
    """Set a process's counter to its public (not hidden) proposals, in one statement."""
    public = (
        db.select(db.func.count(Proposal.id))
        .where(Proposal.process_id == process.id, Proposal.hidden_at.is_(None))
        .scalar_subquery()
    )
    counters.set_to(process, COUNTER, public)


def _lock(proposal: Proposal) -> Proposal:
    """Re-read the proposal, locked until the end of the transaction (PostgreSQL; SQLite write
    transactions are serialised already), so a support cannot slip in between check and change."""
    return db.session.scalars(
        db.select(Proposal)
        .where(Proposal.id == proposal.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def update_proposal(
    actor: User,
    proposal: Proposal,
    *,
    title: str,
    body: str,
    category_id: int | None = None,
    district_id: int | None = None,
    place: str | None = None,
) -> Proposal:
    """The author's edit, refused once the first support has arrived or after withdrawal."""
    with transaction():
        proposal = _lock(proposal)
        title, body, place = (title or "").strip(), (body or "").strip(), _clean(place)
        if proposal.is_withdrawn:
            raise ProposalError(ALREADY_WITHDRAWN)
        if proposal.supports_count > 0:
            raise ProposalError(EDIT_AFTER_SUPPORT)
        _check_fields(proposal.process, title, body, category_id, district_id, place)
        proposal.title = title
        proposal.body = body
        proposal.category_id = category_id
        proposal.district_id = district_id
        proposal.place = place
        proposal.updated_at = utcnow()
        log_action(actor, "proposal.updated", proposal, visibility=PUBLIC)
    return proposal


def withdraw_proposal(actor: User, proposal: Proposal) -> Proposal:
    """The author withdraws: the proposal stays visible, marked, and takes no more supports."""
    with transaction():
        proposal = _lock(proposal)
        if proposal.is_withdrawn:
            raise ProposalError(ALREADY_WITHDRAWN)
        proposal.withdrawn_at = utcnow()
        log_action(actor, "proposal.withdrawn", proposal, visibility=PUBLIC)
    return proposal


# --- supports --------------------------------------------------------------------------------


def has_supported(user: User | None, proposal: Proposal) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return (
        db.session.scalar(
            db.select(Support.id).where(Support.proposal_id == proposal.id, Support.user_id == user.id).limit(1)
        )
        is not None
    )


def supports_used(user: User | None, process: Process) -> int | None:
    """How many proposals of ``process`` ``user`` supports, shown next to the process's limit;
    None when there is no limit or nobody is signed in (no query then)."""
    if limit_of(process) is None or user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        db.select(db.func.count(Support.id))
        .join(Proposal, Proposal.id == Support.proposal_id)
        .where(Support.user_id == user.id, Proposal.process_id == process.id)
    )


def support(actor: User, proposal: Proposal) -> SupportResult:
    """Add ``actor``'s support. Refusals raise ProposalError; a second support (even one arriving at
    the same moment as the first) is answered with ALREADY_SUPPORTED and changes nothing."""
    with transaction():
        # Lock the person's row (PostgreSQL) so one person's simultaneous supports in a process
        # are counted against the limit one after the other. NO KEY UPDATE: it still lets other
        # transactions insert rows referring to the person (a notification for a comment on the
        # same proposal), which FOR UPDATE blocked into a deadlock under load.
        db.session.execute(db.select(User.id).where(User.id == actor.id).with_for_update(key_share=True))
        proposal = db.session.scalars(
            db.select(Proposal).where(Proposal.id == proposal.id).execution_options(populate_existing=True)
        ).one()
        process = proposal.process
        if proposal.is_withdrawn:
            raise ProposalError(WITHDRAWN)
        if proposal.is_hidden:
            raise ProposalError(HIDDEN)
        if not _allows(process, "proposals.support"):
            raise ProposalError(SUPPORTS_CLOSED)
        if has_supported(actor, proposal):
            return SupportResult.ALREADY_SUPPORTED
        limit = limit_of(process)
        if limit is not None:
            used = supports_used(actor, process)
            if used >= limit:
                raise ProposalError(
                    _(
                        "You have already supported as many proposals as this consultation allows (%(limit)s).",
                        limit=limit,
                    )
                )
        try:
            with db.session.begin_nested():
                db.session.add(Support(proposal_id=proposal.id, user_id=actor.id))
        except IntegrityError:
            return SupportResult.ALREADY_SUPPORTED
        db.session.execute(
            update(Proposal)
            .where(Proposal.id == proposal.id)
            .values(supports_count=Proposal.supports_count + 1)
            .execution_options(synchronize_session=False)
        )
        log_action(actor, "proposal.supported", proposal)
        ensure_following(actor, proposal)
        threshold = threshold_of(process)
        if threshold is not None:
            reached = db.session.execute(
                update(Proposal)
                .where(
                    Proposal.id == proposal.id,
                    Proposal.threshold_reached_at.is_(None),
                    Proposal.supports_count >= threshold,
                )
                .values(threshold_reached_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            if reached.rowcount == 1:
                log_action(
                    None, "proposal.threshold_reached", proposal, visibility=PUBLIC, data={"threshold": threshold}
                )
                notify(
                    "proposal.threshold_reached",
                    proposal,
                    params={"threshold": threshold},
                    recipients=users_with_role(Role.STAFF),
                    followers=False,
                )
    db.session.expire(proposal)
    return SupportResult.SUPPORTED


def remove_support(actor: User, proposal: Proposal) -> SupportResult:
    """Take back ``actor``'s support while the current stage takes supports."""
    with transaction():
        proposal = db.session.scalars(
            db.select(Proposal).where(Proposal.id == proposal.id).execution_options(populate_existing=True)
        ).one()
        process = proposal.process
        if not _allows(process, "proposals.support"):
            raise ProposalError(SUPPORTS_CLOSED)
        deleted = db.session.execute(
            db.delete(Support)
            .where(Support.proposal_id == proposal.id, Support.user_id == actor.id)
            .execution_options(synchronize_session=False)
        )
        if deleted.rowcount != 1:
            return SupportResult.NOT_SUPPORTED
        db.session.execute(
            update(Proposal)
            .where(Proposal.id == proposal.id)
            .values(supports_count=Proposal.supports_count - 1)
            .execution_options(synchronize_session=False)
        )
        log_action(actor, "proposal.support_removed", proposal)
    db.session.expire(proposal)
    return SupportResult.REMOVED


# --- official answers and the implementation record ------------------------------------------


def answer_proposal(
    actor: User, proposal: Proposal, *, state: str, text: LocalizedText, cost: int | None = None
) -> ProposalAnswer:
    """Give ``proposal`` the city's official answer: it becomes the current answer and joins the
    proposal's answer history. The author and the proposal's followers (supporters follow what they
    support) are notified in this same transaction."""
    with transaction():
        proposal = _lock(proposal)
        if proposal.is_withdrawn:
            raise ProposalError(ANSWER_WITHDRAWN)
        changed = proposal.answer_state is not None
        try:
            state = AnswerState(state)
        except ValueError:
            raise ProposalError(UNKNOWN_STATE) from None
        text = text if isinstance(text, LocalizedText) else LocalizedText(text or {})
        if not text:
            raise ProposalError(MISSING_ANSWER)
        if any(len(value) > ANSWER_MAX for value in text.values()):
            raise ProposalError(TOO_LONG)
        if cost is not None and (isinstance(cost, bool) or not isinstance(cost, int) or not 0 <= cost <= COST_MAX):
            raise ProposalError(BAD_COST)
        now = utcnow()
        answer = ProposalAnswer(
            proposal_id=proposal.id, state=state.value, text=text, cost=cost, author_id=actor.id, created_at=now
        )
        db.session.add(answer)
        proposal.answer_state = state.value
        proposal.answer_text = text
        proposal.answer_cost = cost
        proposal.answered_at = now
        proposal.answered_by_id = actor.id
        if state == AnswerState.IMPLEMENTED and not proposal.updates:
            proposal.progress = 100
        db.session.flush()
        log_action(
            actor,
            "proposal.answered",
            proposal,
            visibility=PUBLIC,
            data={"state": state.value, "answer_id": answer.id},
        )
        # The author always hears the city's answer, even after unfollowing; a supporter who
        # unfollowed has asked not to.
        notify(
            "proposal.answered",
            proposal,
            actor=actor,
            params={"state": state.value, "answer_id": answer.id, "changed": changed},
            recipients=(proposal.author_id,) if proposal.author_id else (),
        )
    return answer


def add_progress_update(
    actor: User, proposal: Proposal, *, on: date, text: LocalizedText, progress: int
) -> ProgressUpdate:
    """A dated entry in the implementation record of an accepted, in-progress or implemented
    proposal; the proposal's progress becomes that of its latest-dated entry."""
    with transaction():
        proposal = _lock(proposal)
        if proposal.answer is None or not proposal.answer.has_implementation:
            raise ProposalError(NO_IMPLEMENTATION)
        if isinstance(progress, bool) or not isinstance(progress, int) or not 0 <= progress <= 100:
            raise ProposalError(BAD_PROGRESS)
        if not isinstance(on, date):
            raise ProposalError(MISSING_DATE)
        text = text if isinstance(text, LocalizedText) else LocalizedText(text or {})
        if not text:
            raise ProposalError(MISSING_UPDATE)
        if any(len(value) > UPDATE_MAX for value in text.values()):
            raise ProposalError(TOO_LONG)
        update_row = ProgressUpdate(proposal_id=proposal.id, on=on, text=text, progress=progress, author_id=actor.id)
        db.session.add(update_row)
        db.session.flush()
        latest = db.session.scalar(
            db.select(ProgressUpdate.progress)
            .where(ProgressUpdate.proposal_id == proposal.id)
            .order_by(ProgressUpdate.on.desc(), ProgressUpdate.id.desc())
            .limit(1)
        )
        proposal.progress = latest
        log_action(
            actor,
            "proposal.progress_updated",
            proposal,
            visibility=PUBLIC,
            data={"update_id": update_row.id, "progress": progress},
        )
        notify(
            "proposal.progress_updated",
            proposal,
            actor=actor,
            params={"update_id": update_row.id, "progress": progress},
            recipients=(proposal.author_id,) if proposal.author_id else (),
        )
    return update_row
