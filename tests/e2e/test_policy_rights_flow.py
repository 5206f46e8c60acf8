"""Issue 5 end to end, in Japanese: a resident comments on a draft policy under consultation, staff
answer officially and adopt it as a version that widens a purpose; the resident is asked for consent
again, gives it, withdraws it on My consents, files a stop-of-use request that staff answer in their
queue, and downloads their data, which holds the withdrawal and the request. The resident's steps all
go through the browser (with and without JavaScript); the long staff editing steps use the services."""

import json
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import expect

from participation.core.comments import services as comments
from participation.core.comments.models import Comment
from participation.core.models import Role, User
from participation.core.types import LocalizedText, local_today
from participation.extensions import db
from participation.policies import services
from participation.policies.models import Policy, PolicyVersion
from tests.e2e.test_rights_flow import _log_in, _log_out
from tests.policies.conftest import LAB_ITEM, future, policy_fields

COMMENT = "移動経路の分析は、希望者だけを対象にしてください。"
ANSWER = "移動経路の分析は、同意した方のデータに限ります。"


def _draft_widening_version(app, policy_id: int) -> int:
    """Staff write version 2, widening the lab purpose, and put it to public consultation."""
    with app.app_context():
        version = services.new_version(None, db.session.get(Policy, policy_id))
        item = next(i for i in version.consent_items if i.purpose_key == LAB_ITEM["purpose_key"])
        item.widens = True
        item.description = LocalizedText({"ja": "位置情報に加えて移動経路も分析します。", "en": "Routes too."})
        db.session.commit()
        services.open_consultation(None, version, future())
        return version.id


def _answer_and_adopt(app, version_id: int, staff_id: int) -> None:
    """Staff answer the comment officially, the consultation closes, and the version is adopted."""
    with app.test_request_context():
        version = db.session.get(PolicyVersion, version_id)
        staff = db.session.get(User, staff_id)
        question = db.session.scalar(
            db.select(Comment).where(Comment.resource_type == "policy_version", Comment.resource_id == version_id)
        )
        answer = comments.add_comment(staff, version, body=ANSWER, locale="ja", parent=question)
        comments.set_official(staff, answer, True)
        version.consultation_until = local_today() - timedelta(days=1)
        db.session.commit()
        summary = LocalizedText({"ja": "住民意見を受けて移動経路の分析を追加", "en": "Adds route analysis"})
        services.adopt(staff, version, trigger="feedback", summary=summary)


def test_consultation_reconsent_withdrawal_stop_of_use_and_download(live_server, page, make_user):
    app, base = live_server
    resident = make_user(name="方針 太郎", email="houshin@example.jp")
    staff = make_user(Role.STAFF, name="担当 職員")
    with app.app_context():
        policy = services.create_policy(None, **policy_fields())
        services.add_consent_item(None, policy.versions[0], **LAB_ITEM)
        services.adopt(None, policy.versions[0], trigger=None, summary=None)
        policy_id = policy.id

    # The resident consents under version 1.
    _log_in(page, base, resident)
    page.goto(f"{base}/policies/{policy_id}")
    page.get_by_role("button", name="同意する").click()
    expect(page.get_by_role("status")).to_contain_text("同意を記録しました。")

    # Version 2 goes to public consultation; the resident comments on the draft.
    version_id = _draft_widening_version(app, policy_id)
    page.goto(f"{base}/policies/{policy_id}/versions/2")
    consultation = page.locator(".comments")
    expect(consultation.get_by_role("heading", level=2)).to_have_text("意見募集へのご意見")
    consultation.get_by_label("あなたのコメント").fill(COMMENT)
    consultation.get_by_role("button", name="コメントを投稿する").click()
    expect(consultation.locator(".comment")).to_contain_text(COMMENT)

    # Staff answer officially and adopt the widened version; the resident reads the answer.
    _answer_and_adopt(app, version_id, staff.id)
    with app.app_context():
        assert not services.has_consent(resident, LAB_ITEM["purpose_key"])
    page.goto(f"{base}/policies/{policy_id}/versions/2")
    official = page.locator(".comment--official")
    expect(official).to_contain_text(ANSWER)
    expect(official.locator(".badge--official")).to_have_text("市の回答")
    expect(page.locator(".comments")).to_contain_text("締め切りました")

    # The banner asks for consent again; the resident gives it, then withdraws it on My consents.
    page.goto(base + "/policies")
    page.get_by_role("link", name="私の同意を確認する").click()
    page.get_by_role("button", name="広がった利用に同意する").click()
    expect(page.get_by_role("status")).to_contain_text("同意を記録しました。")
    expect(page.get_by_role("link", name="私の同意を確認する")).to_have_count(0)
    page.goto(base + "/my/consents")
    page.get_by_role("button", name="撤回する").click()
    expect(page.get_by_role("status")).to_contain_text("同意を撤回しました。")
    with app.app_context():
        assert not services.has_consent(resident, LAB_ITEM["purpose_key"])

    # A stop-of-use request at the rights desk.
    page.goto(base + "/rights/new")
    page.get_by_label("自分のデータの利用停止").check()
    page.get_by_label("依頼の内容").fill("移動経路の分析に私のデータを使わないでください。")
    page.get_by_role("button", name="依頼を送る").click()
    expect(page.get_by_role("status")).to_contain_text("を受け付けました。")
    _log_out(page)

    # Staff answer it from their queue.
    _log_in(page, base, staff)
    page.goto(base + "/admin/rights")
    page.get_by_role("link", name="R-00001").click()
    page.get_by_label("回答または理由").fill("ご依頼のとおり、利用を停止しました。")
    page.get_by_role("button", name="回答して完了する").click()
    expect(page.get_by_role("status")).to_contain_text("回答済み")
    _log_out(page)

    # The resident downloads their data: the withdrawal and the answered request are in it.
    _log_in(page, base, resident)
    page.goto(base + "/account")
    page.get_by_role("link", name="自分のデータを見る・ダウンロードする").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="JSONでダウンロード").click()
    sections = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))["sections"]
    activity = [row["内容"] for row in sections["操作記録に残るあなたの活動"]]
    assert "データ利用方針に基づく同意を撤回しました" in activity
    [request] = sections["個人データ窓口へのあなたの依頼"]
    assert request["依頼の内容"] == "移動経路の分析に私のデータを使わないでください。"
    assert request["状況"] == "回答済み"
    assert request["回答または理由"] == "ご依頼のとおり、利用を停止しました。"
