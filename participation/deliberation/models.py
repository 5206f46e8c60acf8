"""Deliberation threads: a question put to a process's participants, discussed in comments and
closed by staff with a written conclusion."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import User
from ..core.types import LocalizedText, LocalizedTextType, UTCDateTime, utcnow
from ..extensions import db
from ..processes.models import Process

TITLE_MAX = 150
BODY_MAX = 10_000
CONCLUSION_MAX = 10_000
REASON_MAX = 500


class Thread(db.Model):
    __tablename__ = "deliberation_threads"
    __table_args__ = (Index("ix_deliberation_threads_process_created", "process_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes_processes.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    title: Mapped[LocalizedText] = mapped_column(LocalizedTextType)
    body: Mapped[LocalizedText] = mapped_column(LocalizedTextType)
    asks_stance: Mapped[bool] = mapped_column(default=False, server_default="0")
    # Visible comments (not deleted, not hidden), kept up to date by core.comments.
    comments_count: Mapped[int] = mapped_column(default=0, server_default="0")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    conclusion: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    # Set by moderation: a hidden thread is seen by staff and moderators only.
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str | None] = mapped_column(String(REASON_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    process: Mapped[Process] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None
