"""The author hears when their contribution is hidden (pending review, or by a moderator with the
reason) and when it is restored; nobody else does."""

from __future__ import annotations

from participation.core.models import Role
from participation.proposals.models import Proposal
from tests.conftest import PASSWORD
from tests.notify_helpers import add_follow, notices

from ..conftest import html_of


def signed_in(app, user):
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def test_auto_hide_tells_the_author_only(make_app, make_user, open_process, make_proposal):
    app = make_app(MODERATION_HIDE_AFTER_REPORTS=1)
    author, follower = make_user(locale="ja"), make_user()
    proposal_id = make_proposal(open_process(), author.id, title="ベンチを")
    add_follow(app, follower.id, (Proposal, proposal_id))
    signed_in(app, make_user()).post(f"/report/proposal/{proposal_id}", data={"reason": "spam"})
    assert notices(app) == [(author.id, "moderation.auto_hidden", {"type": "proposal"})]
    page = html_of(signed_in(app, author).get("/notifications"))
    assert "複数の通報があったため、モデレーターが確認するまであなたの提案を非表示にしています" in page


def test_hide_and_restore_tell_the_author_with_the_reason(app, make_user, proposal_id, author):
    moderator = make_user(Role.MODERATOR, name="モデレーター")
    mod = signed_in(app, moderator)
    mod.post(f"/admin/moderation/proposal/{proposal_id}/hide", data={"reason": "<b>個人情報</b>を含むため"})
    mod.post(f"/admin/moderation/proposal/{proposal_id}/restore", data={"reason": "個人情報を削除したため"})
    assert [(user_id, kind) for user_id, kind, _ in notices(app)] == [
        (author.id, "moderation.hidden"),
        (author.id, "moderation.restored"),
    ]
    page = html_of(signed_in(app, author).get("/notifications"))
    assert "モデレーターがあなたの提案を非表示にしました。理由：&lt;b&gt;個人情報&lt;/b&gt;を含むため" in page
    assert "モデレーターがあなたの提案を再び公開しました。理由：個人情報を削除したため" in page


def test_notices_in_english(app, make_user, open_process, make_proposal):
    author = make_user(locale="en")
    proposal_id = make_proposal(open_process(), author.id)
    mod = signed_in(app, make_user(Role.MODERATOR))
    mod.post(f"/admin/moderation/proposal/{proposal_id}/hide", data={"reason": "Personal data"})
    page = html_of(signed_in(app, author).get("/notifications"))
    assert "A moderator hid your proposal. Reason: Personal data" in page
