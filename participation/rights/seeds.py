"""Demo requests from seeds/demo/rights.toml, loaded once (skipped when the desk has any request)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from ..core.db import transaction
from ..core.models import User
from ..core.seeds import read_seed
from ..core.types import utcnow
from ..extensions import db
from .models import RightsRequest, Status


def seed() -> None:
    if db.session.scalar(db.select(db.func.count(RightsRequest.id))):
        return
    data = read_seed("rights")
    now = utcnow()
    due_days = current_app.config["RIGHTS_DUE_DAYS"]
    with transaction():
        for item in data.get("past", []):
            created = now - timedelta(days=item["days_ago"])
            closed = created + timedelta(days=item["answered_after"])
            db.session.add(
                RightsRequest(
                    kind=item["kind"],
                    topic=item.get("topic"),
                    status=(Status.DECLINED if item.get("declined") else Status.ANSWERED).value,
                    due_on=(created + timedelta(days=due_days)).date(),
                    created_at=created,
                    closed_at=closed,
                    anonymised_at=closed,
                )
            )
        for item in data.get("open", []):
            requester = db.session.scalar(db.select(User).where(User.email == item["requester"]))
            if requester is None:
                continue
            created = now - timedelta(days=item["days_ago"])
            db.session.add(
                RightsRequest(
                    kind=item["kind"],
                    topic=item.get("topic"),
                    requester_id=requester.id,
                    details=item["details"],
                    locale="ja",
                    due_on=(created + timedelta(days=due_days)).date(),
                    created_at=created,
                )
            )
