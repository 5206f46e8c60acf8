"""Consent per purpose and recipient: given, refused, withdrawn at once, asked again after widening."""

from __future__ import annotations

import pytest

from participation.core import signals
from participation.core.models import Role, User
from participation.extensions import db
from participation.policies import services
from participation.policies.models import Consent, ConsentEvent, ConsentItem, Policy

from ..conftest import html_of
from .conftest import LAB_ITEM, UNI_ITEM, revise


def _has(app, user_id, key="lab.location", recipient=None) -> bool:
    with app.app_context():
        return services.has_consent(db.session.get(User, user_id), key, recipient)


def _answer(client, policy_id, answer, key="lab.location", recipient=""):
    return client.post(
        f"/policies/{policy_id}/consent", data={"purpose_key": key, "recipient": recipient, "answer": answer}
    )


def test_a_resident_gives_and_refuses_per_purpose_and_recipient(app, client, make_user, login, make_policy):
    policy_id = make_policy(items=(LAB_ITEM, UNI_ITEM))
    resident = make_user()
    login(resident)
    page = html_of(client.get(f"/policies/{policy_id}"))
    assert 'name="answer" value="give"' in page
    assert _answer(client, policy_id, "give").status_code == 302
    assert _answer(client, policy_id, "refuse", recipient="midori-univ").status_code == 302
    assert _has(app, resident.id)
    assert not _has(app, resident.id, recipient="midori-univ")
    with app.app_context():
        events = db.session.scalars(db.select(ConsentEvent).order_by(ConsentEvent.id)).all()
        assert [(e.recipient, e.granted, e.version.number) for e in events] == [
            ("", True, 1),
            ("midori-univ", False, 1),
        ]
        assert all(e.created_at is not None for e in events)
    mine = html_of(client.get("/my/consents"))
    assert "位置情報の分析" in mine and "大学への提供" in mine


def test_consent_for_a_purpose_that_needs_none_is_refused(app, client, make_user, login, make_policy):
    policy_id = make_policy(items=(LAB_ITEM,))
    login(make_user())
    response = _answer(client, policy_id, "give", key="ordinary.use")
    assert response.status_code == 422
    assert "同意は必要ありません" in response.get_data(
        as_text=True
    ) or "does not need your consent" in response.get_data(as_text=True)
    assert _answer(client, policy_id, "maybe").status_code == 422
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Consent.id))) == 0
        assert db.session.scalar(db.select(db.func.count(ConsentEvent.id))) == 0


def test_anonymous_visitors_are_sent_to_log_in(client, make_policy):
    policy_id = make_policy(items=(LAB_ITEM,))
    assert _answer(client, policy_id, "give").status_code == 302
    assert client.get("/my/consents").status_code == 302


def test_withdrawal_is_one_click_and_takes_effect_at_once(app, client, make_user, login, make_policy):
    policy_id = make_policy(items=(LAB_ITEM,))
    resident = make_user()
    login(resident)
    _answer(client, policy_id, "give")
    assert _has(app, resident.id)
    with app.app_context():
        consent_id = db.session.scalar(db.select(Consent.id))
    assert client.post(f"/my/consents/{consent_id}/withdraw").status_code == 302
    assert not _has(app, resident.id)
    with app.app_context():
        assert [e.granted for e in db.session.scalars(db.select(ConsentEvent).order_by(ConsentEvent.id))] == [
            True,
            False,
        ]


def test_nobody_withdraws_someone_elses_consent(app, client, make_user, login, make_policy):
    policy_id = make_policy(items=(LAB_ITEM,))
    owner, other = make_user(), make_user()
    with app.app_context():
        consent = services.answer(
            db.session.get(User, owner.id), db.session.get(Policy, policy_id), "lab.location", "", True
        )
        consent_id = consent.id
    login(other)
    client.post(f"/my/consents/{consent_id}/withdraw")
    assert _has(app, owner.id)


def test_refusing_never_blocks_participation(app, client, make_user, login, make_policy):
    policy_id = make_policy(items=(LAB_ITEM,))
    resident = make_user()
    login(resident)
    assert _answer(client, policy_id, "refuse").status_code == 302
    assert not _has(app, resident.id)
    for url in ("/", "/processes", "/sensors", "/policies", f"/policies/{policy_id}", "/my/consents"):
        assert client.get(url).status_code == 200


def test_an_unchanged_purpose_keeps_its_consent_across_versions(app, make_user, make_policy):
    policy_id = make_policy(items=(LAB_ITEM,))
    resident = make_user()
    with app.app_context():
        services.answer(db.session.get(User, resident.id), db.session.get(Policy, policy_id), "lab.location", "", True)
    revise(app, policy_id)
    assert _has(app, resident.id)


def test_widening_a_purpose_asks_again_before_the_new_use(app, client, make_user, login, make_policy, count_queries):
    policy_id = make_policy(items=(LAB_ITEM,))
    resident = make_user()
    login(resident)
    _answer(client, policy_id, "give")
    assert "もう一度" not in html_of(client.get("/policies"))
    revise(app, policy_id, widen=True)
    assert not _has(app, resident.id)
    with app.app_context():
        assert services.consent_holders(db.session.get(Policy, policy_id))[0].id == resident.id
    page = html_of(client.get("/policies"))
    assert 'href="/my/consents"' in page and "notice--warning" in page  # the banner
    mine = html_of(client.get("/my/consents"))
    assert 'value="give"' in mine
    response = client.post(
        f"/policies/{policy_id}/consent",
        data={"purpose_key": "lab.location", "recipient": "", "answer": "give", "next": "my"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/my/consents")
    assert _has(app, resident.id)
    assert "notice--warning" not in html_of(client.get("/policies"))


def test_a_new_recipient_is_not_covered_by_earlier_consent(app, make_user, make_policy):
    policy_id = make_policy(items=(LAB_ITEM,))
    resident = make_user()
    with app.app_context():
        services.answer(db.session.get(User, resident.id), db.session.get(Policy, policy_id), "lab.location", "", True)
    revise(app, policy_id, add_recipient=UNI_ITEM)
    assert _has(app, resident.id)
    assert not _has(app, resident.id, recipient="midori-univ")
    with app.app_context():
        services.answer(
            db.session.get(User, resident.id), db.session.get(Policy, policy_id), "lab.location", "midori-univ", True
        )
    assert _has(app, resident.id, recipient="midori-univ")


def test_an_answer_for_a_superseded_version_is_refused(app, client, make_user, login, make_policy):
    policy_id = make_policy(items=(LAB_ITEM,))
    with app.app_context():
        old_version_id = db.session.get(Policy, policy_id).versions[0].id
    revise(app, policy_id)
    login(make_user())
    response = client.post(
        f"/policies/{policy_id}/consent",
        data={"purpose_key": "lab.location", "recipient": "", "answer": "give", "version_id": old_version_id},
    )
    assert response.status_code == 422
    with app.app_context():  # nothing recorded: neither a consent nor a line of its history
        assert db.session.scalar(db.select(db.func.count(Consent.id))) == 0
        assert db.session.scalar(db.select(db.func.count(ConsentEvent.id))) == 0


def test_the_banner_costs_one_query_however_many_consents(app, client, make_user, login, make_policy, count_queries):
    resident = make_user()
    login(resident)
    counts = []
    for n in (1, 4):
        for i in range(n):
            item = {**LAB_ITEM, "purpose_key": f"lab.p{n}-{i}"}
            policy_id = make_policy(items=(item,), title=LAB_ITEM["label"])
            with app.app_context():
                services.answer(
                    db.session.get(User, resident.id), db.session.get(Policy, policy_id), item["purpose_key"], "", True
                )
            revise(app, policy_id, adopt=False)
        client.get("/terms")
        with count_queries() as counted:
            client.get("/terms")
        counts.append(counted.n)
    assert counts[0] == counts[1]
    anonymous = app.test_client()
    with count_queries() as plain:
        anonymous.get("/terms")
    assert counts[0] - plain.n == 4  # load the user, their roles, the banner's one query, the bell


def test_stopping_use_withdraws_every_consent(app, make_user, make_policy):
    policy_id = make_policy(items=(LAB_ITEM, UNI_ITEM))
    resident = make_user()
    with app.app_context():
        user = db.session.get(User, resident.id)
        policy = db.session.get(Policy, policy_id)
        services.answer(user, policy, "lab.location", "", True)
        services.answer(user, policy, "lab.location", "midori-univ", True)
        signals.use_stopping.send(user)
        db.session.commit()
    assert not _has(app, resident.id) and not _has(app, resident.id, recipient="midori-univ")
    with app.app_context():
        channels = db.session.scalars(db.select(ConsentEvent.channel).where(ConsentEvent.granted.is_(False))).all()
    assert channels == ["stop_of_use", "stop_of_use"]


def test_deleting_the_account_erases_consents(app, client, make_user, login, make_policy):
    policy_id = make_policy(items=(LAB_ITEM,))
    resident = make_user()
    login(resident)
    _answer(client, policy_id, "give")
    response = client.post("/account/delete", data={"current_password": "correct horse battery", "confirm": "y"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, resident.id).deleted_at is not None
        assert db.session.scalar(db.select(db.func.count(Consent.id))) == 0
        assert db.session.scalar(db.select(db.func.count(ConsentEvent.id))) == 0


def test_staff_cannot_answer_or_withdraw_for_others(app, client, make_user, login, make_policy):
    policy_id = make_policy(items=(LAB_ITEM,))
    resident, staff = make_user(), make_user(Role.STAFF, Role.ADMIN)
    login(resident)
    assert _answer(client, policy_id, "give").status_code == 302
    with app.app_context():
        consent_id = db.session.scalar(db.select(Consent.id).where(Consent.user_id == resident.id))
        history = db.session.scalar(db.select(db.func.count(ConsentEvent.id)))
    client.post("/logout")
    login(staff)
    # Withdrawing someone else's consent by its number: refused, and it stays given.
    response = client.post(f"/my/consents/{consent_id}/withdraw", follow_redirects=True)
    assert response.status_code == 200 and "撤回できる同意はありません。" in response.get_data(as_text=True)
    assert _has(app, resident.id)
    # Answering "refuse" with the resident's id in the form records the staff member's own answer only.
    response = client.post(
        f"/policies/{policy_id}/consent",
        data={"purpose_key": "lab.location", "recipient": "", "answer": "refuse", "user_id": resident.id},
    )
    assert response.status_code == 302
    assert _has(app, resident.id)
    with app.app_context():
        events = db.session.execute(
            db.select(ConsentEvent.user_id, ConsentEvent.granted).order_by(ConsentEvent.id)
        ).all()
    assert len(events) == history + 1 and tuple(events[-1]) == (staff.id, False)


def test_consent_items_are_checked(app, make_policy):
    policy_id = make_policy(adopted=False)
    other = make_policy(adopted=False)

    def items() -> int:
        with app.app_context():
            return db.session.scalar(db.select(db.func.count(ConsentItem.id)))

    with app.app_context():
        version = db.session.get(Policy, policy_id).versions[0]
        for bad in (
            {**LAB_ITEM, "purpose_key": "Bad Key!"},
            {**LAB_ITEM, "kind": "whim"},
            {**LAB_ITEM, "label": None},
            {**UNI_ITEM, "recipient_name": None},
        ):
            with pytest.raises(services.PolicyError):
                services.add_consent_item(None, version, **bad)
    assert items() == 0
    with app.app_context():
        version = db.session.get(Policy, policy_id).versions[0]
        services.add_consent_item(None, version, **LAB_ITEM)
        with pytest.raises(services.PolicyError):  # the same purpose twice
            services.add_consent_item(None, version, **LAB_ITEM)
    assert items() == 1
    with app.app_context(), pytest.raises(services.PolicyError):  # a key another policy already uses
        services.add_consent_item(None, db.session.get(Policy, other).versions[0], **LAB_ITEM)
    assert items() == 1
