"""What a page shows of a record's comments, loaded in a fixed number of queries: the count of
top-level comments, one page of them, everything below them, and the reader's votes."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app, request, url_for
from flask_login import current_user

from ...extensions import db
from ..models import User
from ..pagination import MAX_PAGE, paginate
from ..permissions import can
from ..resources import resource_type, type_name_of
from .models import Comment, CommentVote, Stance

PAGE_ARG = "cpage"
# Authors' names only: their role grants (loaded eagerly by default) are not needed here.
_WITH_AUTHOR = db.joinedload(Comment.author).lazyload(User.role_grants)


@dataclass
class CommentNode:
    comment: Comment
    replies: list[CommentNode] = field(default_factory=list)


@dataclass
class CommentSection:
    record: object
    type_name: str
    asks_stance: bool
    official_answers: bool
    heading: object
    intro: object
    closed_reason: object
    can_comment: bool
    nodes: list[CommentNode]
    my_votes: dict[int, int]
    page: int
    pages: int
    total_roots: int
    error: object = None
    draft: str = ""
    message: object = None

    @property
    def anchor(self) -> str:
        return f"comments-{self.type_name}-{self.record.id}"

    @property
    def post_url(self) -> str:
        return url_for("comments.create", type_name=self.type_name, record_id=self.record.id)

    @property
    def fragment_url(self) -> str:
        return url_for("comments.section", type_name=self.type_name, record_id=self.record.id)

    def page_url(self, page: int) -> str:
        rtype = resource_type(self.type_name)
        base = rtype.url(self.record)
        return f"{base}?{PAGE_ARG}={page}#{self.anchor}"

    def fragment_page_url(self, page: int) -> str:
        return url_for("comments.section", type_name=self.type_name, record_id=self.record.id, **{PAGE_ARG: page})

    stances = list(Stance)


def requested_page() -> int:
    page = request.args.get(PAGE_ARG, type=int) or request.form.get(PAGE_ARG, type=int) or 1
    return page if 1 <= page <= MAX_PAGE else 1


def comment_section(record, *, page: int | None = None, error=None, draft: str = "") -> CommentSection:
    type_name = type_name_of(record)
    commentable = resource_type(type_name).comments
    per_page = current_app.config.get("COMMENTS_PAGE_SIZE", 20)
    page = page or requested_page()
    mine = Comment.resource_type == type_name, Comment.resource_id == record.id
    found = paginate(
        db.select(Comment)
        .where(*mine, Comment.parent_id.is_(None))
        .options(_WITH_AUTHOR)
        .order_by(Comment.created_at.desc(), Comment.id.desc()),
        page=page,
        per_page=per_page,
        clamp=True,  # a link to a page since emptied shows the last one
    )
    roots, page, pages, total = found.items, found.page, max(1, found.pages), found.total
    root_ids = [c.id for c in roots]
    below = (
        db.session.scalars(
            db.select(Comment)
            .where(Comment.root_id.in_(root_ids), Comment.parent_id.is_not(None))
            .options(_WITH_AUTHOR)
            .order_by(Comment.created_at, Comment.id)
        ).all()
        if root_ids
        else []
    )
    nodes = {c.id: CommentNode(c) for c in (*roots, *below)}
    for comment in below:
        parent = nodes.get(comment.parent_id)
        if parent is not None:
            parent.replies.append(nodes[comment.id])
    my_votes: dict[int, int] = {}
    user = current_user if getattr(current_user, "is_authenticated", False) else None
    if user is not None and nodes:
        my_votes = dict(
            db.session.execute(
                db.select(CommentVote.comment_id, CommentVote.value).where(
                    CommentVote.user_id == user.id, CommentVote.comment_id.in_(list(nodes))
                )
            ).all()
        )
    closed = commentable.closed_reason(record, user)
    return CommentSection(
        record=record,
        type_name=type_name,
        asks_stance=bool(commentable.asks_stance(record)),
        official_answers=commentable.official_answers,
        heading=commentable.heading,
        intro=commentable.intro,
        closed_reason=closed,
        can_comment=closed is None and can("comments.create", record),
        nodes=[nodes[c.id] for c in roots],
        my_votes=my_votes,
        page=page,
        pages=pages,
        total_roots=total,
        error=error,
        draft=draft,
    )
