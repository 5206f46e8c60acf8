"""Comments notify the record's followers and the author replied to, once each, never the commenter;
the commenter follows the record from then on."""

from __future__ import annotations

from participation.proposals.models import Proposal
from tests.notify_helpers import add_follow, follows, notices, notifications_page, recipients


def test_commenter_follows_and_followers_are_told_not_the_commenter(app, make_user, proposal_id, comment_on):
    follower, commenter = make_user(), make_user(name="佐藤")
    add_follow(app, follower.id, (Proposal, proposal_id))
    comment_id = comment_on(proposal_id, commenter)
    assert follows(app, commenter.id, "proposal", proposal_id)
    assert recipients(app, "comment.created") == [follower.id]
    assert notices(app, "comment.created")[0][2] == {"comment_id": comment_id}


def test_a_reply_tells_the_parent_author_once_even_if_they_follow(app, make_user, proposal_id, comment_on):
    first, second, follower = make_user(), make_user(name="鈴木"), make_user()
    add_follow(app, follower.id, (Proposal, proposal_id))
    parent = comment_on(proposal_id, first)  # ``first`` now follows the proposal too
    before = len(notices(app))
    comment_on(proposal_id, second, parent_id=parent, stance=None)
    new = notices(app)[before:]
    assert sorted((user_id, kind) for user_id, kind, _ in new) == sorted(
        [(first.id, "comment.replied"), (follower.id, "comment.created")]
    )


def test_replying_to_oneself_tells_nobody_twice(app, make_user, proposal_id, comment_on):
    author = make_user()
    parent = comment_on(proposal_id, author)
    before = len(notices(app))
    comment_on(proposal_id, author, parent_id=parent, stance=None)
    assert [user_id for user_id, _kind, _ in notices(app)[before:]] == []


def test_the_notices_read_in_japanese_and_english(app, client, login, make_user, proposal_id, comment_on):
    ja_reader, en_reader = make_user(locale="ja"), make_user(locale="en")
    add_follow(app, ja_reader.id, (Proposal, proposal_id))
    parent = comment_on(proposal_id, en_reader)
    comment_on(proposal_id, make_user(name="田中"), parent_id=parent, stance=None)
    page = notifications_page(client, login, ja_reader)
    assert "田中 さんが、フォロー中の「公園にベンチを」にコメントしました" in page
    client.post("/logout")
    page = notifications_page(client, login, en_reader)
    assert "田中 replied to your comment on “公園にベンチを”" in page
