"""What the proposals capability holds about a person: the proposals they wrote and their supports."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..extensions import db
from .models import Proposal, Support


def personal_data(user) -> dict:
    proposals = db.session.scalars(db.select(Proposal).where(Proposal.author_id == user.id).order_by(Proposal.id)).all()
    supports = db.session.execute(
        db.select(Support.created_at, Proposal.id, Proposal.title)
        .join(Proposal, Proposal.id == Support.proposal_id)
        .where(Support.user_id == user.id)
        .order_by(Support.created_at)
    ).all()
    return {
        _l("Your proposals"): [
            {
                _l("Number"): p.id,
                _l("Title"): p.title,
                _l("Text"): p.body,
                _l("Place"): p.place,
                _l("Written at"): p.created_at,
                _l("Withdrawn at"): p.withdrawn_at,
                _l("Supports"): p.supports_count,
            }
            for p in proposals
        ],
        _l("Proposals you support"): [
            {_l("Number"): ident, _l("Title"): title, _l("Supported at"): at} for at, ident, title in supports
        ],
    }
