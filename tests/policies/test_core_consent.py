"""core.consent: other capabilities check, give and withdraw consent through the core, with the
policies capability as provider; without it nothing can be consented to."""

from __future__ import annotations

import pytest

from participation.config import DEFAULTS
from participation.core import consent
from participation.core.models import User
from participation.extensions import db
from participation.policies.models import ConsentEvent

from .conftest import LAB_ITEM, UNI_ITEM, revise


def _user(user_id: int) -> User:
    return db.session.get(User, user_id)


def test_purposes_in_force_are_listed_with_their_version(app, make_policy):
    policy_id = make_policy(items=(LAB_ITEM, UNI_ITEM))
    make_policy(adopted=False, items=({**LAB_ITEM, "purpose_key": "draft.only"},))
    with app.test_request_context():
        found = {(p.key, p.recipient): p for p in consent.purposes()}
        assert set(found) == {("lab.location", ""), ("lab.location", "midori-univ")}
        assert found[("lab.location", "")].policy_id == policy_id
        assert found[("lab.location", "")].version_number == 1
        assert consent.purpose("draft.only") is None


def test_grant_check_and_withdraw_through_the_core(app, make_user, make_policy):
    make_policy(items=(LAB_ITEM, UNI_ITEM))
    resident = make_user()
    with app.test_request_context():
        user = _user(resident.id)
        assert not consent.has_consent(user, "lab.location")
        with pytest.raises(consent.ConsentRequired, match="位置情報の分析"):
            consent.require_consent(user, ["lab.location"])
        consent.grant(user, "lab.location", channel="livinglab")
        assert consent.has_consent(user, "lab.location")
        assert not consent.has_consent(user, "lab.location", "midori-univ")
        consent.require_consent(user, ["lab.location"])
        with pytest.raises(consent.ConsentRequired):
            consent.require_consent(user, ["lab.location", ("lab.location", "midori-univ")])
        assert consent.withdraw(user, "lab.location", channel="livinglab")
        assert not consent.has_consent(user, "lab.location")
        assert not consent.withdraw(user, "lab.location")  # nothing left to withdraw
        channels = db.session.scalars(db.select(ConsentEvent.channel).order_by(ConsentEvent.id)).all()
        assert channels == ["livinglab", "livinglab"]


def test_a_widening_version_makes_the_core_check_say_no_until_asked_again(app, make_user, make_policy):
    policy_id = make_policy(items=(LAB_ITEM,))
    resident = make_user()
    with app.test_request_context():
        consent.grant(_user(resident.id), "lab.location")
    revise(app, policy_id, widen=True)
    with app.test_request_context():
        user = _user(resident.id)
        assert not consent.has_consent(user, "lab.location")
        consent.grant(user, "lab.location")
        assert consent.has_consent(user, "lab.location")


def test_unknown_purposes_and_anonymous_people_are_refused(app, make_policy):
    make_policy(items=(LAB_ITEM,))
    with app.test_request_context():
        assert not consent.has_consent(None, "lab.location")
        with pytest.raises(consent.ConsentRequired, match="no.such"):
            consent.require_consent(None, ["no.such"])


def test_without_the_policies_capability_nothing_can_be_consented_to(make_app, make_user):
    capabilities = [c for c in DEFAULTS["CAPABILITIES"] if "policies" not in c]
    app = make_app(CAPABILITIES=capabilities)
    resident = make_user()
    with app.test_request_context():
        user = _user(resident.id)
        assert not consent.available()
        assert consent.purposes() == []
        assert not consent.has_consent(user, "lab.location")
        with pytest.raises(consent.ConsentRequired):
            consent.grant(user, "lab.location")
        assert not consent.withdraw(user, "lab.location")


def test_every_withdrawal_tells_the_capabilities_that_relied_on_it(app, client, make_user, login, make_policy):
    from participation.core import signals
    from participation.policies.models import Consent

    policy_id = make_policy(items=(LAB_ITEM,))
    resident = make_user()
    heard = []

    def receiver(user, **kwargs):
        heard.append((user.id, kwargs["purpose_key"], kwargs["recipient"], kwargs["channel"]))

    signals.consent_withdrawn.connect(receiver)
    try:
        with app.test_request_context():
            consent.grant(_user(resident.id), "lab.location")
            consent.withdraw(_user(resident.id), "lab.location", channel="livinglab")
        login(resident)
        client.post(f"/policies/{policy_id}/consent", data={"purpose_key": "lab.location", "answer": "give"})
        with app.app_context():
            consent_id = db.session.scalar(db.select(Consent.id))
        assert client.post(f"/my/consents/{consent_id}/withdraw").status_code == 302
    finally:
        signals.consent_withdrawn.disconnect(receiver)
    assert heard == [(resident.id, "lab.location", "", "livinglab"), (resident.id, "lab.location", "", "web")]
