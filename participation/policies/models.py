"""Data-use policies with their versions, the consents residents give under them, and the ledger of
provisions of personal data to third parties."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.append_only import append_only
from ..core.models import User
from ..core.types import LocalizedText, LocalizedTextType, UTCDateTime, utcnow
from ..extensions import db

SCOPE_LABELS = {
    "city": _l("City-wide policy"),
    "service": _l("Policy for a project or service"),
}

STATUS_LABELS = {
    "draft": _l("Draft"),
    "consultation": _l("Public consultation"),
    "adopted": _l("In force"),
    "superseded": _l("Superseded"),
}

TRIGGER_LABELS = {
    "law": _l("Change in the law"),
    "technology": _l("Change in technology"),
    "feedback": _l("Residents' feedback"),
    "incident": _l("Incident"),
    "other": _l("Other"),
}

CONSENT_KIND_LABELS = {
    "profiling": _l("Profiling"),
    "third_party": _l("Provision to a third party"),
    "new_purpose": _l("New purpose"),
    "living_lab": _l("Living-lab data"),
}

BASIS_LABELS = {
    "consent": _l("Consent of the person"),
    "law": _l("Required or permitted by law"),
    "anonymised": _l("Anonymised or statistical data"),
    "other": _l("Other (see the note)"),
}

# The text fields of a version, in the order the policy page shows them.
VERSION_FIELDS = (
    "purposes",
    "data_items",
    "legal_basis",
    "retention",
    "recipients",
    "transfers_abroad",
    "security",
    "contact",
    "complaints",
)

FIELD_LABELS = {
    "title": _l("Title"),
    "purposes": _l("Purposes of use"),
    "data_items": _l("Data items and their sources"),
    "legal_basis": _l("Legal basis"),
    "retention": _l("Retention period of each item"),
    "recipients": _l("Recipients and provision to third parties"),
    "transfers_abroad": _l("Transfers abroad"),
    "security": _l("Security measures"),
    "contact": _l("Contact point"),
    "complaints": _l("Complaint procedure"),
    "summary": _l("Summary of the change"),
}


class Policy(db.Model):
    """A data-use policy: city-wide, or for the project, service or devices it covers."""

    __tablename__ = "policies"
    __table_args__ = (CheckConstraint("scope IN ('city', 'service')", name="policy_scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(20))
    # The title of the latest adopted version (or of the draft while none is adopted), for lists.
    title: Mapped[LocalizedText] = mapped_column(LocalizedTextType)
    # Set when a version first goes to public consultation or is adopted; until then it is staff-only.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    versions: Mapped[list[PolicyVersion]] = relationship(
        back_populates="policy", order_by="PolicyVersion.number", cascade="all, delete-orphan"
    )

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def scope_label(self):
        return SCOPE_LABELS.get(self.scope, self.scope)


class PolicyVersion(db.Model):
    """One text of a policy. Draft and consultation versions are edited by staff; adopted ones never
    change again: the next adopted version supersedes them."""

    __tablename__ = "policy_versions"
    __table_args__ = (
        UniqueConstraint("policy_id", "number"),
        CheckConstraint("status IN ('draft', 'consultation', 'adopted', 'superseded')", name="version_status"),
        CheckConstraint(
            "revision_trigger IS NULL OR revision_trigger IN ('law', 'technology', 'feedback', 'incident', 'other')",
            name="version_trigger",
        ),
        Index("ix_policy_versions_status", "policy_id", "status"),
        # One version in force per policy, whatever the services do.
        Index(
            "uq_policy_versions_one_adopted",
            "policy_id",
            unique=True,
            sqlite_where=text("status = 'adopted'"),
            postgresql_where=text("status = 'adopted'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id", ondelete="CASCADE"))
    number: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default="draft")
    title: Mapped[LocalizedText] = mapped_column(LocalizedTextType)
    purposes: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    data_items: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    legal_basis: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    retention: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    recipients: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    transfers_abroad: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    security: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    contact: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    complaints: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    # Why this version was written (required at adoption for every version after the first).
    revision_trigger: Mapped[str | None] = mapped_column(String(20))
    summary: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    consultation_until: Mapped[date | None] = mapped_column(Date)
    consultation_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    adopted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    policy: Mapped[Policy] = relationship(back_populates="versions")
    consent_items: Mapped[list[ConsentItem]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="ConsentItem.id"
    )

    @property
    def status_label(self):
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def trigger_label(self):
        return TRIGGER_LABELS.get(self.revision_trigger, self.revision_trigger) if self.revision_trigger else None

    @property
    def is_editable(self) -> bool:
        return self.status in ("draft", "consultation")

    @property
    def is_public(self) -> bool:
        return self.status != "draft"


class ConsentItem(db.Model):
    """A purpose (optionally for one recipient) of a version that is served only with consent.

    ``purpose_key`` names the purpose across versions and policies (code asks ``has_consent`` by it);
    ``since_version`` is the version number from which its present scope applies: a version that
    widens the purpose or adds the recipient sets it to its own number, so consents given earlier
    no longer count and residents are asked again.
    """

    __tablename__ = "policy_consent_items"
    __table_args__ = (
        UniqueConstraint("version_id", "purpose_key", "recipient"),
        CheckConstraint("kind IN ('profiling', 'third_party', 'new_purpose', 'living_lab')", name="consent_item_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("policy_versions.id", ondelete="CASCADE"), index=True)
    purpose_key: Mapped[str] = mapped_column(String(60))
    # "" when the consent is for the purpose itself rather than for one recipient.
    recipient: Mapped[str] = mapped_column(String(60), default="")
    kind: Mapped[str] = mapped_column(String(20))
    label: Mapped[LocalizedText] = mapped_column(LocalizedTextType)
    description: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    recipient_name: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    # Staff tick this when the version widens the purpose; a new recipient is always new.
    widens: Mapped[bool] = mapped_column(default=False)
    # Settled at adoption from the previous adopted version and ``widens``.
    since_version: Mapped[int]

    version: Mapped[PolicyVersion] = relationship(back_populates="consent_items")

    @property
    def kind_label(self):
        return CONSENT_KIND_LABELS.get(self.kind, self.kind)


class Consent(db.Model):
    """A person's present answer for one purpose (and recipient): one row, kept current.

    The unique constraint makes a grant and a withdrawal arriving together end in one row; the
    services lock the person's row first, so the row always matches the latest event."""

    __tablename__ = "policy_consents"
    __table_args__ = (UniqueConstraint("user_id", "purpose_key", "recipient"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id", ondelete="CASCADE"), index=True)
    purpose_key: Mapped[str] = mapped_column(String(60))
    recipient: Mapped[str] = mapped_column(String(60), default="")
    granted: Mapped[bool]
    # The version the answer was given under, and the scope version it covers.
    version_id: Mapped[int] = mapped_column(ForeignKey("policy_versions.id", ondelete="CASCADE"))
    scope_version: Mapped[int]
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    version: Mapped[PolicyVersion] = relationship()


@append_only("the consent history", deletes=True)  # deleted with the account
class ConsentEvent(db.Model):
    """Append-only history of every answer: given, refused, withdrawn."""

    __tablename__ = "policy_consent_events"
    __table_args__ = (Index("ix_policy_consent_events_user", "user_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("policy_versions.id", ondelete="CASCADE"))
    purpose_key: Mapped[str] = mapped_column(String(60))
    recipient: Mapped[str] = mapped_column(String(60), default="")
    granted: Mapped[bool]
    # "web" (the resident's own answer), "stop_of_use" (a stop-of-use request carried out).
    channel: Mapped[str] = mapped_column(String(20), default="web")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    version: Mapped[PolicyVersion] = relationship()


@append_only("the provision ledger", triggers=True)
class Provision(db.Model):
    """One provision of personal data to a third party. Never edited or deleted: the ORM refuses,
    and database triggers (see the migration) refuse UPDATE and DELETE from any client."""

    __tablename__ = "policy_provisions"
    __table_args__ = (
        CheckConstraint("basis IN ('consent', 'law', 'anonymised', 'other')", name="provision_basis"),
        CheckConstraint("subjects IS NULL OR subjects >= 0", name="provision_subjects"),
        Index("ix_policy_provisions_recipient", "recipient", "provided_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"))
    recipient: Mapped[str] = mapped_column(String(200))
    data_items: Mapped[str] = mapped_column(Text)
    provided_on: Mapped[date] = mapped_column(Date)
    basis: Mapped[str] = mapped_column(String(20))
    basis_note: Mapped[str] = mapped_column(Text, default="")
    subjects: Mapped[int | None]
    # Plain FK (no ON DELETE action): an action would be an UPDATE the triggers refuse.
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    policy: Mapped[Policy | None] = relationship()
    recorded_by: Mapped[User | None] = relationship()

    @property
    def basis_label(self):
        return BASIS_LABELS.get(self.basis, self.basis)
