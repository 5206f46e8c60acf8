"""A resident consents under a policy, is asked again after a widening version, answers, and
withdraws in one click; with and without JavaScript."""

from playwright.sync_api import expect

from participation.extensions import db
from participation.policies import services
from participation.policies.models import Policy
from tests.policies.conftest import LAB_ITEM, policy_fields, revise

PASSWORD = "correct horse battery"


def test_consent_reconsent_and_withdrawal(live_server, page, make_user):
    app, base = live_server
    resident = make_user(email="consent.e2e@example.jp")
    with app.app_context():
        policy = services.create_policy(None, **policy_fields())
        services.add_consent_item(None, policy.versions[0], **LAB_ITEM)
        services.adopt(None, policy.versions[0], trigger=None, summary=None)
        policy_id = policy.id

    page.goto(base + "/login")
    page.get_by_label("メールアドレス").fill(resident.email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("status")).to_contain_text("ログインしました。")

    page.goto(f"{base}/policies/{policy_id}")
    page.get_by_role("button", name="同意する").click()
    expect(page.get_by_role("status")).to_contain_text("同意を記録しました。")

    revise(app, policy_id, widen=True)
    with app.app_context():
        assert not services.has_consent(resident, "lab.location")
        assert db.session.get(Policy, policy_id).versions[-1].status == "adopted"

    page.goto(base + "/policies")
    page.get_by_role("link", name="私の同意を確認する").click()
    page.get_by_role("button", name="広がった利用に同意する").click()
    expect(page.get_by_role("status")).to_contain_text("同意を記録しました。")
    expect(page.get_by_role("link", name="私の同意を確認する")).to_have_count(0)
    with app.app_context():
        assert services.has_consent(resident, "lab.location")

    page.get_by_role("button", name="撤回する").click()
    expect(page.get_by_role("status")).to_contain_text("同意を撤回しました。")
    with app.app_context():
        assert not services.has_consent(resident, "lab.location")
