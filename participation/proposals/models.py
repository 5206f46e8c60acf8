"""Proposals residents make inside a participatory process, and the supports they collect.

A proposal's title, body and place are written by a resident: plain strings stored with the language
they were written in (``locale``), not per-locale text. ``supports_count`` is kept in step with the
supports by an atomic UPDATE in the same transaction, so lists never count rows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import District, User
from ..core.types import UTCDateTime, utcnow
from ..extensions import db
from ..processes.models import Process, ProcessCategory

TITLE_MAX = 150
BODY_MAX = 5000
PLACE_MAX = 200


class Proposal(db.Model):
    __tablename__ = "proposals_proposals"
    __table_args__ = (Index("ix_proposals_proposals_process_created", "process_id", "created_at"),)

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
    threshold_reached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    process: Mapped[Process] = relationship()
    author: Mapped[User | None] = relationship()
    category: Mapped[ProcessCategory | None] = relationship()
    district: Mapped[District | None] = relationship()

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def threshold(self) -> int | None:
        return self.process.support_threshold

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
