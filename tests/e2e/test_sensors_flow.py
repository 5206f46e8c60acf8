"""Staff register and publish a camera; a resident finds it on the map page (or in the table
without JavaScript), opens it and opens its printable signage, then asks a question on the device page
that staff answer officially."""

from playwright.sync_api import expect

from participation.core.models import Role
from tests.conftest import PASSWORD
from tests.e2e.test_rights_flow import _log_in, _log_out

TEXT_FIELDS = {
    "name-ja": "見守りカメラ ブラウザ公園",
    "address-ja": "みどり川市ブラウザ町1丁目",
    "place-ja": "公園入口の照明柱",
    "organisation-ja": "みどり川市 地域安全課",
    "contact-ja": "地域安全課（電話 0790-00-1234）",
    "purposes-ja": "公園利用者の見守りと、事故発生時の状況確認",
    "legal_basis-ja": "見守りカメラ条例第3条",
    "captured-ja": "公園入口の映像（音声なし）",
    "kept-ja": "映像を12日間保存し、上書きで消去",
    "access-ja": "地域安全課の指定職員のみ",
    "privacy_measures-ja": "住宅の窓・玄関をマスキング",
    "storage_location-ja": "カメラ本体のSDカード",
}


def test_staff_publish_a_camera_and_a_resident_finds_it(serve, page, make_user):
    # Tiles from this server (the browser has no network): the map still draws markers.
    app, base = serve(SENSORS_TILE_URL="/static/favicon.svg?z={z}&x={x}&y={y}", SENSORS_TILE_ATTRIBUTION="テスト地図")
    staff = make_user(Role.STAFF)

    page.goto(base + "/login")
    page.get_by_label("メールアドレス").fill(staff.email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("status")).to_contain_text("ログインしました。")

    page.goto(base + "/admin/sensors/new")
    for name, value in TEXT_FIELDS.items():
        page.locator(f'[name="{name}"]').fill(value)
    page.locator('[name="kind"]').select_option("camera")
    page.locator('[name="latitude"]').fill("34.75")
    page.locator('[name="longitude"]').fill("134.84")
    page.locator('[name="identifiability"]').select_option("identifiable")
    page.locator('[name="retention_days"]').fill("12")
    page.locator('[name="active_since"]').fill("2025-04-01")
    page.get_by_label("安全・防犯").check()
    page.get_by_label("ビデオカメラ", exact=True).check()
    page.get_by_role("button", name="下書きとして保存").click()
    expect(page.get_by_role("status")).to_contain_text("下書きとして保存しました")
    page.get_by_role("button", name="公開する").click()
    expect(page.get_by_role("status")).to_contain_text("公開台帳に掲載しました")

    page.get_by_role("button", name="ログアウト").click()

    page.goto(base + "/sensors")
    if page.javascript:
        marker = page.locator(".leaflet-marker-icon[title='見守りカメラ ブラウザ公園']")
        expect(marker).to_be_visible()
        marker.click()
        page.locator(".leaflet-popup").get_by_role("link", name="見守りカメラ ブラウザ公園").click()
    else:
        expect(page.locator("#sensor-map")).to_have_count(1)  # there, but empty without JavaScript
        page.get_by_label("機器の種類").select_option("camera")
        page.get_by_role("button", name="表示").click()
        page.get_by_role("table").get_by_role("link", name="見守りカメラ ブラウザ公園").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("見守りカメラ ブラウザ公園")
    expect(page.get_by_text("安全・防犯")).to_be_visible()
    device_url = page.url.split("#")[0].split("?")[0]

    page.get_by_role("link", name="印刷用の掲示").click()
    expect(page.locator(".signage-notice svg.segno")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".signage-sticker")).to_be_visible()
    expect(page.locator(".site-header")).to_be_hidden()
    page.emulate_media(media="screen")

    # A resident asks a question on the device page (htmx with JavaScript, a plain form post without).
    resident = make_user(name="公園 利用者")
    _log_in(page, base, resident)
    page.goto(device_url)
    questions = page.locator(".comments")
    expect(questions.get_by_role("heading", level=2)).to_have_text("この機器についての質問・意見")
    questions.get_by_label("あなたのコメント").fill("夜間も録画していますか？")
    questions.get_by_role("button", name="コメントを投稿する").click()
    expect(questions.locator(".comment")).to_contain_text("夜間も録画していますか？")
    _log_out(page)

    # Staff answer in the thread and mark the answer as the city's official one.
    _log_in(page, base, staff)
    page.goto(device_url)
    question = page.locator(".comment", has_text="夜間も録画していますか？").first
    question.get_by_text("返信する", exact=True).click()
    question.get_by_label("あなたの返信").fill("夜間も録画し、12日後に上書きで消去します。")
    question.get_by_role("button", name="返信を投稿する").click()
    answer = page.locator(".comment--depth-2", has_text="夜間も録画し、12日後に上書きで消去します。")
    answer.get_by_role("button", name="市の回答として表示する").click()
    expect(page.locator(".comment--official")).to_contain_text("市の回答")
    _log_out(page)

    # The resident sees the official answer under their question.
    _log_in(page, base, resident)
    page.goto(device_url)
    official = page.locator(".comment--official")
    expect(official).to_have_count(1)
    expect(official).to_contain_text("夜間も録画し、12日後に上書きで消去します。")
    expect(official.locator(".badge--official")).to_have_text("市の回答")
