"""Comment routes (blueprint ``comments``). Each works as a plain form POST that redirects back to
the record's page, and as an htmx request answered with the re-rendered section (or vote box)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template
from flask_babel import gettext as _
from flask_login import current_user

from ...extensions import db
from ..htmx import wants_fragment
from ..i18n import current_locale
from ..permissions import authorize
from ..resources import resource_type
from . import services
from .forms import CommentForm, VoteForm
from .models import Comment
from .section import comment_section, requested_page

bp = Blueprint("comments", __name__)


def _load_record(type_name: str, record_id: int):
    rtype = resource_type(type_name)
    if rtype is None or rtype.comments is None:
        abort(404)
    record = db.session.get(rtype.model, record_id)
    if record is None or (rtype.is_public is not None and not rtype.is_public(record)):
        abort(404)
    return record


def _load_comment(comment_id: int) -> tuple[Comment, object]:
    comment = db.get_or_404(Comment, comment_id)
    return comment, _load_record(comment.resource_type, comment.resource_id)


def _back(record, *, message=None, category="success", anchor: str | None = None, error=None, draft: str = ""):
    """After a change: the re-rendered section for htmx, else a redirect to the record's page."""
    if wants_fragment():
        section = comment_section(record, error=error, draft=draft)
        if message and not error:
            section.message = message
        return render_template("comments/_section.html", section=section), 422 if error else 200
    if error:
        flash(str(error), "error")
    elif message:
        flash(str(message), category)
    section_url = comment_section_url(record, anchor)
    return redirect(section_url)


def comment_section_url(record, anchor: str | None = None) -> str:
    from ..resources import type_name_of
    from .section import PAGE_ARG

    type_name = type_name_of(record)
    url = resource_type(type_name).url(record)
    page = requested_page()
    if page > 1:
        url += f"?{PAGE_ARG}={page}"
    return f"{url}#{anchor or f'comments-{type_name}-{record.id}'}"


@bp.get("/comments/<type_name>/<int:record_id>")
def section(type_name: str, record_id: int):
    record = _load_record(type_name, record_id)
    if not wants_fragment():
        return redirect(comment_section_url(record))
    return render_template("comments/_section.html", section=comment_section(record))


@bp.post("/comments/<type_name>/<int:record_id>")
def create(type_name: str, record_id: int):
    record = _load_record(type_name, record_id)
    authorize("comments.create", record)
    form = CommentForm()
    parent = None
    if form.parent_id.data:
        if not form.parent_id.data.isdigit() or len(form.parent_id.data) > 12:
            return _back(record, error=services.UNKNOWN_PARENT)
        parent = db.session.get(Comment, int(form.parent_id.data))
        if parent is None:
            return _back(record, error=services.UNKNOWN_PARENT)
    if not form.validate():
        error = next(iter(form.body.errors or form.form_errors or [_("The form had expired. Send it again.")]))
        return _back(record, error=error, draft=form.body.data or "")
    try:
        comment = services.add_comment(
            current_user, record, body=form.body.data, locale=current_locale(), stance=form.stance.data, parent=parent
        )
    except services.CommentError as error:
        return _back(record, error=error.message, draft=form.body.data or "")
    return _back(record, message=_("Your comment has been published."), anchor=f"comment-{comment.id}")


@bp.post("/comments/<int:comment_id>/edit")
def edit(comment_id: int):
    comment, record = _load_comment(comment_id)
    authorize("comments.edit", comment)
    form = CommentForm()
    if not form.validate():
        error = next(iter(form.body.errors or [_("The form had expired. Send it again.")]))
        return _back(record, error=error)
    try:
        services.edit_comment(current_user, comment, body=form.body.data, stance=form.stance.data)
    except services.CommentError as error:
        return _back(record, error=error.message)
    return _back(record, message=_("Your comment has been saved."), anchor=f"comment-{comment_id}")


@bp.post("/comments/<int:comment_id>/delete")
def delete(comment_id: int):
    comment, record = _load_comment(comment_id)
    authorize("comments.delete", comment)
    try:
        services.delete_comment(current_user, comment)
    except services.CommentError as error:
        return _back(record, error=error.message)
    return _back(record, message=_("Your comment has been deleted."), anchor=f"comment-{comment_id}")


@bp.post("/comments/<int:comment_id>/vote")
def vote(comment_id: int):
    comment, record = _load_comment(comment_id)
    authorize("comments.vote", comment)
    form = VoteForm()
    value = {"up": 1, "down": -1}.get(form.value.data or "")
    error = None
    mine = 0
    if value is None or not form.validate():
        error = _("Choose to vote up or down.")
    else:
        try:
            mine = services.vote(current_user, comment, value)
        except services.CommentError as refused:
            error = refused.message
    if wants_fragment():
        comment = db.session.get(Comment, comment_id)
        db.session.refresh(comment)
        if error:
            mine = services.my_vote(current_user, comment)
        return render_template(
            "comments/_votes.html", comment=comment, my_vote=mine, error=error, section=None
        ), 422 if error else 200
    if error:
        flash(str(error), "error")
    return redirect(comment_section_url(record, f"comment-{comment_id}"))


@bp.post("/comments/<int:comment_id>/official")
def official(comment_id: int):
    comment, record = _load_comment(comment_id)
    authorize("comments.mark_official", comment)
    form = VoteForm()
    mark = form.value.data == "1"
    try:
        services.set_official(current_user, comment, mark)
    except services.CommentError as error:
        return _back(record, error=error.message)
    message = _("Marked as the city's official answer.") if mark else _("No longer marked as an official answer.")
    return _back(record, message=message, anchor=f"comment-{comment_id}")
