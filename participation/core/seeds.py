"""Loading demo data from the top-level seeds/ folder. Every loader is idempotent: running
`flask seed demo` twice leaves the same data."""

from __future__ import annotations

import tomllib
from typing import Any

from ..config import PROJECT_ROOT
from ..extensions import db
from .action_log import PUBLIC
from .db import transaction
from .models import ActionLog, District, Organization
from .resources import type_name_of
from .types import LocalizedText

SEEDS_DIR = PROJECT_ROOT / "seeds"


def read_seed(name: str) -> dict[str, Any]:
    """seeds/demo/<name>.toml as a dict."""
    with (SEEDS_DIR / "demo" / f"{name}.toml").open("rb") as f:
        return tomllib.load(f)


def text(values: dict[str, str] | None) -> LocalizedText | None:
    return LocalizedText(values) if values else None


def district_ids() -> dict[str, int]:
    return dict(db.session.execute(db.select(District.code, District.id)).all())


def seed_site() -> None:
    data = read_seed("site")
    with transaction():
        organization = db.session.scalar(db.select(Organization).limit(1)) or Organization()
        org = data["organization"]
        organization.name = text(org["name"])
        organization.description = text(org.get("description"))
        organization.contact_email = org.get("contact_email")
        organization.contact_phone = org.get("contact_phone")
        db.session.add(organization)
        existing = {d.code: d for d in db.session.scalars(db.select(District))}
        for position, item in enumerate(data["districts"]):
            district = existing.get(item["code"]) or District(code=item["code"])
            district.name = text(item["name"])
            district.position = position
            db.session.add(district)


def seed_log(actor_id: int | None, action: str, resource, at, data: dict | None = None) -> None:
    """The public action-log entry the real action would have written, dated when the demo says it
    happened, so the home page and the activity feed show the demo city's life. Once per action and
    record: running the seeds again adds nothing."""
    kind = type_name_of(resource)
    found = db.session.scalar(
        db.select(ActionLog.id).where(
            ActionLog.action == action, ActionLog.resource_type == kind, ActionLog.resource_id == resource.id
        )
    )
    if found is None:
        db.session.add(
            ActionLog(
                actor_id=actor_id,
                action=action,
                resource_type=kind,
                resource_id=resource.id,
                visibility=PUBLIC,
                data=dict(data or {}),
                created_at=at,
            )
        )
