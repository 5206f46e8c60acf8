"""Policies: staff-only keeping, the lifecycle, public reading and differences, coverage."""

from __future__ import annotations

from datetime import timedelta

import pytest

from participation.core.models import ActionLog, Role
from participation.core.types import local_today
from participation.extensions import db
from participation.policies import services
from participation.policies.models import Policy, PolicyVersion

from ..conftest import html_of
from .conftest import get_policy, ja, revise, version_of


def test_residents_cannot_reach_staff_pages(app, client, make_user, login, make_policy):
    policy_id = make_policy(adopted=False)
    assert client.get("/admin/policies").status_code == 302  # anonymous: to the login page
    login(make_user())
    for url in ("/admin/policies", "/admin/policies/new", f"/admin/policies/{policy_id}/versions/1/edit"):
        assert client.get(url).status_code == 403
    data = {"title-ja": "乗っ取り", "scope": "city"}
    assert client.post(f"/admin/policies/{policy_id}/versions/1/edit", data=data).status_code == 403
    assert client.post(f"/admin/policies/{policy_id}/versions/1/adopt").status_code == 403
    assert client.post("/admin/policies/new", data=data).status_code == 403
    assert get_policy(app, policy_id).versions[0].status == "draft"


def test_staff_draft_a_policy_and_the_public_does_not_see_it(app, client, make_user, login):
    login(make_user(Role.STAFF))
    data = {
        "scope": "city",
        "title-ja": "みどり川市 データ利活用基本方針",
        "title-en": "Basic data policy",
        "purposes-ja": "市民サービスの改善",
    }
    response = client.post("/admin/policies/new", data=data)
    assert response.status_code == 302
    with app.app_context():
        policy = db.session.scalar(db.select(Policy))
        assert policy.scope == "city" and policy.versions[0].status == "draft"
        assert (
            db.session.scalar(db.select(ActionLog.action).where(ActionLog.resource_id == policy.id)) == "policy.created"
        )
        policy_id = policy.id
    client.post("/logout")
    assert client.get(f"/policies/{policy_id}").status_code == 404
    assert "データ利活用基本方針" not in html_of(client.get("/policies"))


def test_bad_input_is_refused_in_the_readers_language(app, client, make_user, login):
    login(make_user(Role.STAFF))
    response = client.post("/admin/policies/new", data={"scope": "nowhere", "title-ja": ""})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Policy.id))) == 0


def test_lifecycle_consultation_then_adoption_then_supersession(app, client, make_user, login, make_policy):
    staff = make_user(Role.STAFF)
    policy_id = make_policy(adopted=False)
    login(staff)
    base = f"/admin/policies/{policy_id}/versions/1"
    with app.app_context():
        today = local_today()
    past = client.post(f"{base}/consultation", data={"until": today.isoformat()})
    assert past.status_code == 422
    assert version_of(app, policy_id, 1).status == "draft"
    until = (today + timedelta(days=14)).isoformat()
    assert client.post(f"{base}/consultation", data={"until": until}).status_code == 302
    assert version_of(app, policy_id, 1).status == "consultation"
    # Residents see the draft under consultation.
    page = html_of(client.get(f"/policies/{policy_id}"))
    assert "WIRE" not in page
    early = client.post(f"{base}/adopt")
    assert early.status_code == 422
    assert version_of(app, policy_id, 1).status == "consultation"
    with app.app_context():
        version = db.session.get(PolicyVersion, version_of(app, policy_id, 1).id)
        version.consultation_until = local_today() - timedelta(days=1)
        db.session.commit()
    assert client.post(f"{base}/adopt").status_code == 302
    first = version_of(app, policy_id, 1)
    assert first.status == "adopted" and first.adopted_at is not None

    # Editing an adopted version is refused, and nothing changes.
    response = client.post(f"{base}/edit", data={"title-ja": "書き換え", "purposes-ja": "別の目的"})
    assert response.status_code == 422
    assert version_of(app, policy_id, 1).title["ja"] != "書き換え"

    # A new version needs a trigger and a summary at adoption.
    assert client.post(f"/admin/policies/{policy_id}/versions").status_code == 302
    second = f"/admin/policies/{policy_id}/versions/2"
    assert client.post(f"{second}/adopt", data={"trigger": ""}).status_code == 422
    assert client.post(f"{second}/adopt", data={"trigger": "law"}).status_code == 422
    response = client.post(
        f"{second}/adopt",
        data={"trigger": "law", "summary-ja": "改正法に対応", "summary-en": "Follows the amended law"},
    )
    assert response.status_code == 302
    assert version_of(app, policy_id, 1).status == "superseded"
    two = version_of(app, policy_id, 2)
    assert two.status == "adopted" and two.revision_trigger == "law"
    with app.app_context():
        actions = db.session.scalars(
            db.select(ActionLog.action).where(ActionLog.resource_type == "policy").order_by(ActionLog.id)
        ).all()
    assert actions == [
        "policy.created",
        "policy.consultation_opened",
        "policy.adopted",
        "policy.version_created",
        "policy.adopted",
    ]
    page = html_of(client.get(f"/policies/{policy_id}"))
    assert "改正法に対応" in page and "法令の改正" in page  # the trigger, translated


def test_only_one_open_version_at_a_time(app, make_policy):
    policy_id = make_policy()
    revise(app, policy_id, adopt=False)
    with app.app_context(), pytest.raises(services.PolicyError):
        services.new_version(None, db.session.get(Policy, policy_id))


def test_one_version_in_force_is_a_database_rule(app, make_policy):
    policy_id = make_policy()
    revise(app, policy_id, adopt=False)
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        draft = db.session.scalar(db.select(PolicyVersion).where(PolicyVersion.number == 2))
        draft.status = "adopted"
        with pytest.raises(IntegrityError):
            db.session.commit()


def test_every_version_and_a_difference_in_both_languages(app, client, make_policy):
    policy_id = make_policy(purposes=ja("駅前広場の混雑を把握するため。", "To understand crowding in the square."))
    with app.app_context():
        version = services.new_version(None, db.session.get(Policy, policy_id))
        services.update_version(
            None,
            version,
            title=version.title,
            purposes=ja(
                "駅前広場と商店街の混雑を把握するため。", "To understand crowding in the square and the arcade."
            ),
        )
        services.adopt(None, version, trigger="feedback", summary=ja("商店街を追加", "Arcade added"))
    old = html_of(client.get(f"/policies/{policy_id}/versions/1"))
    assert "superseded" in old or "失効" in old
    page = html_of(client.get(f"/policies/{policy_id}/diff?a=1&b=2"))
    assert "<ins>と商店街</ins>" in page
    english = html_of(client.get(f"/policies/{policy_id}/diff?a=1&b=2&lang=en"))
    assert "square<ins> and the arcade</ins>." in english
    # Nonsense parameters fall back to the two latest versions.
    assert client.get(f"/policies/{policy_id}/diff?a=x&b=99").status_code == 200


def test_markup_in_a_policy_is_inert(app, client, make_policy):
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    policy_id = make_policy(purposes=ja("最初" + evil, "first" + evil))
    with app.app_context():
        version = services.new_version(None, db.session.get(Policy, policy_id))
        services.update_version(
            None, version, title=ja(evil + "表題"), purposes=ja("次" + evil + "[link](javascript:alert(3))")
        )
        services.adopt(None, version, trigger="other", summary=ja(evil))
    for url in (
        f"/policies/{policy_id}",
        f"/policies/{policy_id}/versions/1",
        f"/policies/{policy_id}/diff?a=1&b=2",
        f"/policies/{policy_id}/diff?a=1&b=2&lang=en",
        "/policies",
    ):
        html = html_of(client.get(url))
        assert "<script>alert" not in html and "<img" not in html and 'href="javascript:' not in html
    diff = html_of(client.get(f"/policies/{policy_id}/diff?a=1&b=2"))
    assert "&lt;script&gt;" in diff


def test_policies_link_to_devices_and_consultations_in_both_directions(app, client, make_user, login, make_policy):
    from participation.sensors import services as sensors
    from tests.sensors.conftest import complete_fields

    with app.app_context():
        device = sensors.create_device(None, **complete_fields())
        sensors.publish(None, device)
        device_id = device.id
    policy_id = make_policy()
    login(make_user(Role.STAFF))
    bad = client.post(f"/admin/policies/{policy_id}/coverage", data={"resources": ["sensor:999"]})
    with app.app_context():
        assert services.covered(db.session.get(Policy, policy_id)) == []
    assert bad.status_code == 302
    assert (
        client.post(f"/admin/policies/{policy_id}/coverage", data={"resources": [f"sensor:{device_id}"]}).status_code
        == 302
    )
    policy_page = html_of(client.get(f"/policies/{policy_id}"))
    assert f'href="/sensors/{device_id}"' in policy_page
    device_page = html_of(client.get(f"/sensors/{device_id}"))
    assert f'href="/policies/{policy_id}"' in device_page
    # Removing the link removes it on both pages.
    client.post(f"/admin/policies/{policy_id}/coverage", data={})
    assert f'href="/policies/{policy_id}"' not in html_of(client.get(f"/sensors/{device_id}"))


def test_drafts_of_a_published_policy_stay_with_staff(app, client, make_user, login, make_policy):
    policy_id = make_policy()
    revise(app, policy_id, adopt=False)
    assert client.get(f"/policies/{policy_id}/versions/2").status_code == 404
    assert "versions/2" not in html_of(client.get(f"/policies/{policy_id}"))
    assert client.get(f"/policies/{policy_id}/diff?a=1&b=2").status_code == 404
    login(make_user(Role.STAFF))
    assert client.get(f"/policies/{policy_id}/versions/2").status_code == 200


@pytest.mark.parametrize("n", [1, 6])
def test_the_policy_page_runs_a_constant_number_of_queries(
    app, client, make_user, login, make_policy, count_queries, n
):
    from .conftest import LAB_ITEM

    items = tuple({**LAB_ITEM, "purpose_key": f"lab.p{i}"} for i in range(n))
    policy_id = make_policy(items=items)
    for _ in range(n):
        revise(app, policy_id)
    resident = make_user()
    with app.app_context():
        from participation.core.models import User

        for item in items:
            services.answer(
                db.session.get(User, resident.id), db.session.get(Policy, policy_id), item["purpose_key"], "", True
            )
    login(resident)
    for url in (f"/policies/{policy_id}", "/my/consents"):
        client.get(url)
        with count_queries() as counted:
            assert client.get(url).status_code == 200
        # + the bell; the policy page 12 (was 11): the follow button asks whether the reader follows it
        expected = {f"/policies/{policy_id}": 12, "/my/consents": 9}[url]
        assert counted.n == expected, counted.statements


def test_the_action_log_describes_policy_actions(app, client, make_user, login, make_policy):
    make_policy()
    login(make_user(Role.ADMIN))
    page = html_of(client.get("/admin/log"))
    assert "データ利用方針の第1版を決定しました" in page
