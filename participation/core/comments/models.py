"""Comments on any resource type that opts in (proposals, deliberation threads...), and votes on them.

A comment points at its record by (resource_type, resource_id), like the action log. ``root_id``
names the top-level comment of its conversation, so a page of top-level comments and everything
below them load in two queries whatever the numbers. Comments are never deleted as rows: a deleted
or hidden one keeps its place (and its replies) and shows a placeholder.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...extensions import db
from ..models import User
from ..types import UTCDateTime, utcnow

BODY_MAX = 5000
REASON_MAX = 500
MAX_DEPTH = 3  # a top-level comment is depth 1


class Stance(StrEnum):
    FOR = "for"
    AGAINST = "against"
    NEUTRAL = "neutral"

    @property
    def label(self) -> str:
        return str(STANCE_LABELS[self])


STANCE_LABELS = {
    Stance.FOR: _l("For"),
    Stance.AGAINST: _l("Against"),
    Stance.NEUTRAL: _l("Neutral"),
}


class Comment(db.Model):
    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_resource_roots", "resource_type", "resource_id", "parent_id", "created_at"),
        CheckConstraint("stance IS NULL OR stance IN ('for', 'against', 'neutral')", name="known_stance"),
        CheckConstraint("depth BETWEEN 1 AND 3", name="depth_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_type: Mapped[str] = mapped_column(String(40))
    resource_id: Mapped[int]
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    # The top-level comment of the conversation (itself for a top-level comment; set after insert).
    root_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    depth: Mapped[int] = mapped_column(SmallInteger, default=1, server_default="1")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    body: Mapped[str] = mapped_column(Text)
    # The language the author wrote in (shown with a lang attribute, never translated by the site).
    locale: Mapped[str] = mapped_column(String(10))
    stance: Mapped[str | None] = mapped_column(String(10))
    # Marked by staff as the city's official answer (where the resource type allows it).
    official: Mapped[bool] = mapped_column(default=False, server_default="0")
    upvotes: Mapped[int] = mapped_column(default=0, server_default="0")
    downvotes: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by moderation: a hidden comment shows a placeholder and does not count.
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str | None] = mapped_column(String(REASON_MAX))

    author: Mapped[User | None] = relationship()

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_visible(self) -> bool:
        return self.deleted_at is None and self.hidden_at is None

    @property
    def stance_value(self) -> Stance | None:
        return Stance(self.stance) if self.stance else None


class CommentVote(db.Model):
    """One person's up (+1) or down (-1) vote on one comment; the constraint makes a second impossible."""

    __tablename__ = "comment_votes"
    __table_args__ = (
        UniqueConstraint("comment_id", "user_id", name="one_vote_per_person"),
        CheckConstraint("value IN (1, -1)", name="vote_value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    value: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
