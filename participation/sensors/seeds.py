"""Demo devices of みどり川市 from seeds/demo/sensors.toml. Idempotent: a device is found again by
its Japanese name and its fields are replaced by those in the file; a published device gets its
first version once."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ..core.db import transaction
from ..core.seeds import district_ids, read_seed, text
from ..extensions import db
from .models import DATE_FIELDS, DISCLOSURE_FIELDS, LOCALIZED_FIELDS, Device, DeviceVersion
from .services import _apply


def _value(name: str, value):
    if name in LOCALIZED_FIELDS:
        return text(value)
    if name in DATE_FIELDS:
        return value if isinstance(value, date) or value is None else date.fromisoformat(value)
    return value


def seed() -> None:
    data = read_seed("sensors")
    common = data.get("common", {})
    districts = district_ids()
    with transaction():
        existing = {d.name.get("ja"): d for d in db.session.scalars(db.select(Device))}
        for item in data["devices"]:
            item = {**common, **item}
            device = existing.get(item["name"]["ja"]) or Device()
            fields = {name: _value(name, item.get(name)) for name in DISCLOSURE_FIELDS if name != "district_id"}
            fields["district_id"] = districts.get(item.get("district", ""))
            for flag in ("mobile", "face_recognition", "feature_extraction", "deleted_at_once", "third_party"):
                fields[flag] = bool(fields[flag])
            fields["live_monitoring"] = bool(fields["live_monitoring"])
            _apply(device, fields)
            published = item.get("published_at")
            device.published_at = datetime.fromisoformat(str(published)).astimezone(UTC) if published else None
            db.session.add(device)
            db.session.flush()
            if device.published_at and not device.versions:
                device.versions.append(
                    DeviceVersion(number=1, snapshot=device.snapshot(), changed=[], created_at=device.published_at)
                )
