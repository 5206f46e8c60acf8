"""Participatory processes (consultations): a published space with dated phases and categories,
which proposals, supports and comments will live in."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import District
from ..core.types import LocalizedText, LocalizedTextType, UTCDateTime, utcnow
from ..extensions import db

OPEN = "open"
UPCOMING = "upcoming"
PAST = "past"
STATES = (OPEN, UPCOMING, PAST)

STATE_LABELS = {
    OPEN: _l("Open now"),
    UPCOMING: _l("Upcoming"),
    PAST: _l("Closed"),
}


class Process(db.Model):
    __tablename__ = "processes_processes"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[LocalizedText] = mapped_column(LocalizedTextType)
    summary: Mapped[LocalizedText] = mapped_column(LocalizedTextType)
    description: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id", ondelete="SET NULL"), index=True)
    # How many proposals one resident may support in this process, and how many supports a proposal
    # needs to reach the threshold (None: no limit, no threshold).
    supports_per_resident: Mapped[int | None]
    support_threshold: Mapped[int | None]
    # Whether residents (not only staff) may open deliberation threads in this process.
    residents_open_threads: Mapped[bool] = mapped_column(default=False, server_default="0")
    # Kept in step by the proposals capability (an atomic UPDATE when one is created), so the
    # consultation page and the unfiltered list show the number without counting rows.
    proposals_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # None while the process is a draft, seen by staff only.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    district: Mapped[District | None] = relationship()
    phases: Mapped[list[Phase]] = relationship(
        back_populates="process", cascade="all, delete-orphan", order_by="Phase.starts_on"
    )
    categories: Mapped[list[ProcessCategory]] = relationship(
        back_populates="process",
        cascade="all, delete-orphan",
        order_by="[ProcessCategory.position, ProcessCategory.id]",
    )

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def starts_on(self) -> date | None:
        return min((p.starts_on for p in self.phases), default=None)

    @property
    def ends_on(self) -> date | None:
        return max((p.ends_on for p in self.phases), default=None)

    def state(self, today: date) -> str | None:
        """ "upcoming" before the first phase, "open" until the last phase ends, "past" after;
        None while it has no phases."""
        if not self.phases:
            return None
        if today < self.starts_on:
            return UPCOMING
        if today > self.ends_on:
            return PAST
        return OPEN

    def current_phase(self, today: date) -> Phase | None:
        return next((p for p in self.phases if p.contains(today)), None)

    def comments_open_on(self, today: date) -> bool:
        """Whether the stage running on ``today`` takes comments (``Phase.comments_open``), for the
        comments capability to check before accepting one."""
        phase = self.current_phase(today)
        return self.is_published and phase is not None and phase.comments_open


class Phase(db.Model):
    """A stage of a process, from ``starts_on`` to ``ends_on`` inclusive, in the city's calendar."""

    __tablename__ = "processes_phases"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="dates_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes_processes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[LocalizedText] = mapped_column(LocalizedTextType)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    proposals_open: Mapped[bool] = mapped_column(default=False)
    supports_open: Mapped[bool] = mapped_column(default=False)
    comments_open: Mapped[bool] = mapped_column(default=False)

    process: Mapped[Process] = relationship(back_populates="phases")

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def overlaps(self, starts_on: date, ends_on: date) -> bool:
        return self.starts_on <= ends_on and starts_on <= self.ends_on


class ProcessCategory(db.Model):
    __tablename__ = "processes_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes_processes.id", ondelete="CASCADE"), index=True)
    name: Mapped[LocalizedText] = mapped_column(LocalizedTextType)
    position: Mapped[int] = mapped_column(default=0)

    process: Mapped[Process] = relationship(back_populates="categories")
