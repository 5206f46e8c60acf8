"""Demo proposals of みどり川市 from seeds/demo/proposals.toml. Idempotent: a proposal is found again by
its consultation and title; its supports are replaced by those in the file and counted again."""

from __future__ import annotations

from datetime import UTC, datetime

from ..core.db import transaction
from ..core.i18n import localize
from ..core.models import User
from ..core.seeds import district_ids, read_seed
from ..extensions import db
from ..processes.models import Process
from .models import Proposal, Support


def _moment(value) -> datetime:
    return datetime.fromisoformat(str(value)).astimezone(UTC)


def seed() -> None:
    data = read_seed("proposals")["proposals"]
    districts = district_ids()
    with transaction():
        processes = {p.title.get("ja"): p for p in db.session.scalars(db.select(Process))}
        users = {u.email: u for u in db.session.scalars(db.select(User).where(User.email.is_not(None)))}
        existing = {(p.process_id, p.title): p for p in db.session.scalars(db.select(Proposal))}
        for item in data:
            process = processes.get(item["process"])
            if process is None:
                continue
            categories = {localize(c.name, "ja").text: c.id for c in process.categories}
            proposal = existing.get((process.id, item["title"])) or Proposal(process_id=process.id, title=item["title"])
            proposal.author_id = users[item["author"]].id
            proposal.body = item["body"].strip()
            proposal.locale = item.get("locale", "ja")
            proposal.category_id = categories.get(item.get("category", ""))
            proposal.district_id = districts.get(item.get("district", ""))
            proposal.place = item.get("place")
            proposal.created_at = proposal.updated_at = _moment(item["created_at"])
            proposal.withdrawn_at = _moment(item["withdrawn_at"]) if item.get("withdrawn_at") else None
            db.session.add(proposal)
            db.session.flush()
            db.session.execute(db.delete(Support).where(Support.proposal_id == proposal.id))
            supporters = [users[email].id for email in item.get("supporters", [])]
            for user_id in supporters:
                db.session.add(Support(proposal_id=proposal.id, user_id=user_id, created_at=proposal.created_at))
            proposal.supports_count = len(supporters)
            threshold = process.support_threshold
            reached = threshold is not None and len(supporters) >= threshold
            proposal.threshold_reached_at = (proposal.threshold_reached_at or proposal.created_at) if reached else None
