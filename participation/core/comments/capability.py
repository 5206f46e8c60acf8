"""The comments mechanism as the app registers it, right after the core."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import object_session

from ...extensions import db
from ..action_log import fixed
from ..capability import Capability
from ..markup import markdown_to_text
from ..models import Role
from ..permissions import has_role, participant
from ..resources import ResourceType, resource_type, resource_types
from ..searchable import Searchable, SearchDocument
from ..signals import account_deleting, content_moderated
from . import personal
from .models import Comment
from .section import comment_section
from .services import refresh_count
from .views import bp

# Everyone who takes part may comment, unless a moderator blocked them; auditors read and change nothing.
may_take_part = participant(Role.RESIDENT, Role.STAFF, Role.MODERATOR, Role.LAB_MEMBER, Role.ADMIN)
staff = has_role(Role.STAFF, Role.ADMIN)


def _may_comment(user, _record=None) -> bool:
    return may_take_part(user)


def _is_author(user, comment) -> bool:
    return user is not None and comment is not None and comment.author_id == user.id


def _may_edit(user, comment) -> bool:
    return _is_author(user, comment) and comment.is_visible


def _may_delete(user, comment) -> bool:
    return _is_author(user, comment) and not comment.is_deleted


def _may_vote(user, comment) -> bool:
    return _may_comment(user) and comment is not None and not _is_author(user, comment) and comment.is_visible


def _may_mark_official(user, comment) -> bool:
    if not staff(user) or comment is None or not comment.is_visible:
        return False
    rtype = resource_type(comment.resource_type)
    return bool(rtype and rtype.comments and rtype.comments.official_answers)


def _record(comment: Comment):
    # The search indexer loads comments in its own session: read the record through the same one.
    rtype = resource_type(comment.resource_type)
    session = object_session(comment) or db.session
    return session.get(rtype.model, comment.resource_id) if rtype else None


def _url(comment: Comment) -> str:
    record = _record(comment)
    rtype = resource_type(comment.resource_type)
    return f"{rtype.url(record)}#comment-{comment.id}" if record is not None and rtype.url else ""


def _title(comment: Comment) -> str:
    record = _record(comment)
    rtype = resource_type(comment.resource_type)
    if record is None or rtype.title is None:
        return _("Comment")
    return _("Comment on “%(title)s”", title=rtype.title(record))


def _is_public(comment: Comment) -> bool:
    if not comment.is_visible:
        return False
    record = _record(comment)
    rtype = resource_type(comment.resource_type)
    return record is not None and (rtype.is_public is None or rtype.is_public(record))


def _documents(comment: Comment) -> Iterator[SearchDocument]:
    record = _record(comment)
    rtype = resource_type(comment.resource_type)
    space = rtype.space(record) if record is not None and rtype.space else None
    yield SearchDocument(
        locale=comment.locale,
        title=rtype.title(record) if record is not None and rtype.title else "",
        body=markdown_to_text(comment.body),
        date=comment.created_at,
        space=space,
    )


def _members(name: str, ident: int):
    """Comments sit inside a space through their record (a proposal in a consultation...): when the
    space changes (e.g. is unpublished), they are re-indexed with it."""
    inside = []
    for type_name, rtype in resource_types().items():
        records = rtype.in_space(name, ident) if rtype.comments is not None and rtype.in_space else None
        if records is not None:
            inside.append(db.and_(Comment.resource_type == type_name, Comment.resource_id.in_(records)))
    return db.select(Comment).where(db.or_(*inside)) if inside else None


def _voted_label(entry) -> str:
    value = entry.data.get("value", 0)
    if value == 1:
        return _("Voted a comment up")
    if value == -1:
        return _("Voted a comment down")
    return _("Took back a vote on a comment")


def _recount_on_moderation(record, **_kwargs) -> None:
    if isinstance(record, Comment):
        refresh_count(record)


def _init_app(app: Flask) -> None:
    app.jinja_env.globals["comment_section"] = comment_section


def _on_account_deleting(user, **_kwargs) -> None:
    personal.erase(user)


capability = Capability(
    name="comments",
    blueprints=(bp,),
    receivers={content_moderated: _recount_on_moderation, account_deleting: _on_account_deleting},
    permissions={
        "comments.create": _may_comment,
        "comments.edit": _may_edit,
        "comments.delete": _may_delete,
        "comments.vote": _may_vote,
        "comments.mark_official": _may_mark_official,
    },
    resources=(
        ResourceType("comment", Comment, _l("Comment"), url=_url, title=_title, is_public=_is_public, moderatable=True),
    ),
    action_labels={
        "comment.created": fixed(_l("Posted a comment")),
        "comment.edited": fixed(_l("Edited a comment")),
        "comment.deleted": fixed(_l("Deleted a comment")),
        "comment.voted": _voted_label,
        "comment.marked_official": fixed(_l("Marked a comment as the city's official answer")),
        "comment.unmarked_official": fixed(_l("Unmarked a comment as an official answer")),
    },
    # Notified on the commented record (a proposal, a discussion), so the link leads to the conversation.
    notification_kinds={
        "comment.created": _l("%(actor)s commented on “%(title)s”, which you follow"),
        "comment.replied": _l("%(actor)s replied to your comment on “%(title)s”"),
    },
    searchable=(
        Searchable(
            "comment",
            Comment,
            documents=_documents,
            query=lambda: db.select(Comment).where(Comment.deleted_at.is_(None)).order_by(Comment.id),
            is_public=_is_public,
            members=_members,
        ),
    ),
    init_app=_init_app,
    personal_data=personal.personal_data,
)
