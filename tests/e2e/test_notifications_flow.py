"""A resident's proposal is supported and answered; the author sees the notification in Japanese,
reads it and follows a consultation, with and without JavaScript."""

from playwright.sync_api import expect

from participation.core.models import Role, User
from participation.core.types import LocalizedText
from participation.extensions import db
from participation.processes.models import Process
from participation.proposals import services
from participation.proposals.models import Proposal
from tests.conftest import PASSWORD
from tests.proposals import conftest as proposals_conftest

# The process and proposal fixtures, shared here.
make_process = proposals_conftest.make_process
today = proposals_conftest.today
open_process = proposals_conftest.open_process


def _user(user_id):
    user = db.session.get(User, user_id)
    _ = list(user.role_grants)
    return user


def test_author_sees_and_reads_the_answer_notification(live_server, page, app, make_user, open_process):
    _app, base = live_server
    process_id = open_process()
    author, fan, staff = make_user(name="提案 太郎"), make_user(), make_user(Role.STAFF)
    with app.app_context():
        proposal_id = services.create_proposal(
            _user(author.id),
            db.session.get(Process, process_id),
            title="図書館の開館時間延長",
            body="夜も。",
            locale="ja",
        ).id
        services.support(_user(fan.id), db.session.get(Proposal, proposal_id))
        services.answer_proposal(
            _user(staff.id),
            db.session.get(Proposal, proposal_id),
            state="accepted",
            text=LocalizedText({"ja": "実施します。"}),
        )

    page.goto(base + "/login")
    page.get_by_label("メールアドレス").fill(author.email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="ログイン").click()
    bell = page.locator("#notification-bell")
    expect(bell).to_contain_text("通知")
    expect(bell).to_contain_text("1")

    bell.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("通知")
    item = page.locator(".notification").first
    expect(item).to_contain_text("市が提案「図書館の開館時間延長」に回答しました：採用")
    item.get_by_role("button", name="既読にする").click()
    expect(page.locator(".notification--unread")).to_have_count(0)
    expect(page.locator("#notification-bell .badge")).to_have_count(0)

    page.goto(f"{base}/processes/{process_id}")
    page.get_by_role("button", name="フォローする").click()
    expect(page.get_by_role("button", name="フォロー中（フォローをやめる）")).to_be_visible()
