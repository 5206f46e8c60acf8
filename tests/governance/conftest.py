from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from participation.core.types import LocalizedText
from participation.extensions import db
from participation.governance import assessment, services
from participation.governance.catalog import LIFECYCLE_LABELS, VIEWPOINT_LABELS
from participation.governance.models import Law, Project
from participation.governance.seeds import seed_laws


def ja(text: str, en: str | None = None) -> LocalizedText:
    return LocalizedText({"ja": text, **({"en": en} if en else {})})


LAWS = {
    "laws": [
        {"code": "appi", "kind": "law", "title": {"ja": "個人情報保護法", "en": "APPI"}, "data_types": ["personal"]},
        {
            "code": "camera-guidebook-3",
            "kind": "soft_law",
            "title": {"ja": "カメラ画像利活用ガイドブック", "en": "Camera Image Utilization Guidebook"},
            "data_types": ["camera"],
        },
        {
            "code": "smartphone-privacy",
            "kind": "soft_law",
            "title": {"ja": "スマートフォン プライバシー イニシアティブ", "en": "Smartphone Privacy Initiative"},
            "data_types": ["smartphone"],
        },
    ]
}

OVERVIEW = {
    "goals": ja("駅前広場の混雑を把握し、安全な回遊を実現する", "Understand crowding at the station square"),
    "activities": ja("AIカメラで人数のみを計測する", "Count people with AI cameras"),
    "implementing_body": ja("みどり川市 都市政策課", "Urban Policy Division"),
    "promotion_policy": ja("市民と共に進める", "Together with residents"),
    "schedule": ja("2025年度に実証、2026年度に運用", "Trial in FY2025, operation in FY2026"),
    "service_benefit": ja("混雑情報の提供", "Crowding information"),
}


@pytest.fixture
def laws(app) -> None:
    with app.app_context():
        seed_laws(LAWS)


@pytest.fixture
def make_project(app, laws) -> Callable[..., int]:
    def build(stage: str = "overview", published: bool = True, **overrides) -> int:
        with app.app_context():
            fields = {**OVERVIEW, "data_types": ["personal", "camera"], **overrides}
            project = services.create_project(None, title=ja("駅前広場 人流カメラ", "Station square cameras"), **fields)
            if published:
                services.publish_project(None, project)
            reach(project, stage)
            return project.id

    return build


def reach(project: Project, stage: str) -> None:
    """Fill in what each gate asks and advance until ``stage``."""
    order = ("overview", "laws", "risk", "rules", "operation")
    for target in order[order.index(project.stage) + 1 : order.index(stage) + 1]:
        if target == "laws" and not project.stakeholders:
            services.add_stakeholder(
                None,
                project,
                name=ja("駅前商店会", "Station shopping association"),
                is_organisation=True,
                relation="indirect",
                benefit=None,
                impact="medium",
                uncertainty="high",
                involvement="involve",
            )
        if target == "risk":
            for item in project.laws:
                services.set_law_note(None, item, ja("対応済み", "Met"))
        if target == "rules":
            for lifecycle in LIFECYCLE_LABELS:
                for viewpoint in VIEWPOINT_LABELS:
                    assessment.set_risk(
                        None,
                        project,
                        lifecycle=lifecycle,
                        viewpoint=viewpoint,
                        likelihood="low",
                        severity="medium",
                        measures=None,
                        residual=None,
                    )
        if target == "operation":
            assessment.add_rule(
                None,
                project,
                title=ja("画像の即時削除"),
                body=ja("画像は計数後すぐに削除する"),
                burden=ja("負担は小さい"),
            )
            assessment.record_board_review(
                None,
                project,
                reviewers=["山田委員長", "佐藤委員"],
                decision="approved",
                opinion=ja("承認する"),
                decided_on=date(2026, 1, 10),
            )
        services.advance(None, project, to_stage=target, signed_off_by="都市政策課長")


def get_project(project_id: int) -> Project:
    return db.session.get(Project, project_id)


def law_id(code: str) -> int:
    return db.session.scalar(db.select(Law.id).where(Law.code == code))
