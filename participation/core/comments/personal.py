"""What the comments mechanism holds about a person (their comments and votes), and what account
deletion does to it: comments stay in their conversations under "Former participant" (like
proposals); votes go, and the counters of the comments they were on are recounted."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, update

from ...extensions import db
from ..resources import resource_type
from .models import STANCE_LABELS, Comment, CommentVote, Stance


def _about(resource_type_name: str, resource_id: int) -> str:
    rtype = resource_type(resource_type_name)
    return f"{rtype.label if rtype else resource_type_name} {resource_id}"


def _state(comment: Comment):
    if comment.is_deleted:
        return _l("Deleted")
    if comment.is_hidden:
        return _l("Hidden by a moderator")
    return _l("Shown")


def personal_data(user) -> dict:
    comments = db.session.scalars(db.select(Comment).where(Comment.author_id == user.id).order_by(Comment.id)).all()
    votes = db.session.execute(
        db.select(CommentVote.comment_id, CommentVote.value, CommentVote.created_at)
        .where(CommentVote.user_id == user.id)
        .order_by(CommentVote.id)
    ).all()
    return {
        _l("Your comments"): [
            {
                _l("Number"): c.id,
                _l("On"): _about(c.resource_type, c.resource_id),
                _l("Reply to"): c.parent_id,
                _l("Text"): c.body,
                _l("Stance"): STANCE_LABELS[Stance(c.stance)] if c.stance else None,
                _l("Written at"): c.created_at,
                _l("Edited at"): c.edited_at,
                _l("State"): _state(c),
            }
            for c in comments
        ],
        _l("Your votes on comments"): [
            {_l("Comment"): comment_id, _l("Vote"): _l("Up") if value > 0 else _l("Down"), _l("Voted at"): at}
            for comment_id, value, at in votes
        ],
    }


def erase(user) -> None:
    """account_deleting receiver: the person's votes go and the counts follow; their comments keep
    their place with the (emptied) account as author, shown as "Former participant"."""
    voted = db.select(CommentVote.comment_id).where(CommentVote.user_id == user.id).scalar_subquery()
    ids = db.session.scalars(db.select(Comment.id).where(Comment.id.in_(voted))).all()
    if not ids:
        return
    db.session.execute(db.delete(CommentVote).where(CommentVote.user_id == user.id))

    def tally(value: int):
        return (
            db.select(func.coalesce(func.sum(case((CommentVote.value == value, 1), else_=0)), 0))
            .where(CommentVote.comment_id == Comment.id)
            .scalar_subquery()
        )

    db.session.execute(
        update(Comment)
        .where(Comment.id.in_(ids))
        .values(upvotes=tally(1), downvotes=tally(-1))
        .execution_options(synchronize_session=False)
    )
