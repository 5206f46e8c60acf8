"""A grant and a withdrawal at the same moment end in one well-defined state: one row per person,
purpose and recipient, matching the latest event of the history."""

import threading

from participation.core.models import User
from participation.extensions import db
from participation.policies import services
from participation.policies.models import Consent, ConsentEvent, Policy

from .conftest import LAB_ITEM

PASSWORD = "correct horse battery"


def _client(app, user):
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def _at_once(calls):
    barrier = threading.Barrier(len(calls))
    statuses = []
    lock = threading.Lock()

    def run(call):
        barrier.wait()
        status = call()
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def _state(app, user_id):
    with app.app_context():
        rows = db.session.scalars(db.select(Consent).where(Consent.user_id == user_id)).all()
        last = db.session.scalar(
            db.select(ConsentEvent).where(ConsentEvent.user_id == user_id).order_by(ConsentEvent.id.desc()).limit(1)
        )
        return rows, last


def test_give_and_refuse_at_once_end_in_one_state(app, make_user, make_policy):
    policy_id = make_policy(items=(LAB_ITEM,))
    resident = make_user()
    first, second = _client(app, resident), _client(app, resident)
    url = f"/policies/{policy_id}/consent"
    for _ in range(4):
        statuses = _at_once(
            [
                lambda: first.post(url, data={"purpose_key": "lab.location", "answer": "give"}).status_code,
                lambda: second.post(url, data={"purpose_key": "lab.location", "answer": "refuse"}).status_code,
            ]
        )
        assert statuses == [302, 302]
        rows, last = _state(app, resident.id)
        assert len(rows) == 1
        assert rows[0].granted == last.granted
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ConsentEvent.id))) == 8


def test_withdraw_and_give_again_at_once_end_in_one_state(app, make_user, make_policy):
    policy_id = make_policy(items=(LAB_ITEM,))
    resident = make_user()
    with app.app_context():
        consent_id = services.answer(
            db.session.get(User, resident.id), db.session.get(Policy, policy_id), "lab.location", "", True
        ).id
    first, second = _client(app, resident), _client(app, resident)
    for _ in range(4):
        _at_once(
            [
                lambda: first.post(f"/my/consents/{consent_id}/withdraw").status_code,
                lambda: (
                    second.post(
                        f"/policies/{policy_id}/consent", data={"purpose_key": "lab.location", "answer": "give"}
                    ).status_code
                ),
            ]
        )
        rows, last = _state(app, resident.id)
        assert len(rows) == 1 and rows[0].granted == last.granted
        with app.app_context():
            assert services.has_consent(db.session.get(User, resident.id), "lab.location") == last.granted
