"""Requests and complaints residents (or people without an account) file about their personal data.

A request names what it is about: the platform itself, or a registered resource (a policy, a device in
the register) as (type, id). The requester is an account or, for people without one, a contact
address. Erasure of the requester leaves the request as a number in the statistics: no text, no
address, no link to the person (``anonymised_at``).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import User
from ..core.types import UTCDateTime, utcnow
from ..extensions import db

DETAILS_MAX = 5000
RESPONSE_MAX = 10_000


class Kind(StrEnum):
    DISCLOSURE = "disclosure"
    CORRECTION = "correction"
    STOP_USE = "stop_use"
    ERASURE = "erasure"
    COMPLAINT = "complaint"

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])


KIND_LABELS = {
    Kind.DISCLOSURE: _l("Disclosure: see the data held about me"),
    Kind.CORRECTION: _l("Correction of my data"),
    Kind.STOP_USE: _l("Stop the use of my data"),
    Kind.ERASURE: _l("Erasure of my data"),
    Kind.COMPLAINT: _l("Complaint"),
}
KIND_SHORT = {
    Kind.DISCLOSURE: _l("Disclosure"),
    Kind.CORRECTION: _l("Correction"),
    Kind.STOP_USE: _l("Stop of use"),
    Kind.ERASURE: _l("Erasure"),
    Kind.COMPLAINT: _l("Complaint"),
}

TOPIC_LABELS = {
    "data_handling": _l("How personal data is handled"),
    "devices": _l("Cameras and sensors in public space"),
    "consent": _l("Consent and data-use policies"),
    "response": _l("How a request or inquiry was answered"),
    "other": _l("Other"),
}


class Status(StrEnum):
    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])

    @property
    def is_closed(self) -> bool:
        return self in (Status.ANSWERED, Status.DECLINED)


STATUS_LABELS = {
    Status.RECEIVED: _l("Received"),
    Status.IN_PROGRESS: _l("Being handled"),
    Status.ANSWERED: _l("Answered and closed"),
    Status.DECLINED: _l("Declined"),
}

PLATFORM = "platform"


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class RightsRequest(db.Model):
    __tablename__ = "rights_requests"
    __table_args__ = (
        CheckConstraint(_in("kind", Kind), name="rights_request_kind"),
        CheckConstraint(_in("status", Status), name="rights_request_status"),
        CheckConstraint("kind != 'complaint' OR topic IS NOT NULL", name="rights_complaint_has_topic"),
        CheckConstraint(
            "requester_id IS NOT NULL OR contact_email IS NOT NULL OR anonymised_at IS NOT NULL",
            name="rights_request_has_requester",
        ),
        CheckConstraint(
            "(about_type = 'platform' AND about_id IS NULL) OR (about_type != 'platform' AND about_id IS NOT NULL)",
            name="rights_request_about",
        ),
        CheckConstraint(
            "status != 'declined' OR response IS NOT NULL OR anonymised_at IS NOT NULL",
            name="rights_declined_has_reason",
        ),
        Index("ix_rights_requests_status_due", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    topic: Mapped[str | None] = mapped_column(String(30))
    about_type: Mapped[str] = mapped_column(String(40), default=PLATFORM, server_default=PLATFORM)
    about_id: Mapped[int | None]
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Only for people without an account: where answers go.
    contact_email: Mapped[str | None] = mapped_column(String(254))
    locale: Mapped[str | None] = mapped_column(String(10))
    details: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=Status.RECEIVED.value, server_default=Status.RECEIVED.value)
    response: Mapped[str | None] = mapped_column(Text)
    # A calendar date in the city's zone: answered by the end of this day.
    due_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # When the platform carried out an accepted stop-of-use or erasure request.
    carried_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    requester: Mapped[User | None] = relationship(foreign_keys=[requester_id])
    handled_by: Mapped[User | None] = relationship(foreign_keys=[handled_by_id])

    @property
    def kind_enum(self) -> Kind:
        return Kind(self.kind)

    @property
    def status_enum(self) -> Status:
        return Status(self.status)

    @property
    def is_closed(self) -> bool:
        return self.status_enum.is_closed

    @property
    def about_platform(self) -> bool:
        return self.about_type == PLATFORM

    @property
    def reply_address(self) -> str | None:
        if self.requester is not None:
            return self.requester.email
        return self.contact_email

    @property
    def reference(self) -> str:
        return f"R-{self.id:05d}"
