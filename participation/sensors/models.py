"""The public register of cameras and sensors in public space: one row per device with its
disclosure fields, and one version per published state of those fields."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.append_only import append_only
from ..core.models import District, User
from ..core.types import LocalizedText, LocalizedTextType, UTCDateTime, utcnow
from ..extensions import db

KIND_LABELS = {
    "camera": _l("Camera"),
    "ai_camera": _l("AI camera"),
    "infrared_counter": _l("Infrared counter"),
    "wifi_ble": _l("Wi-Fi/BLE detector"),
    "lidar": _l("LiDAR"),
    "microphone": _l("Microphone"),
    "other": _l("Other sensor"),
}
KINDS = tuple(KIND_LABELS)

IDENTIFIABILITY_LABELS = {
    "identifiable": _l("Identifiable: people can be recognised"),
    "deidentified": _l("De-identified: processed so that people cannot be recognised"),
    "not_identifiable": _l("Not identifiable: no data about individual people"),
}
IDENTIFIABILITY = tuple(IDENTIFIABILITY_LABELS)

# The disclosure fields, in the order the device page shows them; a version stores their values.
DISCLOSURE_FIELDS = (
    "name",
    "kind",
    "district_id",
    "mobile",
    "latitude",
    "longitude",
    "address",
    "place",
    "area",
    "organisation",
    "contact",
    "purposes",
    "legal_basis",
    "captured",
    "face_recognition",
    "feature_extraction",
    "identifiability",
    "kept",
    "retention_days",
    "deleted_at_once",
    "access",
    "third_party",
    "third_party_grounds",
    "live_monitoring",
    "privacy_measures",
    "storage_location",
    "signage_on",
    "briefing_on",
    "active_since",
    "active_until",
    "rules",
    "dtpr",
)

FIELD_LABELS = {
    "name": _l("Name"),
    "kind": _l("Kind of device"),
    "district_id": _l("District"),
    "mobile": _l("Mobile device"),
    "latitude": _l("Latitude"),
    "longitude": _l("Longitude"),
    "address": _l("Address"),
    "place": _l("Description of the place"),
    "area": _l("Area covered"),
    "organisation": _l("Accountable organisation"),
    "contact": _l("Contact point"),
    "purposes": _l("Purposes"),
    "legal_basis": _l("Legal basis"),
    "captured": _l("What is captured"),
    "face_recognition": _l("Face recognition"),
    "feature_extraction": _l("Feature extraction"),
    "identifiability": _l("Identifiability"),
    "kept": _l("What is kept"),
    "retention_days": _l("Retention period"),
    "deleted_at_once": _l("Deleted at once"),
    "access": _l("Who may access the data"),
    "third_party": _l("Provision to third parties"),
    "third_party_grounds": _l("Grounds for provision to third parties"),
    "live_monitoring": _l("Live monitoring"),
    "privacy_measures": _l("Privacy measures"),
    "storage_location": _l("Storage location"),
    "signage_on": _l("Signage installed on"),
    "briefing_on": _l("Resident briefing held on"),
    "active_since": _l("Active since"),
    "active_until": _l("Active until"),
    "rules": _l("Applicable rules"),
    "dtpr": _l("DTPR categories"),
}

LOCALIZED_FIELDS = frozenset(
    {
        "name",
        "address",
        "place",
        "area",
        "organisation",
        "contact",
        "purposes",
        "legal_basis",
        "captured",
        "kept",
        "access",
        "third_party_grounds",
        "privacy_measures",
        "storage_location",
        "rules",
    }
)
DATE_FIELDS = frozenset({"signage_on", "briefing_on", "active_since", "active_until"})


class Device(db.Model):
    __tablename__ = "sensors_devices"
    __table_args__ = (
        CheckConstraint("latitude IS NULL OR (latitude >= -90 AND latitude <= 90)", name="latitude_range"),
        CheckConstraint("longitude IS NULL OR (longitude >= -180 AND longitude <= 180)", name="longitude_range"),
        CheckConstraint(
            "active_until IS NULL OR active_since IS NULL OR active_until >= active_since", name="active_in_order"
        ),
        CheckConstraint("retention_days IS NULL OR retention_days >= 1", name="retention_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[LocalizedText] = mapped_column(LocalizedTextType)
    kind: Mapped[str] = mapped_column(String(30))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id", ondelete="SET NULL"), index=True)
    # A fixed device has a point; a mobile one (a patrol car's camera, a drone) an area instead.
    mobile: Mapped[bool] = mapped_column(default=False)
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    address: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    place: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    area: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    organisation: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    contact: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    purposes: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    legal_basis: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    captured: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    face_recognition: Mapped[bool] = mapped_column(default=False)
    feature_extraction: Mapped[bool] = mapped_column(default=False)
    identifiability: Mapped[str | None] = mapped_column(String(30))
    kept: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    # Either a number of days or deleted at once (nothing stored beyond processing).
    retention_days: Mapped[int | None]
    deleted_at_once: Mapped[bool] = mapped_column(default=False)
    access: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    third_party: Mapped[bool] = mapped_column(default=False)
    third_party_grounds: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    live_monitoring: Mapped[bool] = mapped_column(default=False)
    privacy_measures: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    storage_location: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    signage_on: Mapped[date | None] = mapped_column(Date)
    briefing_on: Mapped[date | None] = mapped_column(Date)
    active_since: Mapped[date | None] = mapped_column(Date)
    active_until: Mapped[date | None] = mapped_column(Date)
    rules: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    # DTPR-style values: {category: [value key, ...]} from sensors.dtpr.VALUES.
    dtpr: Mapped[dict] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    # The DTPR purpose keys as " a b " for the purpose filter (JSON cannot be filtered portably).
    purpose_keys: Mapped[str] = mapped_column(String(400), default="", server_default="")
    # Kept by the services for the list's filters: the organisation in its original language, and
    # every language of the searchable texts in lower case (JSON columns cannot be searched).
    organisation_key: Mapped[str | None] = mapped_column(String(200), index=True)
    search_text: Mapped[str] = mapped_column(Text, default="")
    # None while the device is a draft, seen by staff only.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    district: Mapped[District | None] = relationship()
    versions: Mapped[list[DeviceVersion]] = relationship(
        back_populates="device", cascade="all, delete-orphan", order_by="DeviceVersion.number"
    )

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def is_expired(self, today: date) -> bool:
        return self.active_until is not None and self.active_until < today

    @property
    def kind_label(self):
        return KIND_LABELS.get(self.kind, self.kind)

    def snapshot(self) -> dict:
        """The disclosure fields as JSON values (what a version keeps)."""
        values = {}
        for name in DISCLOSURE_FIELDS:
            value = getattr(self, name)
            if name in LOCALIZED_FIELDS:
                value = value.to_json() if value else None
            elif name in DATE_FIELDS:
                value = value.isoformat() if value else None
            elif name == "dtpr":
                value = dict(value or {})
            values[name] = value
        return values


@append_only("the device's version history", deletes=True)  # deleted with a draft device
class DeviceVersion(db.Model):
    """A published state of a device: version 1 at publication, then one per change with its reason."""

    __tablename__ = "sensors_device_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("sensors_devices.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    snapshot: Mapped[dict] = mapped_column(JSON)
    # None for the first publication; required for every later change.
    reason: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    # The fields that differ from the previous version.
    changed: Mapped[list] = mapped_column(JSON, default=list)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    device: Mapped[Device] = relationship(back_populates="versions")
    actor: Mapped[User | None] = relationship()

    @property
    def changed_labels(self) -> list:
        return [FIELD_LABELS[name] for name in self.changed or () if name in FIELD_LABELS]


# --- footage-release ledger ------------------------------------------------------------------------

# Grounds modelled on the Kakogawa watch-camera ordinance, Art. 7 (the only cases in which footage
# may leave the city).
GROUND_LABELS = {
    "criminal_investigation": _l("Criminal investigation, on request of an investigative agency"),
    "life_and_body": _l("Urgent protection of life, body or property"),
    "other_lawful": _l("Other grounds under laws or regulations"),
}
GROUNDS = tuple(GROUND_LABELS)

RECIPIENT_LABELS = {
    "police": _l("Police"),
    "other_investigative": _l("Other investigative agency"),
    "fire_rescue": _l("Fire and rescue service"),
    "court": _l("Court"),
    "public_body": _l("Other public body"),
}
RECIPIENTS = tuple(RECIPIENT_LABELS)

release_devices = Table(
    "sensors_release_devices",
    db.metadata,
    Column("release_id", ForeignKey("sensors_footage_releases.id", ondelete="CASCADE"), primary_key=True),
    Column("device_id", ForeignKey("sensors_devices.id", ondelete="RESTRICT"), primary_key=True, index=True),
)


@append_only("the footage-release ledger")  # a correction is a new entry
class FootageRelease(db.Model):
    """One release of footage outside the city: when, from which devices, on which ground, to what
    kind of recipient and how many items. Nothing about the people filmed or the case. Entries are
    never edited: a correction is a new entry that names the one it replaces."""

    __tablename__ = "sensors_footage_releases"
    __table_args__ = (
        CheckConstraint("items >= 1", name="items_positive"),
        CheckConstraint("ground IN ('criminal_investigation', 'life_and_body', 'other_lawful')", name="ground_known"),
        CheckConstraint(
            "recipient_type IN ('police', 'other_investigative', 'fire_rescue', 'court', 'public_body')",
            name="recipient_known",
        ),
        # An entry is corrected at most once; a later correction corrects the correction.
        UniqueConstraint("corrects_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    released_on: Mapped[date] = mapped_column(Date, index=True)
    ground: Mapped[str] = mapped_column(String(30))
    recipient_type: Mapped[str] = mapped_column(String(30))
    items: Mapped[int]
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("sensors_footage_releases.id", ondelete="RESTRICT"))
    # Why a correction was made (shown publicly; never personal).
    correction_note: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    devices: Mapped[list[Device]] = relationship(secondary=release_devices, order_by="Device.id")
    corrects: Mapped[FootageRelease | None] = relationship(remote_side=[id], foreign_keys=[corrects_id])

    @property
    def ground_label(self):
        return GROUND_LABELS.get(self.ground, self.ground)

    @property
    def recipient_label(self):
        return RECIPIENT_LABELS.get(self.recipient_type, self.recipient_type)
