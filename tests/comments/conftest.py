from __future__ import annotations

from collections.abc import Callable

import pytest

from participation.core.comments import services
from participation.core.comments.models import Comment
from participation.core.models import User
from participation.extensions import db
from participation.proposals.models import Proposal
from tests.proposals import conftest as proposals_conftest

make_process = proposals_conftest.make_process
today = proposals_conftest.today
open_process = proposals_conftest.open_process
make_proposal = proposals_conftest.make_proposal


@pytest.fixture
def proposal_id(app, open_process, make_proposal, make_user) -> int:
    """A proposal in a process whose current stage takes comments."""
    author = make_user(name="提案者")
    process_id = open_process(comments_open=True)
    return make_proposal(process_id, author.id, title="公園にベンチを")


@pytest.fixture
def comment_on(app) -> Callable[..., int]:
    """Post a comment through the service; returns its id."""

    def post(proposal_id: int, user, body: str = "賛成です。", stance: str | None = "for", parent_id=None) -> int:
        with app.test_request_context():
            proposal = db.session.get(Proposal, proposal_id)
            actor = db.session.get(User, user.id)
            parent = db.session.get(Comment, parent_id) if parent_id else None
            comment = services.add_comment(actor, proposal, body=body, locale="ja", stance=stance, parent=parent)
            return comment.id

    return post


def get_comment(app, comment_id: int) -> Comment:
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        db.session.expunge_all()
        return comment


def comments_count(app, proposal_id: int) -> int:
    with app.app_context():
        return db.session.get(Proposal, proposal_id).comments_count
