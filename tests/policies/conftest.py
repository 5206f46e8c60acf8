from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from participation.core.models import User
from participation.core.types import LocalizedText, local_today
from participation.extensions import db
from participation.policies import services
from participation.policies.models import Policy, PolicyVersion


def ja(text: str, en: str | None = None) -> LocalizedText:
    return LocalizedText({"ja": text, **({"en": en} if en else {})})


def policy_fields(**overrides) -> dict:
    fields = {
        "scope": "service",
        "title": ja("駅前人流リビングラボ データ利用方針", "Station square people-flow living lab: data-use policy"),
        "purposes": ja(
            "駅前広場の混雑を把握し、ベンチと日よけの配置を改善するため。",
            "To understand crowding and improve benches.",
        ),
        "data_items": ja(
            "参加者のアプリ位置情報（参加者の端末から）", "Participants' app location (from their phones)"
        ),
        "legal_basis": ja("本人の同意", "The participant's consent"),
        "retention": ja("位置情報は30日で削除", "Location deleted after 30 days"),
        "recipients": ja("みどり川市 都市計画課", "City planning division"),
        "transfers_abroad": ja("なし", "None"),
        "security": ja("暗号化して市のサーバーに保存", "Encrypted on the city's servers"),
        "contact": ja("都市計画課", "City planning division"),
        "complaints": ja("権利窓口へ", "Through the rights desk"),
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def make_policy(app) -> Callable[..., int]:
    """A policy; ``adopted`` puts version 1 in force; ``items`` adds purposes needing consent first."""

    def build(adopted: bool = True, items: tuple = (), **overrides) -> int:
        with app.app_context():
            policy = services.create_policy(None, **policy_fields(**overrides))
            version = policy.versions[0]
            for item in items:
                services.add_consent_item(None, version, **item)
            if adopted:
                services.adopt(None, version, trigger=None, summary=None)
            return policy.id

    return build


LAB_ITEM = {"purpose_key": "lab.location", "kind": "living_lab", "label": ja("位置情報の分析", "Location analysis")}
UNI_ITEM = {
    "purpose_key": "lab.location",
    "recipient": "midori-univ",
    "kind": "third_party",
    "label": ja("大学への提供", "Provision to the university"),
    "recipient_name": ja("みどり川大学", "Midorikawa University"),
}


def get_policy(app, policy_id: int) -> Policy:
    with app.app_context():
        policy = db.session.get(Policy, policy_id)
        _ = [list(v.consent_items) for v in policy.versions]
        db.session.expunge_all()
        return policy


def version_of(app, policy_id: int, number: int) -> PolicyVersion:
    with app.app_context():
        version = db.session.scalar(
            db.select(PolicyVersion).where(PolicyVersion.policy_id == policy_id, PolicyVersion.number == number)
        )
        _ = list(version.consent_items), version.policy
        db.session.expunge_all()
        return version


def revise(app, policy_id: int, *, widen: bool = False, add_recipient: dict | None = None, adopt: bool = True) -> int:
    """Write version n+1 (optionally widening the lab purpose or adding a recipient) and adopt it."""
    with app.app_context():
        policy = db.session.get(Policy, policy_id)
        version = services.new_version(None, policy)
        if widen:
            item = next(i for i in version.consent_items if i.purpose_key == "lab.location" and not i.recipient)
            item.widens = True
            item.description = ja("位置情報に加えて移動経路も分析します。", "Routes are analysed as well.")
            db.session.commit()
        if add_recipient:
            services.add_consent_item(None, version, **add_recipient)
        if adopt:
            services.adopt(None, version, trigger="technology", summary=ja("分析範囲を拡大", "Wider analysis"))
        return version.number


def user_of(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def future(days: int = 14):
    return local_today() + timedelta(days=days)
