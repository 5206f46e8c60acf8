"""What the policies capability holds about a person: their present answers to consent requests
and the full history of those answers (erased with the account, see services.erase_consents)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.capability import DataSection
from ..core.i18n import localize
from ..extensions import db
from .models import Consent, ConsentEvent, PolicyVersion


def _answer(event: ConsentEvent):
    if event.granted:
        return _l("consent given")
    if event.channel == "stop_of_use":
        return _l("withdrawn by your stop-of-use request")
    return _l("consent refused or withdrawn")


def personal_data(user) -> dict:
    consents = db.session.scalars(
        db.select(Consent)
        .where(Consent.user_id == user.id)
        .options(db.joinedload(Consent.version).joinedload(PolicyVersion.policy))
        .order_by(Consent.policy_id, Consent.purpose_key, Consent.recipient)
    ).all()
    events = db.session.scalars(
        db.select(ConsentEvent)
        .where(ConsentEvent.user_id == user.id)
        .options(db.joinedload(ConsentEvent.version).joinedload(PolicyVersion.policy))
        .order_by(ConsentEvent.id)
    ).all()
    return {
        DataSection(_l("Your consents"), "policies.my_consents"): [
            {
                _l("Policy"): localize(c.version.policy.title).text,
                _l("Version"): c.version.number,
                _l("Purpose"): c.purpose_key,
                _l("Recipient"): c.recipient or None,
                _l("Your answer"): _l("Given") if c.granted else _l("Not given"),
                _l("Since"): c.decided_at,
            }
            for c in consents
        ],
        DataSection(_l("History of your consents"), "policies.my_consents"): [
            {
                _l("When"): e.created_at,
                _l("Policy"): localize(e.version.policy.title).text,
                _l("Version"): e.version.number,
                _l("Purpose"): e.purpose_key,
                _l("Recipient"): e.recipient or None,
                _l("Answer"): _answer(e),
            }
            for e in events
        ],
    }
