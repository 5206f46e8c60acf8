"""Staff add a set of synonyms in the admin area; a resident then finds a consultation written with
one of them by asking a question with another, in hiragana, and through "did you mean" after a
typo, from the search box in the header (with and without JavaScript)."""

from playwright.sync_api import expect

from participation.core.db import transaction
from participation.core.models import Role
from participation.core.types import LocalizedText, utcnow
from participation.processes.models import Process
from tests.e2e.test_rights_flow import _log_in, _log_out

TITLE = "みどり公園の監視カメラ更新"


def _consultation(app) -> None:
    with app.app_context(), transaction() as session:
        text = LocalizedText({"ja": TITLE, "en": "New cameras in Midori park"})
        summary = LocalizedText({"ja": "公園の入口に監視カメラを設置する計画について、ご意見を募集します。"})
        session.add(Process(title=text, summary=summary, published_at=utcnow()))


def _search(page, base, words):
    if page.javascript:  # the results follow the typing on the search page
        page.goto(base + "/search")
        page.get_by_label("検索語").fill(words)
    else:
        page.goto(base + "/")
        page.locator("#site-search-q").fill(words)
        page.locator("#site-search-q").press("Enter")


def test_staff_add_synonyms_and_a_resident_finds_what_they_ask(live_server, page, make_user):
    app, base = live_server
    _consultation(app)
    staff = make_user(Role.STAFF)

    _log_in(page, base, staff)
    page.goto(base + "/admin/")
    page.get_by_role("link", name="検索の同義語").click()
    page.get_by_label("同じものを指す語（1行に1つ）").fill("防犯カメラ\n監視カメラ\n街頭カメラ")
    page.get_by_label("職員向けメモ（任意）").fill("カメラの呼び方")
    page.get_by_role("button", name="追加").click()
    expect(page.get_by_role("status")).to_contain_text("同義語を追加しました")
    expect(page.locator(".synonym-table")).to_contain_text("防犯カメラ、監視カメラ、街頭カメラ")
    _log_out(page)

    _search(page, base, "防犯カメラの設置について知りたい")
    results = page.locator("#search-results")
    expect(results.get_by_role("link", name=TITLE)).to_be_visible()
    expect(results.locator("mark").first).to_be_visible()

    _search(page, base, "みどりこうえん")
    expect(results.get_by_role("link", name=TITLE)).to_be_visible()

    _search(page, base, "公演 -駐車場")
    expect(results).to_contain_text("該当する結果はありません")
    results.get_by_role("link", name="公園 -駐車場").click()
    expect(page.locator("#search-results").get_by_role("link", name=TITLE)).to_be_visible()
    expect(page.get_by_label("検索語")).to_have_value("公園 -駐車場")
