"""A new version of a policy is announced to its followers and to everyone whose consent rests on it;
a public consultation on a draft to its followers."""

from __future__ import annotations

from datetime import timedelta

from participation.core.types import local_today
from participation.extensions import db
from participation.policies import services
from participation.policies.models import Policy, PolicyVersion
from tests.notify_helpers import add_follow, notices, notifications_page, recipients
from tests.policies.conftest import LAB_ITEM, future, ja, revise, user_of, version_of

from ..conftest import html_of


def _consent(app, user, policy_id, granted=True):
    with app.app_context():
        services.answer(user_of(app, user.id), db.session.get(Policy, policy_id), "lab.location", "", granted)


def test_adoption_tells_followers_and_consent_holders_once(app, make_user, make_policy):
    policy_id = make_policy(items=(LAB_ITEM,))
    fan, holder, both, refuser, bystander = (make_user() for _ in range(5))
    add_follow(app, fan.id, (Policy, policy_id))
    add_follow(app, both.id, (Policy, policy_id))
    _consent(app, holder, policy_id)
    _consent(app, both, policy_id)
    _consent(app, refuser, policy_id, granted=False)
    number = revise(app, policy_id, widen=True)
    assert recipients(app, "policy.adopted") == sorted([fan.id, holder.id, both.id])
    assert {params["version"] for _u, _k, params in notices(app, "policy.adopted")} == {number}


def test_consultation_is_announced_to_followers(app, make_user, make_policy):
    policy_id = make_policy(items=(LAB_ITEM,))
    fan, holder = make_user(), make_user()
    add_follow(app, fan.id, (Policy, policy_id))
    _consent(app, holder, policy_id)
    number = revise(app, policy_id, adopt=False)
    with app.app_context():
        until = future()
        services.open_consultation(None, version_of(app, policy_id, number), until)
    assert notices(app, "policy.consultation_opened") == [
        (fan.id, "policy.consultation_opened", {"version": number, "until": until.isoformat()})
    ]


def test_follow_button_and_notices_in_both_languages(app, client, login, make_user, make_policy):
    policy_id = make_policy(items=(LAB_ITEM,))
    ja_reader, en_reader = make_user(locale="ja"), make_user(locale="en")
    login(en_reader)
    assert f'action="/follow/policy/{policy_id}"' in html_of(client.get(f"/policies/{policy_id}"))
    assert client.post(f"/follow/policy/{policy_id}").status_code == 302
    client.post("/logout")
    _consent(app, ja_reader, policy_id)
    number = revise(app, policy_id, adopt=False)
    with app.app_context():
        services.open_consultation(None, version_of(app, policy_id, number), future())
        version = db.session.get(PolicyVersion, version_of(app, policy_id, number).id)
        version.consultation_until = local_today() - timedelta(days=1)  # the consultation has ended
        db.session.commit()
        services.adopt(None, version, trigger="feedback", summary=ja("意見を反映", "Feedback applied"))
    page = notifications_page(client, login, en_reader)
    title = "Station square people-flow living lab: data-use policy"
    assert f"Version {number} of the data-use policy “{title}” is open for public comment until" in page
    assert f"Version {number} of the data-use policy “{title}” was adopted. Please check what changed" in page
    client.post("/logout")
    page = notifications_page(client, login, ja_reader)
    assert (
        f"データ利用方針「駅前人流リビングラボ データ利用方針」の第{number}版が決定しました。変更内容をご確認ください"
        in page
    )
    assert "意見を募集しています" not in page  # only followers hear of a consultation
