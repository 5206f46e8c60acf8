"""The whole life of a proposal in a real browser, in Japanese, with and without JavaScript: a
resident submits it, a second resident supports it and comments in favour, a staff member gives the
city's answer on the proposal page, and the author sees the notification and opens the proposal."""

import re

from playwright.sync_api import expect

from participation.core.models import Role
from tests.conftest import PASSWORD
from tests.proposals import conftest as proposals_conftest

# The process fixtures, shared here.
make_process = proposals_conftest.make_process
today = proposals_conftest.today
open_process = proposals_conftest.open_process

TITLE = "さくら台公園に日陰のベンチを"


def _log_in(page, base, email):
    page.goto(base + "/login")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("button", name="ログアウト")).to_be_visible()


def _log_out(page):
    page.get_by_role("button", name="ログアウト").click()
    expect(
        page.get_by_role("navigation", name="アカウントメニュー").get_by_role("link", name="ログイン")
    ).to_be_visible()


def test_a_proposal_is_supported_commented_answered_and_the_author_is_told(live_server, page, make_user, open_process):
    _app, base = live_server
    process_id = open_process(comments_open=True)
    author, fan = make_user(name="提案 花子"), make_user(name="賛同 次郎")
    staff = make_user(Role.STAFF, name="市役所 職員")

    # The author submits the proposal through the form.
    _log_in(page, base, author.email)
    page.goto(f"{base}/processes/{process_id}/proposals/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("提案する")
    page.get_by_label("タイトル").fill(TITLE)
    page.get_by_label("あなたの提案", exact=True).fill("夏は日差しが強く、**子どもと休める場所**がありません。")
    page.get_by_role("button", name="提案を公開する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    proposal_url = page.url.split("?")[0].split("#")[0]
    assert re.search(r"/proposals/\d+$", proposal_url), proposal_url
    _log_out(page)

    # A second resident supports it and comments in favour.
    _log_in(page, base, fan.email)
    page.goto(proposal_url)
    page.get_by_role("button", name="賛同する").click()
    expect(page.get_by_text("この提案に賛同しています。")).to_be_visible()
    comments = page.locator("section.comments")
    comments.get_by_label("あなたのコメント").fill("日陰があれば、夏でも安心して遊べます。")
    comments.get_by_role("group", name="あなたの立場").get_by_label("賛成").check()
    comments.get_by_role("button", name="コメントを投稿する").click()
    comment = page.locator("li.comment").first
    expect(comment).to_contain_text("日陰があれば、夏でも安心して遊べます。")
    expect(comment.locator(".badge--stance")).to_have_text("賛成")
    expect(comment).to_contain_text("賛同 次郎")
    _log_out(page)

    # Staff give the city's answer on the proposal page.
    _log_in(page, base, staff.email)
    page.goto(proposal_url)
    staff_panel = page.locator("section", has=page.get_by_role("heading", name="市の回答を公開する"))
    staff_panel.get_by_label("状態").select_option(label="採用")
    staff_panel.locator("#text-ja").fill("来年度の予算で、日よけ付きのベンチを設置します。")
    staff_panel.get_by_role("button", name="回答を公開する").click()
    answer = page.locator("#answer")
    expect(answer).to_contain_text("採用")
    expect(answer).to_contain_text("来年度の予算で、日よけ付きのベンチを設置します。")
    _log_out(page)

    # The author sees the notification in Japanese and opens the proposal from it.
    _log_in(page, base, author.email)
    bell = page.locator("#notification-bell")
    expect(bell).to_contain_text("通知")
    expect(bell.locator(".badge")).to_have_text("2")  # the comment on their proposal, then the answer
    bell.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("通知")
    expect(page.locator(".notification").nth(1)).to_contain_text(
        f"賛同 次郎 さんが、フォロー中の「{TITLE}」にコメントしました"
    )
    entry = page.locator(".notification").first
    expect(entry).to_contain_text(f"市が提案「{TITLE}」に回答しました：採用")
    entry.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    assert page.url.split("?")[0].split("#")[0] == proposal_url
    expect(page.locator("#answer")).to_contain_text("来年度の予算で")
    expect(page.locator("li.comment").first).to_contain_text("賛成")
