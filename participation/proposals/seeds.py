"""Demo proposals of みどり川市 from seeds/demo/proposals.toml. Idempotent: a proposal is found again by
its consultation and title; its supports are replaced by those in the file and counted again."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ..core.comments.seeds import load_comments
from ..core.db import transaction
from ..core.i18n import localize
from ..core.models import User
from ..core.notifications import ensure_following
from ..core.seeds import district_ids, read_seed, seed_log
from ..core.types import LocalizedText
from ..extensions import db
from ..processes.models import Process
from .models import AnswerState, ProgressUpdate, Proposal, ProposalAnswer, Support
from .services import recount_process, threshold_of


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
            seed_log(proposal.author_id, "proposal.created", proposal, proposal.created_at, {"process_id": process.id})
            if proposal.withdrawn_at:
                seed_log(proposal.author_id, "proposal.withdrawn", proposal, proposal.withdrawn_at)
            db.session.execute(db.delete(Support).where(Support.proposal_id == proposal.id))
            supporters = [users[email].id for email in item.get("supporters", [])]
            for user_id in supporters:
                db.session.add(Support(proposal_id=proposal.id, user_id=user_id, created_at=proposal.created_at))
            proposal.supports_count = len(supporters)
            for user_id in {proposal.author_id, *supporters}:  # as if they had used the site
                ensure_following(user_id, proposal)
            threshold = threshold_of(process)
            reached = threshold is not None and len(supporters) >= threshold
            proposal.threshold_reached_at = (proposal.threshold_reached_at or proposal.created_at) if reached else None
            _seed_answers(proposal, item, users)
        db.session.flush()
        for process in processes.values():
            recount_process(process)
        _seed_comments(processes, users)


def _seed_comments(processes, users) -> None:
    """Comments from seeds/demo/comments.toml on proposals of the demo consultations."""
    process_ids = [p.id for p in processes.values()]
    by_title = {p.title: p for p in db.session.scalars(db.select(Proposal).where(Proposal.process_id.in_(process_ids)))}
    for entry in read_seed("comments")["proposal_comments"]:
        proposal = by_title.get(entry["proposal"])
        if proposal is not None:
            load_comments(proposal, entry["comments"], users)


def _text(entry) -> LocalizedText:
    return LocalizedText({"ja": entry["ja"].strip(), "en": entry.get("en", "").strip()}, "ja")


def _seed_answers(proposal: Proposal, item, users) -> None:
    """The city's answers (oldest first) and the implementation record, replaced by those in the file."""
    db.session.execute(db.delete(ProposalAnswer).where(ProposalAnswer.proposal_id == proposal.id))
    db.session.execute(db.delete(ProgressUpdate).where(ProgressUpdate.proposal_id == proposal.id))
    proposal.answer_state = proposal.answer_text = proposal.answer_cost = None
    proposal.answered_at = proposal.answered_by_id = None
    proposal.progress = 0
    for answer in item.get("answers", []):
        staff = users[answer["by"]].id
        moment = _moment(answer["at"])
        state = AnswerState(answer["state"]).value
        text = _text(answer)
        cost = answer.get("cost")
        db.session.add(
            ProposalAnswer(
                proposal_id=proposal.id, state=state, text=text, cost=cost, author_id=staff, created_at=moment
            )
        )
        proposal.answer_state, proposal.answer_text, proposal.answer_cost = state, text, cost
        proposal.answered_at, proposal.answered_by_id = moment, staff
    if proposal.answered_at:
        seed_log(
            proposal.answered_by_id,
            "proposal.answered",
            proposal,
            proposal.answered_at,
            {"state": proposal.answer_state},
        )
    for update in item.get("progress", []):
        db.session.add(
            ProgressUpdate(
                proposal_id=proposal.id,
                on=date.fromisoformat(str(update["on"])),
                text=_text(update),
                progress=update["progress"],
                author_id=users[update["by"]].id,
                created_at=_moment(f"{update['on']}T12:00:00+09:00"),
            )
        )
        proposal.progress = update["progress"]
