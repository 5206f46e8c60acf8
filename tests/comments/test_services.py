"""The rules of comments, through the service functions (proposals as the commentable record)."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from participation.core.comments import services
from participation.core.comments.models import Comment, CommentVote
from participation.core.models import ActionLog, User
from participation.extensions import db
from participation.processes.models import Process
from participation.proposals.models import Proposal
from tests.comments.conftest import comments_count, get_comment


def _actions(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(ActionLog.id)).where(ActionLog.action == action))


def _all_comments(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(Comment.id)))


def test_comment_counts_and_is_logged(app, make_user, proposal_id, comment_on):
    resident = make_user()
    comment_id = comment_on(proposal_id, resident)
    comment = get_comment(app, comment_id)
    assert (comment.depth, comment.root_id, comment.stance, comment.locale) == (1, comment_id, "for", "ja")
    assert comments_count(app, proposal_id) == 1
    assert _actions(app, "comment.created") == 1


@pytest.mark.parametrize("flags", [{"comments_open": False}])
def test_closed_stage_refuses_comments(app, make_user, open_process, make_proposal, comment_on, flags):
    resident = make_user()
    proposal_id = make_proposal(open_process(**flags), resident.id)
    with pytest.raises(services.CommentError) as refused:
        comment_on(proposal_id, resident)
    from participation.proposals import COMMENTS_CLOSED

    assert refused.value.message is COMMENTS_CLOSED
    assert _all_comments(app) == 0
    assert comments_count(app, proposal_id) == 0


def test_withdrawn_proposal_refuses_comments(app, make_user, proposal_id, comment_on):
    from participation.core.types import utcnow

    with app.app_context():
        db.session.get(Proposal, proposal_id).withdrawn_at = utcnow()
        db.session.commit()
    with pytest.raises(services.CommentError):
        comment_on(proposal_id, make_user())
    assert _all_comments(app) == 0


def test_unpublished_process_refuses_comments(app, make_user, proposal_id, comment_on):
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        db.session.get(Process, proposal.process_id).published_at = None
        db.session.commit()
    with pytest.raises(services.CommentError):
        comment_on(proposal_id, make_user())


@pytest.mark.parametrize(
    ("body", "stance"), [("", "for"), ("   ", "for"), ("x" * 5001, "for"), ("ok", "maybe"), ("ok", None)]
)
def test_bad_input_is_refused(app, make_user, proposal_id, comment_on, body, stance):
    with pytest.raises(services.CommentError):
        comment_on(proposal_id, make_user(), body=body, stance=stance)
    assert _all_comments(app) == 0


def test_replies_may_leave_out_the_stance(app, make_user, proposal_id, comment_on):
    root = comment_on(proposal_id, make_user())
    reply = comment_on(proposal_id, make_user(), stance=None, parent_id=root)
    assert get_comment(app, reply).stance is None


def test_replies_stop_at_depth_three(app, make_user, proposal_id, comment_on):
    user = make_user()
    one = comment_on(proposal_id, user)
    two = comment_on(proposal_id, user, parent_id=one)
    three = comment_on(proposal_id, user, parent_id=two)
    four = comment_on(proposal_id, user, parent_id=three)
    c3, c4 = get_comment(app, three), get_comment(app, four)
    assert (c3.depth, c3.parent_id, c3.root_id) == (3, two, one)
    # A reply to a depth-3 comment sits beside it, under the same depth-2 parent.
    assert (c4.depth, c4.parent_id, c4.root_id) == (3, two, one)
    assert comments_count(app, proposal_id) == 4


def test_depth_is_constrained_in_the_database(app, make_user, proposal_id):
    user = make_user()
    with app.app_context():
        db.session.add(
            Comment(
                resource_type="proposal", resource_id=proposal_id, depth=4, author_id=user.id, body="x", locale="ja"
            )
        )
        with pytest.raises(IntegrityError):
            db.session.commit()


def test_reply_must_belong_to_the_same_record(app, make_user, proposal_id, open_process, make_proposal, comment_on):
    user = make_user()
    other_proposal = make_proposal(open_process(comments_open=True), user.id)
    root = comment_on(other_proposal, user)
    with pytest.raises(services.CommentError):
        comment_on(proposal_id, user, parent_id=root)


def test_edit_marks_the_comment_edited(app, make_user, proposal_id, comment_on):
    user = make_user()
    comment_id = comment_on(proposal_id, user)
    with app.test_request_context():
        services.edit_comment(
            db.session.get(User, user.id),
            db.session.get(Comment, comment_id),
            body="書き直しました。",
            stance="against",
        )
    comment = get_comment(app, comment_id)
    assert (comment.body, comment.stance) == ("書き直しました。", "against")
    assert comment.edited_at is not None
    assert _actions(app, "comment.edited") == 1


def test_delete_keeps_a_placeholder_and_the_replies(app, make_user, proposal_id, comment_on):
    user = make_user()
    root = comment_on(proposal_id, user)
    reply = comment_on(proposal_id, make_user(), parent_id=root)
    with app.test_request_context():
        services.delete_comment(db.session.get(User, user.id), db.session.get(Comment, root))
        with pytest.raises(services.CommentError):
            services.delete_comment(db.session.get(User, user.id), db.session.get(Comment, root))
    comment = get_comment(app, root)
    assert comment.deleted_at is not None and comment.body == ""
    assert get_comment(app, reply).parent_id == root
    assert comments_count(app, proposal_id) == 1
    assert _actions(app, "comment.deleted") == 1


def test_hidden_comments_do_not_count(app, make_user, proposal_id, comment_on):
    comment_id = comment_on(proposal_id, make_user())
    comment_on(proposal_id, make_user())
    from participation.core.db import transaction
    from participation.core.types import utcnow

    with app.app_context(), transaction():
        comment = db.session.get(Comment, comment_id)
        comment.hidden_at, comment.hidden_reason = utcnow(), "spam"
        services.refresh_count(comment)
    assert comments_count(app, proposal_id) == 1


def _vote(app, user, comment_id, value):
    with app.test_request_context():
        return services.vote(db.session.get(User, user.id), db.session.get(Comment, comment_id), value)


def _tally(app, comment_id):
    comment = get_comment(app, comment_id)
    with app.app_context():
        rows = db.session.scalar(db.select(db.func.count(CommentVote.id)).where(CommentVote.comment_id == comment_id))
    return comment.upvotes, comment.downvotes, rows


def test_voting_again_removes_or_changes_the_vote(app, make_user, proposal_id, comment_on):
    comment_id = comment_on(proposal_id, make_user())
    voter = make_user()
    assert _vote(app, voter, comment_id, 1) == 1
    assert _tally(app, comment_id) == (1, 0, 1)
    assert _vote(app, voter, comment_id, 1) == 0
    assert _tally(app, comment_id) == (0, 0, 0)
    assert _vote(app, voter, comment_id, 1) == 1
    assert _vote(app, voter, comment_id, -1) == -1
    assert _tally(app, comment_id) == (0, 1, 1)
    assert _actions(app, "comment.voted") == 4


def test_no_vote_on_own_comment(app, make_user, proposal_id, comment_on):
    author = make_user()
    comment_id = comment_on(proposal_id, author)
    with pytest.raises(services.CommentError):
        _vote(app, author, comment_id, 1)
    assert _tally(app, comment_id) == (0, 0, 0)


def test_one_vote_per_person_in_the_database(app, make_user, proposal_id, comment_on):
    comment_id = comment_on(proposal_id, make_user())
    voter = make_user()
    with app.app_context():
        db.session.add(CommentVote(comment_id=comment_id, user_id=voter.id, value=1))
        db.session.commit()
        db.session.add(CommentVote(comment_id=comment_id, user_id=voter.id, value=-1))
        with pytest.raises(IntegrityError):
            db.session.commit()


def test_official_answers_only_where_allowed(app, make_user, proposal_id, comment_on):
    from participation.core.models import Role

    staff = make_user(Role.STAFF)
    comment_id = comment_on(proposal_id, make_user())
    with app.test_request_context(), pytest.raises(services.CommentError):
        services.set_official(db.session.get(User, staff.id), db.session.get(Comment, comment_id), True)
    assert get_comment(app, comment_id).official is False
