"""The rights desk wired to the other capabilities: a stop of use withdraws consents end to end,
and a policy's page leads to the desk with the policy named on the request."""

from __future__ import annotations

import json

from participation.core.models import Role, User
from participation.core.users import in_statistics
from participation.extensions import db
from participation.policies import services as policies
from participation.policies.models import Consent, ConsentEvent, Policy
from participation.rights.models import RightsRequest
from tests.policies.conftest import LAB_ITEM

from ..conftest import html_of


def test_a_stop_of_use_accepted_by_staff_withdraws_every_consent(app, client, make_user, login, make_policy):
    resident, staff = make_user(), make_user(Role.STAFF)
    policy_id = make_policy(items=(LAB_ITEM,))
    login(resident)
    with app.app_context():
        version_id = db.session.get(Policy, policy_id).versions[0].id
    given = client.post(
        f"/policies/{policy_id}/consent",
        data={"answer": "give", "purpose_key": LAB_ITEM["purpose_key"], "recipient": "", "version_id": version_id},
    )
    assert given.status_code in (302, 303)
    with app.app_context():
        assert policies.has_consent(db.session.get(User, resident.id), LAB_ITEM["purpose_key"])
    filed = client.post(
        "/rights/new", data={"kind": "stop_use", "about": "platform", "details": "利用を止めてください"}
    )
    assert filed.status_code in (302, 303)
    with app.app_context():
        request_id = db.session.scalar(db.select(RightsRequest.id).where(RightsRequest.requester_id == resident.id))
    client.post("/logout")

    login(staff)
    client.post(f"/admin/rights/{request_id}", data={"action": "answer", "response": "利用を停止しました"})
    client.post("/logout")

    with app.app_context():
        person = db.session.get(User, resident.id)
        assert person.use_stopped_at is not None and not in_statistics(person)
        assert not policies.has_consent(person, LAB_ITEM["purpose_key"])
        consent = db.session.scalar(db.select(Consent).where(Consent.user_id == resident.id))
        assert consent.granted is False
        channels = db.session.scalars(
            db.select(ConsentEvent.channel).where(ConsentEvent.user_id == resident.id).order_by(ConsentEvent.id)
        ).all()
        assert channels == ["web", "stop_of_use"]
    login(resident)
    assert "利用停止の請求により撤回" in html_of(client.get("/my/consents"))
    document = json.loads(html_of(client.get("/account/data.json")))
    history = document["sections"]["あなたの同意の履歴"]
    assert [row["回答"] for row in history][-1] == "利用停止の請求により撤回"
    assert document["sections"]["あなたの同意"][0]["あなたの回答"] == "回答しない"  # "Not given", as on My consents
    page = html_of(client.get("/account/data"))
    assert 'href="/my/consents"' in page  # the consents sections lead to where they are managed


def test_a_policy_page_leads_to_the_rights_desk_and_the_request_names_the_policy(
    app, client, make_user, login, make_policy
):
    policy_id = make_policy(title={"ja": "みどり川市 個人情報の取扱い方針"})
    draft_id = make_policy(adopted=False)
    resident = make_user()
    page = html_of(client.get(f"/policies/{policy_id}"))
    link = f"/rights/new?about=policy:{policy_id}"
    assert link.replace(":", "%3A") in page or link in page
    form = html_of(client.get(link))
    assert "みどり川市 個人情報の取扱い方針" in form
    login(resident)
    response = client.post(
        "/rights/new",
        data={"kind": "complaint", "topic": "consent", "about": f"policy:{policy_id}", "details": "説明が不十分です"},
    )
    assert response.status_code in (302, 303)
    shown = html_of(client.get(response.headers["Location"]))
    assert "みどり川市 個人情報の取扱い方針" in shown and f"/policies/{policy_id}" in shown
    # A draft is not public (no page to link from), the form does not name it, and the desk
    # refuses requests about it.
    with app.app_context():
        assert not db.session.get(Policy, draft_id).is_published
        filed = db.session.scalar(db.select(db.func.count(RightsRequest.id)))
    assert client.get(f"/policies/{draft_id}").status_code == 404
    form = html_of(client.get(f"/rights/new?about=policy:{draft_id}"))
    assert "駅前人流リビングラボ" not in form
    refused = client.post(
        "/rights/new",
        data={"kind": "complaint", "topic": "consent", "about": f"policy:{draft_id}", "details": "下書きについて"},
    )
    assert refused.status_code == 422
    assert "依頼の対象が見つかりません。" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(RightsRequest.id))) == filed
