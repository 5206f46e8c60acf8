"""Comments through the browser: plain form posts (no JavaScript) and htmx, refusals, query counts."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import pytest

from participation.core import registry
from participation.core.comments.models import Comment, CommentVote
from participation.core.models import Role, User
from participation.core.resources import EXTENSION_KEY as RESOURCES
from participation.extensions import db
from participation.proposals.models import Proposal
from tests.conftest import HX, PASSWORD
from tests.core.test_markup import PAYLOADS
from tests.proposals.test_views import _assert_inert

from ..conftest import html_of
from .conftest import comments_count, get_comment

JA = {"Accept-Language": "ja"}


def _count(app, model=Comment) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(model.id)))


def test_plain_post_redirects_back_to_the_comment(app, client, login, make_user, proposal_id):
    login(make_user())
    response = client.post(f"/comments/proposal/{proposal_id}", data={"body": "**賛成**です。", "stance": "for"})
    assert response.status_code == 302
    with app.app_context():
        comment_id = db.session.scalar(db.select(Comment.id))
    assert response.headers["Location"].endswith(f"/proposals/{proposal_id}#comment-{comment_id}")
    page = html_of(client.get(f"/proposals/{proposal_id}", headers=JA))
    assert "<strong>賛成</strong>" in page
    assert "コメントを公開しました" in page
    assert "賛成" in page


def test_htmx_post_returns_the_section(app, client, login, make_user, proposal_id):
    login(make_user())
    response = client.post(
        f"/comments/proposal/{proposal_id}", data={"body": "htmxから", "stance": "neutral"}, headers={**HX, **JA}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert f'id="comments-proposal-{proposal_id}"' in html
    assert "htmxから" in html and "中立" in html
    assert comments_count(app, proposal_id) == 1


def test_htmx_refusal_keeps_the_draft_and_changes_nothing(app, client, login, make_user, proposal_id):
    login(make_user())
    response = client.post(f"/comments/proposal/{proposal_id}", data={"body": "立場なし"}, headers={**HX, **JA})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "賛成・反対・中立のいずれかを選んでください" in html
    assert "立場なし" in html
    assert _count(app) == 0


def test_plain_refusal_flashes_the_message(app, client, login, make_user, proposal_id):
    login(make_user())
    response = client.post(f"/comments/proposal/{proposal_id}", data={"body": ""}, headers=JA, follow_redirects=True)
    assert response.status_code == 200
    assert "コメントを入力してください" in response.get_data(as_text=True)
    assert _count(app) == 0


def test_reply_through_the_form(app, client, login, make_user, proposal_id, comment_on):
    root = comment_on(proposal_id, make_user())
    login(make_user())
    response = client.post(f"/comments/proposal/{proposal_id}", data={"body": "返信です", "parent_id": str(root)})
    assert response.status_code == 302
    with app.app_context():
        reply = db.session.scalar(db.select(Comment).where(Comment.parent_id == root))
        assert reply.depth == 2 and reply.stance is None


@pytest.mark.parametrize("parent", ["abc", "999999", "1" * 40])
def test_unknown_parent_is_refused(app, client, login, make_user, proposal_id, parent):
    login(make_user())
    response = client.post(
        f"/comments/proposal/{proposal_id}", data={"body": "返信", "stance": "for", "parent_id": parent}, headers=HX
    )
    assert response.status_code == 422
    assert _count(app) == 0


def test_anonymous_visitors_are_sent_to_log_in(app, client, proposal_id):
    response = client.post(f"/comments/proposal/{proposal_id}", data={"body": "匿名", "stance": "for"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    page = html_of(client.get(f"/proposals/{proposal_id}", headers=JA))
    assert "ログインしてコメントする" in page
    assert _count(app) == 0


def test_auditors_cannot_comment(app, client, login, make_user, proposal_id):
    login(make_user(Role.AUDITOR))
    response = client.post(f"/comments/proposal/{proposal_id}", data={"body": "監査", "stance": "for"})
    assert response.status_code == 403
    assert _count(app) == 0


def test_unknown_or_uncommentable_records_are_404(app, client, login, make_user, proposal_id):
    login(make_user())
    assert client.post("/comments/proposal/999999", data={"body": "x", "stance": "for"}).status_code == 404
    assert client.post("/comments/user/1", data={"body": "x"}).status_code == 404
    assert client.post("/comments/nothing/1", data={"body": "x"}).status_code == 404


def test_closed_stage_shows_the_reason_and_refuses(app, client, login, make_user, open_process, make_proposal):
    author = make_user()
    proposal_id = make_proposal(open_process(comments_open=False), author.id)
    login(make_user())
    page = html_of(client.get(f"/proposals/{proposal_id}", headers=JA))
    assert "現在の段階ではコメントを受け付けていません" in page
    assert 'name="body"' not in page.split("comments-proposal")[1]
    response = client.post(f"/comments/proposal/{proposal_id}", data={"body": "x", "stance": "for"}, headers=HX)
    assert response.status_code == 422
    assert _count(app) == 0


def test_edit_own_comment_shows_edited_mark(app, client, login, make_user, proposal_id, comment_on):
    user = make_user()
    comment_id = comment_on(proposal_id, user)
    login(user)
    response = client.post(
        f"/comments/{comment_id}/edit", data={"body": "直しました", "stance": "against"}, headers={**HX, **JA}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "直しました" in html and "（編集済み）" in html


def test_others_cannot_edit_or_delete(app, client, login, make_user, proposal_id, comment_on):
    comment_id = comment_on(proposal_id, make_user(), body="元の文")
    login(make_user())
    assert client.post(f"/comments/{comment_id}/edit", data={"body": "乗っ取り", "stance": "for"}).status_code == 403
    assert client.post(f"/comments/{comment_id}/delete").status_code == 403
    comment = get_comment(app, comment_id)
    assert comment.body == "元の文" and comment.deleted_at is None


def test_staff_cannot_edit_someone_elses_comment(app, client, login, make_user, proposal_id, comment_on):
    comment_id = comment_on(proposal_id, make_user())
    login(make_user(Role.STAFF, Role.ADMIN))
    assert client.post(f"/comments/{comment_id}/edit", data={"body": "x", "stance": "for"}).status_code == 403


def test_delete_leaves_a_placeholder_with_the_replies(app, client, login, make_user, proposal_id, comment_on):
    user = make_user()
    root = comment_on(proposal_id, user, body="消す予定")
    comment_on(proposal_id, make_user(), body="残る返信", parent_id=root)
    login(user)
    response = client.post(f"/comments/{root}/delete")
    assert response.status_code == 302
    page = html_of(client.get(f"/proposals/{proposal_id}", headers=JA))
    assert "このコメントは削除されました" in page
    assert "消す予定" not in page
    assert "残る返信" in page
    assert comments_count(app, proposal_id) == 1


def test_hidden_comment_shows_a_placeholder(app, client, make_user, proposal_id, comment_on):
    from participation.core.types import utcnow

    comment_id = comment_on(proposal_id, make_user(), body="不適切な内容")
    with app.app_context():
        db.session.get(Comment, comment_id).hidden_at = utcnow()
        db.session.commit()
    page = html_of(client.get(f"/proposals/{proposal_id}", headers=JA))
    assert "不適切な内容" not in page
    assert "モデレーターにより非表示" in page


def test_votes_through_htmx_and_plain_post(app, client, login, make_user, proposal_id, comment_on):
    comment_id = comment_on(proposal_id, make_user())
    login(make_user())
    response = client.post(f"/comments/{comment_id}/vote", data={"value": "up"}, headers=HX)
    assert response.status_code == 200
    assert 'aria-pressed="true"' in response.get_data(as_text=True)
    # The same vote again takes it back (plain form post this time).
    response = client.post(f"/comments/{comment_id}/vote", data={"value": "up"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#comment-{comment_id}")
    assert _count(app, CommentVote) == 0
    client.post(f"/comments/{comment_id}/vote", data={"value": "down"}, headers=HX)
    comment = get_comment(app, comment_id)
    assert (comment.upvotes, comment.downvotes) == (0, 1)
    assert client.post(f"/comments/{comment_id}/vote", data={"value": "sideways"}, headers=HX).status_code == 422


def test_no_vote_on_own_comment(app, client, login, make_user, proposal_id, comment_on):
    user = make_user()
    comment_id = comment_on(proposal_id, user)
    login(user)
    assert client.post(f"/comments/{comment_id}/vote", data={"value": "up"}).status_code == 403
    assert _count(app, CommentVote) == 0


def test_official_answer_badge_where_the_type_allows_it(app, client, login, make_user, proposal_id, comment_on):
    comment_id = comment_on(proposal_id, make_user(), body="質問です")
    with app.app_context():
        types = registry.get(RESOURCES, app)
        types["proposal"] = replace(
            types["proposal"], comments=replace(types["proposal"].comments, official_answers=True)
        )
    resident = make_user()
    login(resident)
    assert client.post(f"/comments/{comment_id}/official", data={"value": "1"}).status_code == 403
    client.post("/logout")
    login(make_user(Role.STAFF))
    response = client.post(f"/comments/{comment_id}/official", data={"value": "1"}, headers={**HX, **JA})
    assert response.status_code == 200
    assert "市の回答" in response.get_data(as_text=True)
    assert get_comment(app, comment_id).official is True


def test_payloads_render_inert(app, client, login, make_user, proposal_id, comment_on):
    user = make_user()
    for payload in PAYLOADS:
        comment_on(proposal_id, user, body=payload)
    _assert_inert(html_of(client.get(f"/proposals/{proposal_id}")))
    login(make_user())
    html = html_of(client.get(f"/comments/proposal/{proposal_id}", headers=HX))
    # Signed in, the reply and edit forms sit in the site's own <details> elements.
    _assert_inert(html.replace("<details", "<div").replace("</details>", "</div>"))


def test_comment_pages(app, make_app, make_user, proposal_id, comment_on):
    app = make_app(COMMENTS_PAGE_SIZE=2)
    client = app.test_client()
    user = make_user()
    for n in range(5):
        comment_on(proposal_id, user, body=f"コメント{n}番")
    first = html_of(client.get(f"/proposals/{proposal_id}"))
    assert "コメント4番" in first and "コメント3番" in first and "コメント2番" not in first
    last = html_of(client.get(f"/comments/proposal/{proposal_id}?cpage=3", headers=HX))
    assert "コメント0番" in last and "コメント1番" not in last
    assert client.get(f"/proposals/{proposal_id}?cpage=abc").status_code == 200
    # Without htmx the section URL leads back to the page.
    response = client.get(f"/comments/proposal/{proposal_id}?cpage=2")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"?cpage=2#comments-proposal-{proposal_id}"
    )


def _fill(app, proposal_id: int, users: list[User], n: int) -> None:
    """``n`` top-level comments, each with a reply and a vote, written straight into the database."""
    with app.app_context():
        for i in range(n):
            root = Comment(
                resource_type="proposal",
                resource_id=proposal_id,
                author_id=users[i % 2].id,
                body=f"c{i}",
                locale="ja",
                stance="for",
            )
            db.session.add(root)
            db.session.flush()
            root.root_id = root.id
            db.session.add(
                Comment(
                    resource_type="proposal",
                    resource_id=proposal_id,
                    parent_id=root.id,
                    root_id=root.id,
                    depth=2,
                    author_id=users[(i + 1) % 2].id,
                    body=f"r{i}",
                    locale="ja",
                )
            )
            db.session.add(CommentVote(comment_id=root.id, user_id=users[2].id, value=1))
        db.session.commit()


@pytest.mark.parametrize("signed_in", [False, True])
def test_query_count_does_not_grow_with_comments(
    app, client, login, make_user, open_process, make_proposal, count_queries, signed_in
):
    users = [make_user(), make_user(), make_user()]
    process_id = open_process(comments_open=True)
    small, large = make_proposal(process_id, users[0].id), make_proposal(process_id, users[0].id)
    _fill(app, small, users, 3)
    _fill(app, large, users, 50)
    if signed_in:
        login(users[2])
    counts = []
    for proposal_id in (small, large):
        client.get(f"/proposals/{proposal_id}")  # warm up
        with count_queries() as counted:
            response = client.get(f"/proposals/{proposal_id}")
        assert response.status_code == 200
        counts.append(counted.n)
    assert counts[0] == counts[1] == (EXPECTED_SIGNED_IN if signed_in else EXPECTED_ANONYMOUS), counts


# The page's own queries plus, for comments: top-level count, one page of them, their replies,
# and (signed in) the reader's votes, the re-consent banner, the bell and whether they follow it;
# and the records linked to or from the proposal (core.links, one query when there are none).
EXPECTED_ANONYMOUS = 10
EXPECTED_SIGNED_IN = 17


def test_deleted_account_shows_former_participant(app, client, login, make_user, proposal_id, comment_on):
    user = make_user(name="山田花子")
    comment_on(proposal_id, user, body="残るコメント")
    login(user)
    response = client.post("/account/delete", data={"current_password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    page = html_of(client.get(f"/proposals/{proposal_id}", headers=JA))
    assert "残るコメント" in page
    assert "山田花子" not in page
    assert "退会した利用者" in page
    exported = html_of(client.get(f"/processes/{_process_of(app, proposal_id)}/proposal-comments.csv"))
    assert "山田花子" not in exported


def _process_of(app, proposal_id: int) -> int:
    with app.app_context():
        return db.session.get(Proposal, proposal_id).process_id


def test_exports_hold_public_comments_only(app, client, make_user, proposal_id, comment_on):
    from participation.core.types import utcnow

    author = make_user(name="公開名", email="secret@example.jp")
    visible = comment_on(proposal_id, author, body="=公開のコメント")
    hidden = comment_on(proposal_id, author, body="隠された本文")
    deleted = comment_on(proposal_id, author, body="消された本文", parent_id=visible)
    with app.app_context():
        db.session.get(Comment, hidden).hidden_at = utcnow()
        comment = db.session.get(Comment, deleted)
        comment.deleted_at, comment.body = utcnow(), ""
        db.session.commit()
    process_id = _process_of(app, proposal_id)
    document = json.loads(html_of(client.get(f"/processes/{process_id}/proposals.json")))
    by_id = {c["id"]: c for c in document["comments"]}
    assert by_id[visible]["body"] == "=公開のコメント" and by_id[visible]["author"] == "公開名"
    assert by_id[hidden]["body"] is None and by_id[hidden]["state"] == "hidden"
    assert by_id[deleted]["state"] == "deleted" and by_id[deleted]["parent_id"] == visible
    response = client.get(f"/processes/{process_id}/proposal-comments.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert "隠された本文" not in text and "secret@example.jp" not in text
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert {row["id"] for row in rows} == {str(visible), str(hidden), str(deleted)}
    assert next(r for r in rows if r["id"] == str(visible))["body"] == "'=公開のコメント"


def test_most_commented_sort(app, client, make_user, open_process, make_proposal):
    user = make_user()
    process_id = open_process(comments_open=True)
    quiet = make_proposal(process_id, user.id, title="静かな提案")
    busy = make_proposal(process_id, user.id, title="話題の提案")
    with app.app_context():
        db.session.get(Proposal, busy).comments_count = 5
        db.session.commit()
    html = html_of(client.get(f"/processes/{process_id}/proposals?sort=commented"))
    assert html.index("話題の提案") < html.index("静かな提案")
    assert quiet


def test_comment_export_of_drafts_does_not_exist(client, make_process):
    draft = make_process("下書き", published=False)
    assert client.get(f"/processes/{draft}/proposal-comments.csv").status_code == 404
    assert client.get("/processes/99999/proposal-comments.csv").status_code == 404
