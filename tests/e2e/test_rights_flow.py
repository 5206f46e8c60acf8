"""A resident files a stop-of-use request, staff answer it, and the resident downloads their data.
(The lead extends this with the policy and consent steps after merging the policies branch.)"""

import json
from pathlib import Path

from playwright.sync_api import expect

from participation.core.models import Role
from tests.conftest import PASSWORD


def _log_in(page, base, user):
    page.goto(base + "/login")
    page.get_by_label("メールアドレス").fill(user.email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("status")).to_contain_text("ログインしました。")


def _log_out(page):
    page.get_by_role("button", name="ログアウト").click()
    expect(page.get_by_role("status")).to_contain_text("ログアウトしました。")


def test_stop_of_use_request_answered_and_data_downloaded(live_server, page, make_user):
    app, base = live_server
    resident = make_user(name="窓口 花子", email="madoguchi@example.jp")
    staff = make_user(Role.STAFF, name="担当 職員")

    _log_in(page, base, resident)
    page.goto(base + "/rights/new")
    page.get_by_label("自分のデータの利用停止").check()
    page.get_by_label("依頼の内容").fill("参加の記録を統計に使わないでください。")
    page.get_by_role("button", name="依頼を送る").click()
    expect(page.get_by_role("status")).to_contain_text("を受け付けました。")
    expect(page.get_by_role("main")).to_contain_text("受付済み")
    _log_out(page)

    _log_in(page, base, staff)
    page.goto(base + "/admin/rights")
    page.get_by_role("link", name="R-00001").click()
    expect(page.get_by_role("main")).to_contain_text("依頼者のデータの利用が直ちに停止されます")
    page.get_by_label("回答または理由").fill("ご依頼のとおり、利用を停止しました。")
    page.get_by_role("button", name="回答して完了する").click()
    expect(page.get_by_role("status")).to_contain_text("回答済み")
    _log_out(page)

    _log_in(page, base, resident)
    page.goto(base + "/rights/")
    page.get_by_role("link", name="R-00001").click()
    expect(page.get_by_role("main")).to_contain_text("ご依頼のとおり、利用を停止しました。")
    page.goto(base + "/account")
    page.get_by_role("link", name="自分のデータを見る・ダウンロードする").click()
    main = page.get_by_role("main")
    expect(main).to_contain_text("データの利用を停止しました")
    expect(main).to_contain_text("担当 職員")  # staff opened the request: the resident sees it
    with page.expect_download() as download_info:
        page.get_by_role("link", name="JSONでダウンロード").click()
    document = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert document["sections"]["プロフィール"][0]["メールアドレス"] == "madoguchi@example.jp"
    assert document["sections"]["個人データ窓口へのあなたの依頼"][0]["状況"] == "回答済み"
