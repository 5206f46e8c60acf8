"""Proposals residents make inside a participatory process, and the supports they collect.

A proposal's title, body and place are written by a resident: plain strings stored with the language
they were written in (``locale``), not per-locale text. ``supports_count`` is kept in step with the
supports by an atomic UPDATE in the same transaction, so lists never count rows.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.append_only import append_only
from ..core.models import District, User
from ..core.types import LocalizedText, LocalizedTextType, UTCDateTime, utcnow
from ..extensions import db
from ..processes.models import Process, ProcessCategory

TITLE_MAX = 150
BODY_MAX = 5000
PLACE_MAX = 200
ANSWER_MAX = 10_000
UPDATE_MAX = 5000
COST_MAX = 10**13  # ten trillion yen: more than any city budget


def new_shuffle_key() -> int:
    return secrets.randbelow(2**31 - 1)


class AnswerState(StrEnum):
    """The city's official answer to a proposal."""

    EVALUATING = "evaluating"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    IN_PROGRESS = "in_progress"
    IMPLEMENTED = "implemented"

    @property
    def label(self) -> str:
        return str(ANSWER_LABELS[self])

    @property
    def has_implementation(self) -> bool:
        """Whether the proposal carries an implementation record (progress and dated updates)."""
        return self in IMPLEMENTATION_STATES


ANSWER_LABELS = {
    AnswerState.EVALUATING: _l("Under evaluation"),
    AnswerState.ACCEPTED: _l("Accepted"),
    AnswerState.REJECTED: _l("Not accepted"),
    AnswerState.IN_PROGRESS: _l("In progress"),
    AnswerState.IMPLEMENTED: _l("Implemented"),
}
IMPLEMENTATION_STATES = frozenset({AnswerState.ACCEPTED, AnswerState.IN_PROGRESS, AnswerState.IMPLEMENTED})


class Proposal(db.Model):
    __tablename__ = "proposals_proposals"
    # One index per order of the list, each led by the process, so a page reads only its rows.
    __table_args__ = (
        Index("ix_proposals_proposals_process_created", "process_id", "created_at", "id"),
        Index("ix_proposals_proposals_process_supports", "process_id", "supports_count", "id"),
        Index("ix_proposals_proposals_process_comments", "process_id", "comments_count", "id"),
        Index("ix_proposals_proposals_process_shuffle", "process_id", "shuffle_key", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes_processes.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    body: Mapped[str] = mapped_column(Text)
    # The language the author wrote in (shown with a lang attribute, never translated by the site).
    locale: Mapped[str] = mapped_column(String(10))
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("processes_categories.id", ondelete="SET NULL"), index=True
    )
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id", ondelete="SET NULL"), index=True)
    place: Mapped[str | None] = mapped_column(String(PLACE_MAX))
    supports_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # Visible comments (not deleted, not hidden), kept up to date by core.comments.
    comments_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # A random number fixed at creation: the "random" order of the list (see views._shuffled).
    shuffle_key: Mapped[int] = mapped_column(default=new_shuffle_key, server_default="0")
    threshold_reached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # The city's current official answer (its earlier answers are kept in ProposalAnswer).
    answer_state: Mapped[str | None] = mapped_column(String(20), index=True)
    answer_text: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    answer_cost: Mapped[int | None] = mapped_column(BigInteger)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Implementation progress in percent, as of the latest dated update.
    progress: Mapped[int] = mapped_column(default=0, server_default="0")
    # Moderation (core.moderation): hidden records show a placeholder and leave lists, exports and search.
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str | None] = mapped_column(String(500))

    process: Mapped[Process] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
    category: Mapped[ProcessCategory | None] = relationship()
    district: Mapped[District | None] = relationship()
    answers: Mapped[list[ProposalAnswer]] = relationship(
        back_populates="proposal", order_by="ProposalAnswer.created_at.desc(), ProposalAnswer.id.desc()"
    )
    updates: Mapped[list[ProgressUpdate]] = relationship(
        back_populates="proposal", order_by="ProgressUpdate.on.desc(), ProgressUpdate.id.desc()"
    )

    @property
    def answer(self) -> AnswerState | None:
        return AnswerState(self.answer_state) if self.answer_state else None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def threshold(self) -> int | None:
        return self.process.setting("proposals", "support_threshold")

    @property
    def threshold_reached(self) -> bool:
        return self.threshold_reached_at is not None


class Support(db.Model):
    """One resident's support for one proposal; the unique constraint makes a second one impossible
    even when two requests arrive at the same moment."""

    __tablename__ = "proposals_supports"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id", name="one_support_per_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals_proposals.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@append_only("the answer history", deletes=True)  # deleted with the proposal
class ProposalAnswer(db.Model):
    """One official answer as it was given, so residents see how the city's answer changed."""

    __tablename__ = "proposals_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals_proposals.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(20))
    text: Mapped[LocalizedText] = mapped_column(LocalizedTextType)
    cost: Mapped[int | None] = mapped_column(BigInteger)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="answers")

    @property
    def answer(self) -> AnswerState:
        return AnswerState(self.state)


class ProgressUpdate(db.Model):
    """A dated entry in an accepted proposal's implementation record."""

    __tablename__ = "proposals_progress_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals_proposals.id", ondelete="CASCADE"), index=True)
    # A calendar date in the city's time zone (the day the work happened), not a moment.
    on: Mapped[date] = mapped_column(Date)
    text: Mapped[LocalizedText] = mapped_column(LocalizedTextType)
    progress: Mapped[int]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="updates")
