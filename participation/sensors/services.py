"""Every change to the register: one transaction each, written to the action log. A draft is
edited freely by staff; a published device changes only through a new version with a reason."""

from __future__ import annotations

import unicodedata
from datetime import date

from flask_babel import lazy_gettext as _l

from ..core.action_log import PUBLIC, log_action
from ..core.db import transaction
from ..core.errors import Refused
from ..core.models import District, User
from ..core.types import LocalizedText, utcnow
from ..extensions import db
from . import dtpr
from .models import DISCLOSURE_FIELDS, FIELD_LABELS, IDENTIFIABILITY, KINDS, LOCALIZED_FIELDS, Device, DeviceVersion


class SensorError(Refused):
    """A change refused for a reason the person can fix; ``problems`` lists each missing field."""

    def __init__(self, message, problems: list | None = None):
        super().__init__(message)
        self.problems = problems or []


PURPOSE_MIN_LENGTH = 10
# Words that alone say nothing about why a device is there.
GENERIC_PURPOSE_WORDS = (
    "防犯カメラ",
    "防犯",
    "安全安心",
    "安心安全",
    "安全確保",
    "安全",
    "安心",
    "監視",
    "治安",
    "見守り",
    "のため",
    "ため",
    "目的",
    "および",
    "及び",
    "等",
    "など",
    "の",
    "と",
    "crimeprevention",
    "security",
    "safety",
    "surveillance",
    "monitoring",
    "purposes",
    "purpose",
    "public",
    "general",
    "for",
    "and",
    "the",
    "of",
)

NAME_MISSING = _l("Enter the name of the device in at least one language.")
UNKNOWN_KIND = _l("Choose the kind of device from the list.")
UNKNOWN_IDENTIFIABILITY = _l("Choose whether people can be identified from the list.")
UNKNOWN_DISTRICT = _l("Choose a district from the list.")
LATITUDE_RANGE = _l("The latitude must be between -90 and 90.")
LONGITUDE_RANGE = _l("The longitude must be between -180 and 180.")
POINT_INCOMPLETE = _l("Enter both the latitude and the longitude, or neither.")
DATES_REVERSED = _l("“Active until” must be on or after “active since”.")
RETENTION_BOTH = _l("Give either a number of days or “deleted at once”, not both.")
RETENTION_RANGE = _l("The retention period must be a whole number of days, 1 or more.")
REASON_MISSING = _l("Give the reason for this change: it is shown to the public in the change history.")
NOTHING_CHANGED = _l("Nothing has changed, so no new version was saved.")
UNKNOWN_DTPR = _l("Choose DTPR categories and values from the list.")
NOT_READY = _l("This device cannot be published yet. Complete the following:")


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def purpose_problem(purposes: LocalizedText | None):
    """Why ``purposes`` cannot be published (empty, too short, or only generic words), or None."""
    if not purposes:
        return _l("State the purposes of the device.")
    for value in purposes.values():
        if len(_normalise(value)) < PURPOSE_MIN_LENGTH:
            return _l(
                "Describe the purposes specifically, in at least %(min)d characters in each language.",
                min=PURPOSE_MIN_LENGTH,
            )
        remainder = _normalise(value)
        for word in GENERIC_PURPOSE_WORDS:
            remainder = remainder.replace(word, "")
        if not remainder:
            return _l(
                "A generic word such as “security” or “crime prevention” is not a purpose. "
                "Say what the device is for, where, and what problem it addresses."
            )
    return None


def publication_problems(device: Device) -> list[tuple[str, object]]:
    """Every required disclosure field still missing or unusable, as (field, message) pairs."""
    problems: list[tuple[str, object]] = []

    def missing(name: str, message) -> None:
        problems.append((name, message))

    if not device.name:
        missing("name", NAME_MISSING)
    if device.kind not in KINDS:
        missing("kind", UNKNOWN_KIND)
    if device.mobile:
        if not device.area:
            missing("area", _l("Describe the area a mobile device covers."))
    else:
        if device.latitude is None or device.longitude is None:
            missing("latitude", _l("Enter the latitude and longitude of the device."))
        if not device.address and not device.place:
            missing("address", _l("Enter the address or a description of the place."))
    if not device.organisation:
        missing("organisation", _l("Enter the organisation accountable for the device."))
    if not device.contact:
        missing("contact", _l("Enter a contact point where residents can ask about the device."))
    problem = purpose_problem(device.purposes)
    if problem:
        missing("purposes", problem)
    if not device.legal_basis:
        missing("legal_basis", _l("Enter the legal basis (the ordinance, contract or consent the device relies on)."))
    if not device.captured:
        missing("captured", _l("Describe what the device captures."))
    if device.identifiability not in IDENTIFIABILITY:
        missing("identifiability", _l("Say whether people can be identified from the data."))
    if not device.kept:
        missing("kept", _l("Describe what is kept after processing."))
    if device.retention_days is None and not device.deleted_at_once:
        missing("retention_days", _l("Enter the retention period in days, or tick “deleted at once”."))
    if not device.access:
        missing("access", _l("Say who may access the data."))
    if device.third_party and not device.third_party_grounds:
        missing("third_party_grounds", _l("Give the grounds on which data is provided to third parties."))
    if not device.privacy_measures:
        missing("privacy_measures", _l("Describe the privacy measures (for example masking), or say there are none."))
    if not device.storage_location:
        missing("storage_location", _l("Say where the data is stored."))
    if device.active_since is None:
        missing("active_since", _l("Enter the date the device has been active since."))
    values = device.dtpr or {}
    if not values.get("purpose"):
        missing("dtpr", _l("Choose at least one DTPR purpose."))
    if not values.get("tech"):
        missing("dtpr", _l("Choose at least one DTPR technology."))
    return problems


def _check(fields: dict) -> None:
    if not fields.get("name"):
        raise SensorError(NAME_MISSING)
    if fields.get("kind") not in KINDS:
        raise SensorError(UNKNOWN_KIND)
    if fields.get("identifiability") not in (None, *IDENTIFIABILITY):
        raise SensorError(UNKNOWN_IDENTIFIABILITY)
    district_id = fields.get("district_id")
    if district_id is not None and db.session.get(District, district_id) is None:
        raise SensorError(UNKNOWN_DISTRICT)
    latitude, longitude = fields.get("latitude"), fields.get("longitude")
    if latitude is not None and not -90 <= latitude <= 90:
        raise SensorError(LATITUDE_RANGE)
    if longitude is not None and not -180 <= longitude <= 180:
        raise SensorError(LONGITUDE_RANGE)
    if (latitude is None) != (longitude is None):
        raise SensorError(POINT_INCOMPLETE)
    since, until = fields.get("active_since"), fields.get("active_until")
    if isinstance(since, date) and isinstance(until, date) and until < since:
        raise SensorError(DATES_REVERSED)
    days = fields.get("retention_days")
    if days is not None and (not isinstance(days, int) or days < 1):
        raise SensorError(RETENTION_RANGE)
    if days is not None and fields.get("deleted_at_once"):
        raise SensorError(RETENTION_BOTH)
    try:
        fields["dtpr"] = dtpr.clean(fields.get("dtpr"))
    except ValueError:
        raise SensorError(UNKNOWN_DTPR) from None


def _clean(fields: dict) -> dict:
    unknown = set(fields) - set(DISCLOSURE_FIELDS)
    if unknown:
        raise TypeError(f"unknown device fields: {sorted(unknown)}")
    cleaned = {name: fields.get(name) for name in DISCLOSURE_FIELDS}
    for name in LOCALIZED_FIELDS:
        cleaned[name] = cleaned[name] or None
    for name in ("mobile", "face_recognition", "feature_extraction", "deleted_at_once", "third_party"):
        cleaned[name] = bool(cleaned[name])
    cleaned["live_monitoring"] = bool(cleaned["live_monitoring"])
    if not cleaned["third_party"]:
        cleaned["third_party_grounds"] = None
    return cleaned


def _apply(device: Device, fields: dict) -> None:
    for name, value in fields.items():
        setattr(device, name, value)
    organisation = device.organisation
    device.organisation_key = organisation.resolve(organisation.original)[0][:200] if organisation else None
    texts = [device.name, device.organisation, device.address, device.place, device.area, device.purposes]
    device.purpose_keys = " " + " ".join((device.dtpr or {}).get("purpose", [])) + " "
    device.search_text = "\n".join(v.lower() for t in texts if t for v in t.values())


def _new_version(actor: User | None, device: Device, reason: LocalizedText | None, changed: list) -> DeviceVersion:
    number = max((v.number for v in device.versions), default=0) + 1
    version = DeviceVersion(
        number=number, snapshot=device.snapshot(), reason=reason, changed=changed, actor_id=getattr(actor, "id", None)
    )
    device.versions.append(version)
    return version


def create_device(actor: User | None, **fields) -> Device:
    """A new draft device (not visible to residents until published)."""
    with transaction():
        cleaned = _clean(fields)
        _check(cleaned)
        device = Device()
        _apply(device, cleaned)
        db.session.add(device)
        db.session.flush()
        log_action(actor, "sensor.created", device)
    return device


def update_device(actor: User | None, device: Device, *, reason: LocalizedText | None = None, **fields) -> Device:
    """Edit a draft; or save a new version of a published device, which needs a reason, a real
    change and every field required for publication."""
    with transaction():
        cleaned = _clean(fields)
        _check(cleaned)
        if not device.is_published:
            _apply(device, cleaned)
            device.updated_at = utcnow()
            log_action(actor, "sensor.updated", device)
            return device
        before = device.snapshot()
        _apply(device, cleaned)
        changed = [name for name, value in device.snapshot().items() if before.get(name) != value]
        if not changed:
            raise SensorError(NOTHING_CHANGED)
        if not reason:
            raise SensorError(REASON_MISSING)
        problems = publication_problems(device)
        if problems:
            raise SensorError(NOT_READY, problems)
        device.updated_at = utcnow()
        version = _new_version(actor, device, reason, changed)
        db.session.flush()
        log_action(actor, "sensor.revised", device, visibility=PUBLIC, data={"version": version.number})
    return device


def publish(actor: User | None, device: Device) -> bool:
    """Make the device public as version 1; False if it already was. Refused while a required
    field is missing (``error.problems`` lists each one)."""
    with transaction():
        if device.is_published:
            return False
        problems = publication_problems(device)
        if problems:
            raise SensorError(NOT_READY, problems)
        device.published_at = utcnow()
        _new_version(actor, device, None, [])
        log_action(actor, "sensor.published", device, visibility=PUBLIC)
    return True


def field_label(name: str):
    return FIELD_LABELS.get(name, name)
