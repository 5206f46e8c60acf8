"""The moderators' side: the queue, hide / restore / dismiss with a reason, blocking; and what the
public sees of hidden content."""

import json

import pytest

from participation.core.models import ActionLog, Role, User
from participation.core.moderation.models import ModerationDecision, Report
from participation.core.moderation.services import AUTO_HIDDEN
from participation.core.types import utcnow
from participation.extensions import db
from participation.processes.models import Process
from participation.proposals.models import Proposal
from participation.proposals.services import proposals_count

from ..conftest import HX, html_of
from .conftest import actions, decisions, get_proposal, hidden, reports_of
from .test_reports import signed_in

TITLE = "駅前に屋根付きの駐輪場を"
PLACEHOLDER = "この投稿は非公開になっています（モデレーション）。"


@pytest.fixture
def moderator(make_user):
    return make_user(Role.MODERATOR, name="モデレーター")


@pytest.fixture
def reported(make_user, add_reports, proposal_id):
    """The proposal with two open reports (below the threshold of three)."""
    add_reports(proposal_id, [make_user(), make_user()], reason="offensive")
    return proposal_id


def _hide(client, proposal_id, reason="差別的な表現のため", **kwargs):
    return client.post(f"/admin/moderation/proposal/{proposal_id}/hide", data={"reason": reason}, **kwargs)


# --- who may moderate --------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.STAFF, Role.AUDITOR])
def test_non_moderators_are_refused(app, make_user, reported, role):
    client = signed_in(app, make_user(role))
    for path in ("/admin/moderation", "/admin/moderation/hidden", "/admin/moderation/blocked"):
        assert client.get(path).status_code == 403
    assert _hide(client, reported).status_code == 403
    assert client.post(f"/admin/moderation/proposal/{reported}/dismiss").status_code == 403
    assert not hidden(app, reported) and all(r.resolved_at is None for r in reports_of(app, reported))


def test_visitors_are_sent_to_log_in(app, client, reported):
    response = client.get("/admin/moderation")
    assert response.status_code == 302 and "/login" in response.location


def test_moderators_see_the_queue_grouped_with_counts_and_reasons(app, make_user, add_reports, moderator, reported):
    add_reports(reported, [make_user()], reason="spam")
    page = html_of(signed_in(app, moderator).get("/admin/moderation"))
    assert TITLE in page and "投稿者" in page
    assert "攻撃的・不快な内容：2 件" in page and "スパム・宣伝：1 件" in page
    assert page.count('class="card moderation-item"') == 1
    assert "モデレーション" in page  # the admin menu entry


# --- hide, restore, dismiss ------------------------------------------------------------------------


def test_hiding_needs_a_reason(app, moderator, reported):
    client = signed_in(app, moderator)
    response = _hide(client, reported, reason="  ", follow_redirects=True)
    assert "この対応の理由を書いてください。" in response.get_data(as_text=True)
    assert not hidden(app, reported) and decisions(app) == []


def test_hide_then_restore_with_reasons_closes_the_reports(app, client, moderator, reported):
    mod = signed_in(app, moderator)
    response = _hide(mod, reported)
    assert response.status_code == 302 and response.location.endswith("/admin/moderation")
    proposal = get_proposal(app, reported)
    assert proposal.hidden_reason == "差別的な表現のため"
    assert {r.resolution for r in reports_of(app, reported)} == {"upheld"}
    assert "未対応の通報はありません" in mod.get("/admin/moderation").get_data(as_text=True)
    listed = mod.get("/admin/moderation/hidden").get_data(as_text=True)
    assert TITLE in listed and "差別的な表現のため" in listed and "モデレーター" in listed
    # hiding twice is refused clearly
    assert "この投稿はすでに非公開です。" in _hide(mod, reported, follow_redirects=True).get_data(as_text=True)

    response = mod.post(f"/admin/moderation/proposal/{reported}/restore", data={"reason": "確認の結果、問題なし"})
    assert response.status_code == 302
    assert not hidden(app, reported)
    assert [d.action for d in decisions(app)] == ["hide", "restore"]
    assert [d.reason for d in decisions(app)] == ["差別的な表現のため", "確認の結果、問題なし"]
    assert actions(app) == ["moderation.hide", "moderation.restore"]
    assert "非公開の投稿はありません。" in mod.get("/admin/moderation/hidden").get_data(as_text=True)
    assert TITLE in html_of(client.get(f"/proposals/{reported}"))
    again = mod.post(f"/admin/moderation/proposal/{reported}/restore", data={"reason": "x"}, follow_redirects=True)
    assert "この投稿は非公開になっていません。" in again.get_data(as_text=True)


def test_restore_needs_a_reason(app, moderator, reported):
    mod = signed_in(app, moderator)
    _hide(mod, reported)
    response = mod.post(f"/admin/moderation/proposal/{reported}/restore", data={"reason": ""}, follow_redirects=True)
    assert "この対応の理由を書いてください。" in response.get_data(as_text=True)
    assert hidden(app, reported)


def test_dismissing_reports_leaves_the_content_public(app, moderator, reported):
    mod = signed_in(app, moderator)
    response = mod.post(f"/admin/moderation/proposal/{reported}/dismiss", data={"reason": ""})
    assert response.status_code == 302
    assert not hidden(app, reported)
    assert {r.resolution for r in reports_of(app, reported)} == {"dismissed"}
    assert [d.action for d in decisions(app)] == ["dismiss"]
    again = mod.post(f"/admin/moderation/proposal/{reported}/dismiss", follow_redirects=True).get_data(as_text=True)
    assert "この投稿に未対応の通報はありません。" in again


def test_threshold_hidden_content_is_kept_hidden_or_restored_from_the_queue(
    app, make_user, add_reports, moderator, proposal_id
):
    for _ in range(3):
        signed_in(app, make_user()).post(f"/report/proposal/{proposal_id}", data={"reason": "spam"})
    mod = signed_in(app, moderator)
    page = mod.get("/admin/moderation").get_data(as_text=True)
    assert "複数の通報があったため" in page and "非公開のままにする" in page and "公開に戻す" in page
    refused = mod.post(f"/admin/moderation/proposal/{proposal_id}/dismiss", follow_redirects=True)
    assert "公開に戻すか、非公開のままにしてください" in refused.get_data(as_text=True)
    _hide(mod, proposal_id, reason="宣伝目的の投稿")
    assert get_proposal(app, proposal_id).hidden_reason == "宣伝目的の投稿"
    assert [d.moderator_id for d in decisions(app)] == [None, moderator.id]


def test_a_restored_record_is_hidden_again_only_by_new_reports(app, make_user, moderator, proposal_id):
    reporters = [make_user() for _ in range(5)]
    for reporter in reporters[:3]:
        signed_in(app, reporter).post(f"/report/proposal/{proposal_id}", data={"reason": "spam"})
    signed_in(app, moderator).post(f"/admin/moderation/proposal/{proposal_id}/restore", data={"reason": "問題なし"})
    for reporter in reporters[3:]:
        signed_in(app, reporter).post(f"/report/proposal/{proposal_id}", data={"reason": "spam"})
    assert not hidden(app, proposal_id)  # two open reports: below the threshold again


# --- the public side -------------------------------------------------------------------------------


def test_hidden_proposals_leave_the_public_list_counts_exports_and_search(
    app, client, make_user, moderator, open_process, make_proposal, author
):
    process_id = open_process()
    kept = make_proposal(process_id, author.id, title="図書館の開館時間を延長してほしい")
    gone = make_proposal(process_id, author.id, title="ふわふわドームを設置してほしい")
    with app.app_context():
        from participation.proposals.models import Proposal

        # a change through the ORM, as the services make, so the search outbox indexes both
        for ident in (kept, gone):
            db.session.get(Proposal, ident).updated_at = db.func.now()
        db.session.commit()
    assert f'href="/proposals/{gone}"' in html_of(client.get("/search?q=ドーム"))

    mod = signed_in(app, moderator)
    _hide(mod, gone, reason="不適切な内容")

    listing = html_of(client.get(f"/processes/{process_id}/proposals"))
    i = listing.find("ふわふわドーム")
    assert i < 0, listing[i - 800 : i + 100]
    assert "図書館" in listing and "1件の提案" in listing
    with app.app_context():
        assert proposals_count(db.session.get(Process, process_id)) == 1
    csv_text = html_of(client.get(f"/processes/{process_id}/proposals.csv"))
    assert "ふわふわドーム" not in csv_text and "図書館" in csv_text
    document = json.loads(html_of(client.get(f"/processes/{process_id}/proposals.json")))
    assert [p["id"] for p in document["proposals"]] == [kept]
    assert f'href="/proposals/{gone}"' not in html_of(client.get("/search?q=ドーム"))

    page = html_of(client.get(f"/proposals/{gone}"))
    assert page.count(PLACEHOLDER) == 1 and "ふわふわドーム" not in page and "本文です" not in page
    # moderators (and staff) see it, marked
    staff_list = mod.get(f"/processes/{process_id}/proposals").get_data(as_text=True)
    assert "ふわふわドーム" in staff_list and "モデレーションにより非公開" in staff_list
    staff_page = mod.get(f"/proposals/{gone}").get_data(as_text=True)
    assert "ふわふわドーム" in staff_page and "理由：不適切な内容" in staff_page
    # the public activity feed keeps the action, not the title
    assert "ふわふわドーム" not in html_of(client.get("/activity"))

    mod.post(f"/admin/moderation/proposal/{gone}/restore", data={"reason": "誤りでした"})
    assert f'href="/proposals/{gone}"' in html_of(client.get("/search?q=ドーム"))
    assert "ふわふわドーム" in html_of(client.get(f"/processes/{process_id}/proposals"))


def test_hidden_proposals_take_no_supports(app, make_user, moderator, reported):
    _hide(signed_in(app, moderator), reported)
    fan = signed_in(app, make_user())
    text = fan.post(f"/proposals/{reported}/support", headers=HX).get_data(as_text=True)
    assert "モデレーションにより非公開になっているため、賛同できません" in text
    assert get_proposal(app, reported).supports_count == 0


# --- blocking --------------------------------------------------------------------------------------


def test_blocked_people_cannot_post_support_or_report_and_are_told_why(
    app, make_user, moderator, author, reported, open_process
):
    process_id = get_proposal(app, reported).process_id
    mod = signed_in(app, moderator)
    response = mod.post(f"/admin/moderation/users/{author.id}/block", data={"reason": "度重なる迷惑投稿"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, author.id).blocked_at is not None
    assert "投稿者" in mod.get("/admin/moderation/blocked").get_data(as_text=True)

    blocked = signed_in(app, author)  # they can still sign in and read
    assert blocked.get(f"/proposals/{reported}").status_code == 200
    refused = blocked.post(
        f"/processes/{process_id}/proposals/new", data={"title": "新しい提案", "body": "本文", "category_id": "0"}
    )
    assert refused.status_code == 403 and "アカウントが利用停止になっています" in refused.get_data(as_text=True)
    assert blocked.post(f"/proposals/{reported}/support").status_code == 403
    assert "利用停止にしたため、提案に賛同できません" in blocked.get(f"/proposals/{reported}").get_data(as_text=True)
    theirs = make_user()
    with app.app_context():
        from participation.proposals.models import Proposal

        target = Proposal(process_id=process_id, author_id=theirs.id, title="他の人の提案", body="本文", locale="ja")
        db.session.add(target)
        db.session.commit()
        target_id = target.id
    refused = blocked.post(f"/report/proposal/{target_id}", data={"reason": "spam"})
    assert refused.status_code == 403 and "利用停止" in refused.get_data(as_text=True)
    assert reports_of(app, target_id) == []

    mod.post(f"/admin/moderation/users/{author.id}/unblock", data={"reason": "反省の連絡があったため"})
    assert blocked.post(f"/report/proposal/{target_id}", data={"reason": "spam"}).status_code == 302
    assert len(reports_of(app, target_id)) == 1
    assert actions(app)[-3:] == ["moderation.user_blocked", "moderation.user_unblocked", "moderation.reported"]


def test_blocking_needs_a_reason_and_spares_staff_and_oneself(app, make_user, moderator):
    mod = signed_in(app, moderator)
    resident, staff = make_user(), make_user(Role.STAFF)
    cases = [
        (resident.id, "", "この対応の理由を書いてください。"),
        (staff.id, "理由", "職員・モデレーター・管理者のアカウントは、ここでは利用停止にできません。"),
        (moderator.id, "理由", "ご自身のアカウントは利用停止にできません。"),
    ]
    for user_id, reason, message in cases:
        response = mod.post(f"/admin/moderation/users/{user_id}/block", data={"reason": reason}, follow_redirects=True)
        assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id)).where(User.blocked_at.is_not(None))) == 0
    assert mod.post("/admin/moderation/users/999999/block", data={"reason": "x"}).status_code == 404


# --- the log, in both languages --------------------------------------------------------------------


def test_every_decision_is_in_the_action_log_in_both_languages(app, make_user, moderator, reported, author):
    admin = make_user(Role.ADMIN)
    mod = signed_in(app, moderator)
    mod.post(f"/admin/moderation/proposal/{reported}/dismiss")
    signed_in(app, make_user()).post(f"/report/proposal/{reported}", data={"reason": "personal_info"})
    _hide(mod, reported)
    mod.post(f"/admin/moderation/proposal/{reported}/restore", data={"reason": "問題なし"})
    mod.post(f"/admin/moderation/users/{author.id}/block", data={"reason": "迷惑行為"})
    with app.app_context():
        visibilities = set(
            db.session.scalars(db.select(ActionLog.visibility).where(ActionLog.action.like("moderation.%")))
        )
    assert visibilities == {"restricted"}
    reader = signed_in(app, admin)
    ja = reader.get("/admin/log").get_data(as_text=True)
    for text in (
        "通報 2 件を却下しました",
        "投稿を通報しました：他人の個人情報を含んでいる",
        "投稿を非公開にしました（通報 1 件を処理済み）",
        "非公開の投稿を公開に戻しました（通報 0 件を処理済み）",
        "アカウントを利用停止にしました",
    ):
        assert text in ja
    en = reader.get("/admin/log", headers={"Accept-Language": "en"}).get_data(as_text=True)
    for text in (
        "Dismissed 2 reports",
        "Reported content: Exposes someone",
        "Hid content (1 report closed)",
        "Restored hidden content (0 reports closed)",
        "Blocked the account",
    ):
        assert text in en


# --- query counts ----------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [3, 30])
def test_the_queue_runs_a_constant_number_of_queries(
    app, make_user, moderator, open_process, make_proposal, many_residents, count_queries, n
):
    process_id = open_process()
    residents = many_residents(n + 1)
    author = residents[-1]
    # n reports spread over min(n, 25) proposals, with every reason, below the hiding threshold
    proposals = [make_proposal(process_id, author.id) for _ in range(min(n, 25))]
    with app.app_context():
        reasons = ["spam", "offensive", "off_topic", "personal_info"]
        for i in range(n):
            db.session.add(
                Report(
                    resource_type="proposal",
                    resource_id=proposals[i % len(proposals)],
                    reporter_id=residents[i].id,
                    reason=reasons[i % 4],
                    details=f"詳細{i}",
                )
            )
        # every other proposal hidden by the threshold, for the list of hidden content
        for ident in proposals[::2]:
            proposal = db.session.get(Proposal, ident)
            proposal.hidden_at, proposal.hidden_reason = utcnow(), AUTO_HIDDEN
            db.session.add(ModerationDecision(resource_type="proposal", resource_id=ident, action="hide"))
        db.session.commit()
    client = signed_in(app, moderator)
    client.get("/admin/moderation")
    with count_queries() as counted:
        response = client.get("/admin/moderation")
    assert response.status_code == 200
    assert response.get_data(as_text=True).count('class="card moderation-item"') == min(n, 20)
    assert counted.n == QUEUE_QUERIES, counted.statements
    with count_queries() as counted:
        hidden_page = html_of(client.get("/admin/moderation/hidden"))
    assert hidden_page.count('class="card moderation-item"') == len(proposals[::2])
    assert counted.n == HIDDEN_QUERIES, counted.statements


# signed-in user and roles, organisation; page count and rows; the page's open reports with their
# reporters; one query per resource type on the page (here: proposals); their authors; banner; bell
QUEUE_QUERIES = 10
# signed-in user and roles, organisation; count and page of decisions with moderators; records; authors;
# banner; bell
HIDDEN_QUERIES = 9
