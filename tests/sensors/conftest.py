from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from participation.core.types import LocalizedText
from participation.extensions import db
from participation.sensors import services
from participation.sensors.models import Device


def ja(text: str, en: str | None = None) -> LocalizedText:
    return LocalizedText({"ja": text, **({"en": en} if en else {})})


def complete_fields(**overrides) -> dict:
    """Every field a device needs to be published."""
    fields = {
        "name": ja("見守りカメラ 駅北口", "Watch camera, station north exit"),
        "kind": "camera",
        "latitude": 34.7512,
        "longitude": 134.8421,
        "address": ja("みどり川市駅前町1丁目", "Ekimae-cho 1-chome"),
        "place": ja("北口ロータリーの照明柱", "Lamp post at the north roundabout"),
        "organisation": ja("みどり川市 地域安全課", "Community Safety Division"),
        "contact": ja("地域安全課（電話 0790-00-1234）", "Community Safety Division (tel. 0790-00-1234)"),
        "purposes": ja(
            "通学路での子どもや高齢者の見守りと事故発生時の状況確認",
            "Watching over children on the school route and checking what happened after an accident",
        ),
        "legal_basis": ja("見守りカメラ条例第3条", "Article 3 of the watch-camera ordinance"),
        "captured": ja("歩道の映像（音声なし）", "Video of the pavement (no sound)"),
        "identifiability": "identifiable",
        "kept": ja("映像を14日間保存", "Video kept for 14 days"),
        "retention_days": 14,
        "access": ja("指定職員のみ", "Designated staff only"),
        "third_party": True,
        "third_party_grounds": ja("警察の捜査関係事項照会に限り提供", "Police investigation requests only"),
        "privacy_measures": ja("住宅の窓をマスキング", "Windows of houses are masked"),
        "storage_location": ja("カメラ本体のSDカード", "SD card inside the camera"),
        "signage_on": date(2025, 3, 20),
        "active_since": date(2025, 4, 1),
        "active_until": date(2030, 3, 31),
        "rules": ja("見守りカメラ条例", "Watch-camera ordinance"),
        "dtpr": {"purpose": ["safety_security"], "tech": ["video_camera", "identifiable_video"]},
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def make_device(app) -> Callable[..., int]:
    """A device with every required field (published unless told otherwise); returns its id."""

    def build(published: bool = True, **overrides) -> int:
        with app.app_context():
            device = services.create_device(None, **complete_fields(**overrides))
            if published:
                services.publish(None, device)
            return device.id

    return build


def get_device(app, device_id: int) -> Device | None:
    with app.app_context():
        device = db.session.get(Device, device_id)
        if device is not None:
            _ = list(device.versions), device.district
            db.session.expunge_all()
        return device
