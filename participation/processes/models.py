"""Participatory processes (consultations): a published space with dated phases and categories.
Components (proposals, discussions, surveys...) plug into it through core/components.py; their
settings and stage switches are stored here generically, so a consultation names no component."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.components import setting_value, switch_value
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
    # The components' settings, {component: {key: value}}, as core.components declares and checks
    # them; read with ``setting()``. Assign a new dict to change it.
    settings: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
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

    def setting(self, component: str, key: str):
        """A component's setting for this consultation, or its declared default."""
        return setting_value(self.settings, component, key)

    def allows(self, switch: str, today: date) -> bool:
        """Whether the consultation is published and its stage running on ``today`` has ``switch`` on."""
        phase = self.current_phase(today) if self.is_published else None
        return phase is not None and phase.allows(switch)


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
    # The components' stage switches that are set for this stage, {switch name: bool}; read with
    # ``allows()``. Assign a new dict to change it.
    switches: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")

    process: Mapped[Process] = relationship(back_populates="phases")

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def overlaps(self, starts_on: date, ends_on: date) -> bool:
        return self.starts_on <= ends_on and starts_on <= self.ends_on

    def allows(self, switch: str) -> bool:
        """Whether residents can do ``switch`` (e.g. "proposals.create") during this stage."""
        return switch_value(self.switches, switch)


class ProcessCategory(db.Model):
    __tablename__ = "processes_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes_processes.id", ondelete="CASCADE"), index=True)
    name: Mapped[LocalizedText] = mapped_column(LocalizedTextType)
    position: Mapped[int] = mapped_column(default=0)

    process: Mapped[Process] = relationship(back_populates="categories")
