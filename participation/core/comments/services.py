"""Every change to comments and votes: one transaction each, written to the action log.

Votes are counted by atomic UPDATEs in the same transaction as the vote row; the UNIQUE (comment,
person) constraint is what stops a second vote arriving at the same moment.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ..action_log import PUBLIC, log_action
from ..db import transaction
from ..errors import Refused
from ..models import User
from ..notifications import ensure_following, followers_of, notify
from ..notifications.models import Follow
from ..resources import ResourceType, resource_type, type_name_of
from ..types import utcnow
from . import Commentable
from .models import BODY_MAX, MAX_DEPTH, Comment, CommentVote, Stance


class CommentError(Refused):
    """A change refused for a reason the person can understand; ``message`` is in the reader's language."""


MISSING_BODY = _l("Write your comment.")
TOO_LONG = _l("Keep your comment within %(max)d characters.", max=BODY_MAX)
UNKNOWN_STANCE = _l("Choose for, against or neutral.")
MISSING_STANCE = _l("Choose whether you are for, against or neutral.")
NOT_COMMENTABLE = _l("Comments are not possible here.")
UNKNOWN_PARENT = _l("The comment you replied to no longer exists here.")
PARENT_GONE = _l("You cannot reply to a deleted or hidden comment.")
ALREADY_DELETED = _l("This comment has already been deleted.")
CANNOT_EDIT = _l("This comment can no longer be edited.")
OWN_COMMENT = _l("You cannot vote on your own comment.")
CANNOT_VOTE = _l("This comment cannot be voted on.")
NO_OFFICIAL = _l("Official answers are not possible here.")


# --- hooks -----------------------------------------------------------------------------------


def comment_created(comment: Comment, record: object) -> None:
    """Called inside the transaction that adds ``comment`` to ``record``: the commenter follows the
    record from now on; the author of the comment replied to hears of the reply, the record's other
    followers of a new comment (each person once, never the commenter)."""
    ensure_following(comment.author_id, record)
    params = {"comment_id": comment.id}
    replied_to = None
    if comment.parent_id is not None:
        replied_to = db.session.scalar(db.select(Comment.author_id).where(Comment.id == comment.parent_id))
    followers = followers_of(record)
    if replied_to is not None and replied_to != comment.author_id:
        notify(
            "comment.replied", record, actor=comment.author_id, params=params, recipients=[replied_to], followers=False
        )
        # They already heard of this comment as a reply to theirs.
        followers = followers.where(Follow.user_id != replied_to)
    notify("comment.created", record, actor=comment.author_id, params=params, recipients=followers, followers=False)


def refresh_count(comment: Comment) -> None:
    """Recount the visible comments of ``comment``'s record into its counter column (if any).
    Moderation calls this after hiding or restoring a comment, inside its transaction."""
    rtype = resource_type(comment.resource_type)
    commentable = rtype.comments if rtype else None
    if commentable is None or commentable.counter is None:
        return
    db.session.flush()
    counter = commentable.counter
    model = counter.class_
    visible = (
        db.select(db.func.count(Comment.id))
        .where(
            Comment.resource_type == comment.resource_type,
            Comment.resource_id == comment.resource_id,
            Comment.deleted_at.is_(None),
            Comment.hidden_at.is_(None),
        )
        .scalar_subquery()
    )
    db.session.execute(
        update(model)
        .where(model.id == comment.resource_id)
        .values({counter.key: visible})
        .execution_options(synchronize_session=False)
    )


# --- helpers ---------------------------------------------------------------------------------


def commentable_type(record: object) -> tuple[str, ResourceType, Commentable]:
    name = type_name_of(record)
    rtype = resource_type(name)
    if rtype is None or rtype.comments is None:
        raise CommentError(NOT_COMMENTABLE)
    return name, rtype, rtype.comments


def record_of(comment: Comment) -> object | None:
    rtype = resource_type(comment.resource_type)
    return db.session.get(rtype.model, comment.resource_id) if rtype else None


def _check_open(commentable: Commentable, record: object, actor: User) -> None:
    reason = commentable.closed_reason(record, actor)
    if reason:
        raise CommentError(reason)


def _clean_body(body: str | None) -> str:
    body = (body or "").strip()
    if not body:
        raise CommentError(MISSING_BODY)
    if len(body) > BODY_MAX:
        raise CommentError(TOO_LONG)
    return body


def _clean_stance(commentable: Commentable, record: object, stance: str | None, *, required: bool) -> str | None:
    if not commentable.asks_stance(record):
        return None
    if not stance:
        if required:
            raise CommentError(MISSING_STANCE)
        return None
    try:
        return Stance(stance).value
    except ValueError:
        raise CommentError(UNKNOWN_STANCE) from None


def _lock(comment: Comment) -> Comment:
    return db.session.scalars(
        db.select(Comment).where(Comment.id == comment.id).with_for_update().execution_options(populate_existing=True)
    ).one()


# --- comments --------------------------------------------------------------------------------


def add_comment(
    actor: User,
    record: object,
    *,
    body: str,
    locale: str,
    stance: str | None = None,
    parent: Comment | None = None,
) -> Comment:
    """A new comment by ``actor`` on ``record``, or a reply to ``parent``. Replies deeper than
    depth 3 attach to the depth-3 comment's parent, so they sit beside it."""
    with transaction():
        name, _rtype, commentable = commentable_type(record)
        _check_open(commentable, record, actor)
        body = _clean_body(body)
        if parent is not None:
            parent = db.session.get(Comment, parent.id)
            if parent is None or parent.resource_type != name or parent.resource_id != record.id:
                raise CommentError(UNKNOWN_PARENT)
            if not parent.is_visible:
                raise CommentError(PARENT_GONE)
            if parent.depth >= MAX_DEPTH:
                parent = db.session.get(Comment, parent.parent_id)
        # Replies take a stance too where asked, but may leave it out.
        stance = _clean_stance(commentable, record, stance, required=parent is None)
        comment = Comment(
            resource_type=name,
            resource_id=record.id,
            parent_id=parent.id if parent else None,
            root_id=parent.root_id if parent else None,
            depth=parent.depth + 1 if parent else 1,
            author_id=actor.id,
            body=body,
            locale=locale,
            stance=stance,
        )
        db.session.add(comment)
        db.session.flush()
        if comment.root_id is None:
            comment.root_id = comment.id
        refresh_count(comment)
        log_action(
            actor,
            "comment.created",
            comment,
            visibility=PUBLIC,
            data={"on": name, "on_id": record.id, "parent_id": comment.parent_id},
        )
        comment_created(comment, record)
    return comment


def edit_comment(actor: User, comment: Comment, *, body: str, stance: str | None = None) -> Comment:
    """The author's edit; the comment is then marked as edited."""
    with transaction():
        comment = _lock(comment)
        if not comment.is_visible:
            raise CommentError(CANNOT_EDIT)
        record = record_of(comment)
        _name, _rtype, commentable = commentable_type(record)
        _check_open(commentable, record, actor)
        body = _clean_body(body)
        stance = _clean_stance(commentable, record, stance, required=comment.parent_id is None)
        comment.body = body
        comment.stance = stance
        comment.edited_at = utcnow()
        log_action(actor, "comment.edited", comment, visibility=PUBLIC)
    return comment


def delete_comment(actor: User, comment: Comment) -> Comment:
    """The author deletes: the text goes, a placeholder keeps the place of the replies. Allowed
    even when the conversation is closed (it is the author's own text)."""
    with transaction():
        comment = _lock(comment)
        if comment.is_deleted:
            raise CommentError(ALREADY_DELETED)
        comment.deleted_at = utcnow()
        comment.body = ""
        comment.stance = None
        refresh_count(comment)
        log_action(actor, "comment.deleted", comment, visibility=PUBLIC)
    return comment


def set_official(actor: User, comment: Comment, official: bool) -> Comment:
    """Staff mark (or unmark) a comment as the city's official answer."""
    with transaction():
        comment = _lock(comment)
        record = record_of(comment)
        _name, _rtype, commentable = commentable_type(record)
        if not commentable.official_answers:
            raise CommentError(NO_OFFICIAL)
        if not comment.is_visible:
            raise CommentError(CANNOT_EDIT)
        if comment.official != official:
            comment.official = official
            action = "comment.marked_official" if official else "comment.unmarked_official"
            log_action(actor, action, comment, visibility=PUBLIC)
    return comment


# --- votes -----------------------------------------------------------------------------------


def _bump(comment_id: int, value: int, step: int) -> None:
    column = Comment.upvotes if value > 0 else Comment.downvotes
    db.session.execute(
        update(Comment)
        .where(Comment.id == comment_id)
        .values({column.key: column + step})
        .execution_options(synchronize_session=False)
    )


def vote(actor: User, comment: Comment, value: int) -> int:
    """Vote +1 or -1. Voting the same way again removes the vote; the other way changes it.
    Returns the person's vote afterwards (0: none)."""
    if value not in (1, -1):
        raise CommentError(CANNOT_VOTE)
    with transaction():
        # Lock the person's row (PostgreSQL) so their simultaneous clicks run one after the other.
        db.session.execute(db.select(User.id).where(User.id == actor.id).with_for_update())
        comment = db.session.scalars(
            db.select(Comment).where(Comment.id == comment.id).execution_options(populate_existing=True)
        ).one()
        if comment.author_id == actor.id:
            raise CommentError(OWN_COMMENT)
        if not comment.is_visible:
            raise CommentError(CANNOT_VOTE)
        record = record_of(comment)
        _name, _rtype, commentable = commentable_type(record)
        _check_open(commentable, record, actor)
        existing = db.session.scalar(
            db.select(CommentVote).where(CommentVote.comment_id == comment.id, CommentVote.user_id == actor.id)
        )
        if existing is None:
            try:
                with db.session.begin_nested():
                    db.session.add(CommentVote(comment_id=comment.id, user_id=actor.id, value=value))
            except IntegrityError:
                return value  # the same vote arrived at the same moment
            _bump(comment.id, value, 1)
            result = value
        elif existing.value == value:
            db.session.delete(existing)
            _bump(comment.id, value, -1)
            result = 0
        else:
            _bump(comment.id, existing.value, -1)
            existing.value = value
            _bump(comment.id, value, 1)
            result = value
        log_action(actor, "comment.voted", comment, data={"value": result})
    db.session.expire(comment)
    return result


def my_vote(user: User, comment: Comment) -> int:
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return (
        db.session.scalar(
            db.select(CommentVote.value).where(CommentVote.comment_id == comment.id, CommentVote.user_id == user.id)
        )
        or 0
    )
