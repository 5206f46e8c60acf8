"""The home page's latest official answers: what the city answered to residents' proposals, newest
first, in one query."""

from __future__ import annotations

from ..core.slots import render
from ..extensions import db
from ..processes.models import Process
from .models import Proposal

HOME_LIMIT = 4


def latest_answers(district=None, **_context):
    query = (
        db.select(Proposal)
        .join(Process, Process.id == Proposal.process_id)
        .where(Process.published_at.is_not(None), Proposal.hidden_at.is_(None), Proposal.answered_at.is_not(None))
        .options(db.contains_eager(Proposal.process))
        .order_by(Proposal.answered_at.desc(), Proposal.id.desc())
        .limit(HOME_LIMIT)
    )
    if district is not None:
        query = query.where(Proposal.district_id == district.id)
    proposals = db.session.scalars(query).all()
    return render("proposals/_home_answers.html", proposals=proposals, district=district)
