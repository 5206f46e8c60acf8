"""What the search index holds for comments: the text of visible comments on public records."""

from __future__ import annotations

from participation.core.capability import capabilities
from participation.core.comments.models import Comment
from participation.core.types import utcnow
from participation.extensions import db

from ..conftest import html_of


def _declaration(app):
    with app.app_context():
        return next(s for cap in capabilities(app) for s in cap.searchable if s.name == "comment")


def test_visible_comments_are_indexed_with_their_process(app, make_user, proposal_id, comment_on):
    declaration = _declaration(app)
    comment_id = comment_on(proposal_id, make_user(), body="**ベンチ**の位置について")
    with app.test_request_context():
        comment = db.session.get(Comment, comment_id)
        assert declaration.is_public(comment)
        [doc] = list(declaration.documents(comment))
        assert doc.body == "ベンチの位置について" and doc.locale == "ja"
        assert doc.title == "公園にベンチを"
        assert doc.space[0] == "process"
        comment.hidden_at = utcnow()
        assert not declaration.is_public(comment)
        comment.hidden_at, comment.deleted_at = None, utcnow()
        assert not declaration.is_public(comment)


def test_search_finds_a_comment(app, client, make_user, proposal_id, comment_on, runner):
    comment_id = comment_on(proposal_id, make_user(), body="ハンモックがほしいです")
    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    html = html_of(client.get("/search?q=ハンモック"))
    assert f"/proposals/{proposal_id}#comment-{comment_id}" in html
