"""A resident registers, logs out, logs in, switches to English and logs out, as a person would."""

from playwright.sync_api import expect


def test_register_login_switch_language_logout(live_server, page):
    app, base = live_server
    page.goto(base + "/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")

    page.get_by_role("link", name="新規登録").click()
    page.get_by_label("表示名").fill("ブラウザ 花子")
    page.get_by_label("メールアドレス").fill("hanako.browser@example.jp")
    page.get_by_label("パスワード", exact=True).fill("sakura no hana 2026")
    page.get_by_label("パスワード（確認用）").fill("sakura no hana 2026")
    page.get_by_label("利用規約を読み、同意します").check()
    page.get_by_role("button", name="登録する").click()
    expect(page.get_by_role("status")).to_contain_text("ブラウザ 花子さん、ようこそ。")

    page.get_by_role("button", name="ログアウト").click()
    expect(page.get_by_role("status")).to_contain_text("ログアウトしました。")

    page.get_by_role("navigation", name="アカウントメニュー").get_by_role("link", name="ログイン").click()
    page.get_by_label("メールアドレス").fill("hanako.browser@example.jp")
    page.get_by_label("パスワード").fill("sakura no hana 2026")
    page.get_by_role("main").get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("status")).to_contain_text("ログインしました。")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_contain_text("You are logged out.")
    # The language choice outlives the session.
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_registration_errors_are_shown_in_the_readers_language(live_server, page):
    _app, base = live_server
    page.goto(base + "/register")
    page.get_by_label("表示名").fill("テスト")
    page.get_by_label("メールアドレス").fill("not-an-address")
    page.get_by_label("パスワード", exact=True).fill("sakura no hana 2026")
    page.get_by_label("パスワード（確認用）").fill("different")
    page.get_by_role("button", name="登録する").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("name@example.jp のような形式")
    expect(summary).to_contain_text("パスワード（確認用）が一致しません。")
    expect(summary).to_contain_text("利用規約への同意が必要です。")
    if page.javascript:
        expect(summary).to_be_focused()


def test_keyboard_user_can_skip_to_the_content(live_server, page):
    _app, base = live_server
    page.goto(base + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="本文へ移動")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
