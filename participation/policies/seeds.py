"""Demo policies from seeds/demo/policies.toml: the platform's own privacy policy and a living-lab
policy with purposes needing consent. Idempotent: a policy already present (found by its Japanese
title) is left as it is, so versions and consents given in the demo survive a second run."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ..core import links
from ..core.db import transaction
from ..core.resources import resource_type
from ..core.seeds import read_seed, text
from ..extensions import db
from . import services
from .models import VERSION_FIELDS, ConsentItem, Policy, PolicyVersion, Provision


def _moment(value) -> datetime | None:
    return datetime.fromisoformat(str(value)).astimezone(UTC) if value else None


def _covered(names: list[str], type_name: str) -> list:
    rtype = resource_type(type_name)
    if rtype is None or not names:
        return []
    found = []
    for record in db.session.scalars(db.select(rtype.model)):
        title = getattr(record, "name", None) or getattr(record, "title", None)
        if title and title.get("ja") in names:
            found.append(record)
    return found


def seed() -> None:
    data = read_seed("policies")
    with transaction():
        existing = {p.versions[0].title.get("ja") for p in db.session.scalars(db.select(Policy)) if p.versions}
        for item in data["policies"]:
            first = item["versions"][0]
            if first["title"]["ja"] in existing:
                continue
            policy = Policy(scope=item["scope"], title=text(first["title"]))
            for number, entry in enumerate(item["versions"], start=1):
                version = PolicyVersion(
                    number=number,
                    status=entry["status"],
                    title=text(entry["title"]),
                    revision_trigger=entry.get("trigger"),
                    summary=text(entry.get("summary")),
                    adopted_at=_moment(entry.get("adopted_at")),
                    superseded_at=_moment(entry.get("superseded_at")),
                    consultation_until=date.fromisoformat(entry["consultation_until"])
                    if entry.get("consultation_until")
                    else None,
                    consultation_opened_at=_moment(entry.get("consultation_opened_at")),
                )
                for name in VERSION_FIELDS:
                    setattr(version, name, text(entry.get(name)))
                for consent in entry.get("items", []):
                    version.consent_items.append(
                        ConsentItem(
                            purpose_key=consent["purpose_key"],
                            recipient=consent.get("recipient", ""),
                            kind=consent["kind"],
                            label=text(consent["label"]),
                            description=text(consent.get("description")),
                            recipient_name=text(consent.get("recipient_name")),
                            widens=bool(consent.get("widens")),
                            since_version=consent.get("since_version", number),
                        )
                    )
                policy.versions.append(version)
                if version.status == "adopted":
                    policy.title = version.title
                if version.adopted_at and policy.published_at is None:
                    policy.published_at = version.adopted_at
            if policy.published_at is None and any(v.status != "draft" for v in policy.versions):
                policy.published_at = _moment(item["versions"][0].get("consultation_opened_at"))
            db.session.add(policy)
            db.session.flush()
            covered = _covered(item.get("covers_sensors", []), "sensor")
            links.set_links(policy, services.COVERS, covered + _covered(item.get("covers_processes", []), "process"))
        db.session.flush()
        if db.session.scalar(db.select(Provision.id).limit(1)) is None:
            titles = {p.title.get("ja"): p for p in db.session.scalars(db.select(Policy))}
            for entry in data.get("provisions", []):
                db.session.add(
                    Provision(
                        policy=titles.get(entry.get("policy")),
                        recipient=entry["recipient"],
                        data_items=entry["data_items"],
                        provided_on=date.fromisoformat(entry["provided_on"]),
                        basis=entry["basis"],
                        basis_note=entry.get("basis_note", ""),
                        subjects=entry.get("subjects"),
                    )
                )
