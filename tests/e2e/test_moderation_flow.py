"""A resident reports a proposal from its page (inline with JavaScript, on its own page without)."""

from playwright.sync_api import expect

from participation.core.moderation.models import Report
from participation.extensions import db
from tests.conftest import PASSWORD
from tests.moderation.conftest import make_process, make_proposal, open_process, today  # noqa: F401


def test_resident_reports_a_proposal(live_server, page, make_user, open_process, make_proposal):  # noqa: F811
    app, base = live_server
    author, reporter = make_user(name="投稿者"), make_user(name="通報者")
    proposal_id = make_proposal(open_process(), author.id, title="駅前に屋根付きの駐輪場を")

    page.goto(base + "/login")
    page.get_by_label("メールアドレス").fill(reporter.email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("status")).to_contain_text("ログインしました。")

    page.goto(f"{base}/proposals/{proposal_id}")
    page.get_by_role("link", name="通報する").click()
    page.get_by_label("スパム・宣伝").check()
    page.get_by_label("詳細（任意）").fill("同じ宣伝が何度も投稿されています。")
    page.get_by_role("button", name="通報を送信する").click()
    expect(page.get_by_text("通報を受け付けました。")).to_be_visible()
    if page.javascript:  # the form opened and answered in place
        assert page.url == f"{base}/proposals/{proposal_id}"
    with app.app_context():
        [report] = db.session.scalars(db.select(Report)).all()
        assert (report.reason, report.reporter_id) == ("spam", reporter.id)
