"""Demo devices of みどり川市 from seeds/demo/sensors.toml (about 50: the listed devices and a
series of watch cameras), and a year (FY2025) of footage releases. Idempotent: a device is found
again by its Japanese name and its fields are replaced by those in the file; a published device
gets its first version once; releases are added only while the ledger is empty."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from ..core.db import transaction
from ..core.seeds import district_ids, read_seed, seed_log, text
from ..extensions import db
from .models import DATE_FIELDS, DISCLOSURE_FIELDS, LOCALIZED_FIELDS, Device, DeviceVersion, FootageRelease
from .services import _apply

# DTPR values for devices that do not list their own, by kind.
DEFAULT_DTPR = {
    "camera": {
        "accountable": ["institution"],
        "purpose": ["safety_security"],
        "tech": ["video_camera", "identifiable_video"],
        "data": ["pixel_image", "personal"],
        "process": ["raw", "bitmap_manipulation"],
        "storage": ["local"],
        "access": ["accountable_org", "third_parties", "not_available_to_me"],
    },
    "ai_camera": {
        "accountable": ["institution"],
        "purpose": ["planning", "commerce"],
        "tech": ["deidentified_video", "person_detection"],
        "data": ["tabular", "values_time"],
        "process": ["computer_vision", "ai_system", "aggregated", "deidentified"],
        "storage": ["primarily_local"],
        "access": ["accountable_org", "download"],
    },
    "wifi_ble": {
        "accountable": ["institution"],
        "purpose": ["mobility", "planning"],
        "tech": ["wifi_sensor"],
        "data": ["tabular", "values_time"],
        "process": ["deidentified", "aggregated"],
        "storage": ["third_party_cloud"],
        "access": ["accountable_org", "vendor"],
    },
    "infrared_counter": {
        "accountable": ["institution"],
        "purpose": ["planning", "mobility"],
        "tech": ["infrared_counter"],
        "data": ["values_time"],
        "process": ["aggregated"],
        "storage": ["primarily_local"],
        "access": ["accountable_org", "download"],
    },
    "lidar": {
        "accountable": ["institution"],
        "purpose": ["mobility", "safety_security"],
        "tech": ["lidar"],
        "data": ["spatial", "values_time"],
        "process": ["aggregated"],
        "storage": ["primarily_local"],
        "access": ["accountable_org", "download"],
    },
    "microphone": {
        "accountable": ["institution"],
        "purpose": ["ecology", "health"],
        "tech": ["sound_level"],
        "data": ["values_time"],
        "process": ["aggregated"],
        "storage": ["primarily_local"],
        "access": ["accountable_org", "download"],
    },
}
DEFAULT_DTPR["other"] = DEFAULT_DTPR["microphone"]


def _value(name: str, value):
    if name in LOCALIZED_FIELDS:
        return text(value)
    if name in DATE_FIELDS:
        return value if isinstance(value, date) or value is None else date.fromisoformat(value)
    return value


def _series(data: dict, names: dict) -> list[dict]:
    """The watch cameras listed in [watch_series], as device items."""
    series = data.get("watch_series")
    if not series:
        return []
    items = []
    for number, (district, spot_ja, spot_en, latitude, longitude) in enumerate(series["spots"], start=1):
        ble = number % 2 == 1
        name_ja = f"見守りカメラ{'（BLEタグ検知器付き）' if ble else ''} {spot_ja}"
        name_en = f"Watch camera{' with BLE tag detector' if ble else ''}, {spot_en}"
        captured_ja = "道路・歩道の映像（音声なし）" + ("と、見守りタグのBLE信号（タグID・時刻）" if ble else "")
        captured_en = "Video of the road and pavement (no sound)" + (
            " and BLE signals of watch tags (tag ID and time)" if ble else ""
        )
        dtpr_values = {key: list(values) for key, values in DEFAULT_DTPR["camera"].items()}
        if ble:
            dtpr_values["tech"].append("location_beacon")
        items.append(
            {
                "name": {"ja": name_ja, "en": name_en},
                "kind": "camera",
                "district": district,
                "latitude": latitude,
                "longitude": longitude,
                "address": {"ja": f"{names.get(district, '')} {spot_ja}", "en": spot_en},
                "place": {
                    "ja": f"{spot_ja}付近の電柱（高さ約4m）",
                    "en": f"Utility pole near {spot_en} (about 4 m high)",
                },
                "purposes": {
                    "ja": "犯罪の抑止（カメラの設置を明示）、事件・事故の早期解決（捜査機関への映像提供）、行方不明者の捜索や災害時の被害確認など市民の生命の安全確保",
                    "en": "Deterring crime by showing that a camera is installed; resolving incidents early by providing footage to investigators; "
                    "keeping residents safe, such as searches for missing people and checking damage after a disaster",
                },
                "captured": {"ja": captured_ja, "en": captured_en},
                "identifiability": "identifiable",
                "kept": {
                    "ja": "映像はカメラ内のSDカードに約12日間保存し、上書きで消去。常時監視はしません",
                    "en": "Video on the SD card inside the camera for about 12 days, then overwritten; not watched live",
                },
                "retention_days": 12,
                "third_party": True,
                "third_party_grounds": {
                    "ja": "条例第7条に基づき、法令に基づく場合、生命・身体・財産の保護のため緊急やむを得ない場合、捜査機関から犯罪捜査のため要請があった場合に限り、無線で取り出して提供",
                    "en": "Only under Article 7 of the ordinance: under laws and regulations, when urgent to protect life, body or property, "
                    "or on an investigative agency's request for a criminal investigation; retrieved wirelessly",
                },
                "privacy_measures": {
                    "ja": "住宅の玄関・窓・ベランダ等をマスキング（黒塗り）して撮影しません",
                    "en": "Entrances, windows, balconies and similar places are masked (blacked out) and not filmed",
                },
                "signage_on": date(2025, 3, 25),
                "briefing_on": date(2025, 2, 15),
                "active_since": series["active_since"],
                "active_until": series["active_until"],
                "published_at": series["published_at"],
                "dtpr": dtpr_values,
            }
        )
    return items


def _releases(devices: list[Device]) -> None:
    """About a year of releases (FY2025), mostly to the police on request, with one correction."""
    cameras = [d for d in devices if d.kind == "camera" and d.is_published and d.third_party]
    if not cameras or db.session.scalar(db.select(FootageRelease.id).limit(1)) is not None:
        return
    rng = random.Random(2025)  # the same demo every time
    day = date(2025, 4, 3)
    releases = []
    while day <= date(2026, 3, 28):
        roll = rng.random()
        if roll < 0.8:
            ground, recipient = "criminal_investigation", "police"
        elif roll < 0.9:
            ground, recipient = "life_and_body", rng.choice(["police", "fire_rescue"])
        else:
            ground, recipient = "other_lawful", rng.choice(["court", "public_body", "other_investigative"])
        release = FootageRelease(
            released_on=day,
            ground=ground,
            recipient_type=recipient,
            items=rng.randint(1, 6),
            created_at=datetime(day.year, day.month, day.day, 8, tzinfo=UTC),
        )
        release.devices = rng.sample(cameras, k=rng.choice([1, 1, 1, 2, 3]))
        releases.append(release)
        day += timedelta(days=rng.randint(4, 12))
    db.session.add_all(releases)
    db.session.flush()
    wrong = releases[5]
    db.session.add(
        FootageRelease(
            released_on=wrong.released_on,
            ground=wrong.ground,
            recipient_type=wrong.recipient_type,
            items=wrong.items + 1,
            corrects_id=wrong.id,
            correction_note=text({"ja": "件数の記入誤りを訂正", "en": "Corrected the number of items"}),
            devices=list(wrong.devices),
            created_at=wrong.created_at + timedelta(days=2),
        )
    )


def seed() -> None:
    data = read_seed("sensors")
    common = data.get("common", {})
    districts = district_ids()
    with transaction():
        from ..core.models import District

        names = {d.code: d.name.get("ja", "") for d in db.session.scalars(db.select(District))}
        existing = {d.name.get("ja"): d for d in db.session.scalars(db.select(Device))}
        seeded = []
        for item in data["devices"] + _series(data, names):
            item = {**common, **item}
            device = existing.get(item["name"]["ja"]) or Device()
            fields = {
                name: _value(name, item.get(name)) for name in DISCLOSURE_FIELDS if name not in ("district_id", "dtpr")
            }
            fields["district_id"] = districts.get(item.get("district", ""))
            fields["dtpr"] = item.get("dtpr") or DEFAULT_DTPR.get(item["kind"], {})
            for flag in ("mobile", "face_recognition", "feature_extraction", "deleted_at_once", "third_party"):
                fields[flag] = bool(fields[flag])
            fields["live_monitoring"] = bool(fields["live_monitoring"])
            _apply(device, fields)
            published = item.get("published_at")
            device.published_at = datetime.fromisoformat(str(published)).astimezone(UTC) if published else None
            db.session.add(device)
            db.session.flush()
            if device.published_at:
                seed_log(None, "sensor.published", device, device.published_at)
            if device.published_at and not device.versions:
                device.versions.append(
                    DeviceVersion(number=1, snapshot=device.snapshot(), changed=[], created_at=device.published_at)
                )
            seeded.append(device)
        _releases(seeded)
