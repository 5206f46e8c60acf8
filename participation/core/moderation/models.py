"""Reports by residents and the decisions moderators (or the report threshold) took."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...extensions import db
from ..models import User
from ..types import UTCDateTime, utcnow

DETAILS_MAX = 1000
REASON_MAX = 500  # also the length of the hidden_reason column of moderatable models


class ReportReason(StrEnum):
    SPAM = "spam"
    OFFENSIVE = "offensive"
    OFF_TOPIC = "off_topic"
    PERSONAL_INFO = "personal_info"

    @property
    def label(self) -> str:
        return str(REASON_LABELS[self])


REASON_LABELS = {
    ReportReason.SPAM: _l("Spam or advertising"),
    ReportReason.OFFENSIVE: _l("Offensive or abusive"),
    ReportReason.OFF_TOPIC: _l("Off-topic"),
    ReportReason.PERSONAL_INFO: _l("Exposes someone's personal information"),
}


class Decision(StrEnum):
    HIDE = "hide"
    RESTORE = "restore"
    DISMISS = "dismiss"
    BLOCK = "block"
    UNBLOCK = "unblock"


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class Report(db.Model):
    """One person's report of one record. The unique constraint, not a check in Python, makes a
    second report by the same person impossible, even when both arrive at the same moment."""

    __tablename__ = "moderation_reports"
    __table_args__ = (
        UniqueConstraint("resource_type", "resource_id", "reporter_id", name="one_report_per_person"),
        CheckConstraint(_in("reason", ReportReason), name="report_reason_known"),
        Index("ix_moderation_reports_open", "resolved_at", "resource_type", "resource_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_type: Mapped[str] = mapped_column(String(40))
    resource_id: Mapped[int]
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    details: Mapped[str | None] = mapped_column(String(DETAILS_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when a moderator decides on the record (hide, restore or dismiss); open reports have none.
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolution: Mapped[str | None] = mapped_column(String(20))

    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id])

    @property
    def reason_label(self) -> str:
        return ReportReason(self.reason).label


class ModerationDecision(db.Model):
    """The log of moderation: hide, restore, dismiss on content, block and unblock on accounts
    (``resource_type`` "user"). ``moderator_id`` is empty when the report threshold hid the record."""

    __tablename__ = "moderation_decisions"
    __table_args__ = (
        CheckConstraint(_in("action", Decision), name="decision_action_known"),
        Index("ix_moderation_decisions_resource", "resource_type", "resource_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_type: Mapped[str] = mapped_column(String(40))
    resource_id: Mapped[int]
    action: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(REASON_MAX))
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    report_count: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    moderator: Mapped[User | None] = relationship()
