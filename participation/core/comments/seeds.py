"""Loading demo comments for any commentable record: capabilities call ``load_comments`` from their
own seed loader. Idempotent: the record's comments are replaced by those given."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update

from ...extensions import db
from ..resources import resource_type, type_name_of
from .models import MAX_DEPTH, Comment, CommentVote


def _moment(value) -> datetime:
    return datetime.fromisoformat(str(value)).astimezone(UTC)


def load_comments(record, items: list[dict], users: dict) -> None:
    """``items``: dicts with author (e-mail), at, body, optional key, reply_to (an earlier key),
    stance, locale, official, up/down (lists of voters' e-mails). Runs inside the caller's transaction."""
    name = type_name_of(record)
    db.session.execute(db.delete(Comment).where(Comment.resource_type == name, Comment.resource_id == record.id))
    by_key: dict[str, Comment] = {}
    for item in items:
        parent = by_key.get(item["reply_to"]) if item.get("reply_to") else None
        if parent is not None and parent.depth >= MAX_DEPTH:
            parent = db.session.get(Comment, parent.parent_id)
        comment = Comment(
            resource_type=name,
            resource_id=record.id,
            parent_id=parent.id if parent else None,
            root_id=parent.root_id if parent else None,
            depth=parent.depth + 1 if parent else 1,
            author_id=users[item["author"]].id,
            body=item["body"].strip(),
            locale=item.get("locale", "ja"),
            stance=item.get("stance"),
            official=bool(item.get("official", False)),
            created_at=_moment(item["at"]),
        )
        db.session.add(comment)
        db.session.flush()
        comment.root_id = comment.root_id or comment.id
        for key, value in (("up", 1), ("down", -1)):
            for email in item.get(key, []):
                db.session.add(CommentVote(comment_id=comment.id, user_id=users[email].id, value=value))
        comment.upvotes, comment.downvotes = len(item.get("up", [])), len(item.get("down", []))
        if item.get("key"):
            by_key[item["key"]] = comment
    counter = resource_type(name).comments.counter
    if counter is not None:
        db.session.flush()
        count = len(items)
        db.session.execute(
            update(counter.class_)
            .where(counter.class_.id == record.id)
            .values({counter.key: count})
            .execution_options(synchronize_session=False)
        )
