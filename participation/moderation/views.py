"""Reporting (/report/<type>/<id>) and the moderators' pages (/admin/moderation)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..core.htmx import render, wants_fragment
from ..core.models import User
from ..core.moderation import services
from ..core.moderation.models import REASON_LABELS
from ..core.moderation.services import ModerationError, ReportResult
from ..core.pagination import page_number
from ..core.permissions import authorize, require
from ..core.resources import type_name_of
from ..extensions import db
from . import queue as queries
from .forms import DecisionForm, ReportForm

bp = Blueprint("moderation", __name__)

THANKS = _l("Thank you for your report. A moderator will review it.")
ALREADY_REPORTED = _l("You have already reported this. A moderator will review it.")


def _load(type_name: str, resource_id: int):
    """A public record of a moderatable type; anything else does not exist here."""
    rtype = services.moderatable_type(type_name)
    obj = services.load(type_name, resource_id) if rtype else None
    if obj is None or (rtype.is_public is not None and not rtype.is_public(obj)):
        abort(404)
    return rtype, obj


def _back_url(rtype, obj) -> str:
    return rtype.url(obj) if rtype.url else url_for("core.home")


# --- reporting -------------------------------------------------------------------------------------


def _report_answer(rtype, obj, message, category: str):
    """The outcome: in place of the form for htmx, as a flash on the record's page otherwise."""
    if wants_fragment():
        return render(
            "moderation/_report_form.html",
            form=None,
            obj=obj,
            type_name=type_name_of(obj),
            message=message,
            message_category=category,
        )
    flash(str(message), "error" if category == "error" else "success")
    return redirect(_back_url(rtype, obj))


@bp.route("/report/<type_name>/<int:resource_id>", methods=["GET", "POST"])
def report(type_name: str, resource_id: int):
    rtype, obj = _load(type_name, resource_id)
    if current_user.is_authenticated and services.author_id_of(obj) == current_user.id:
        return _report_answer(rtype, obj, services.OWN_CONTENT, "error")
    authorize("moderation.report", obj)
    if services.has_reported(current_user, obj):
        return _report_answer(rtype, obj, ALREADY_REPORTED, "info")
    form = ReportForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        try:
            result = services.report(current_user, obj, reason=form.reason.data, details=form.details.data)
        except ModerationError as error:
            form.form_errors.append(error.message)
        else:
            message = ALREADY_REPORTED if result == ReportResult.ALREADY_REPORTED else THANKS
            return _report_answer(rtype, obj, message, "info" if result == ReportResult.ALREADY_REPORTED else "success")
    return render(
        "moderation/report.html",
        "moderation/_report_form.html",
        status=422 if request.method == "POST" else 200,
        form=form,
        obj=obj,
        rtype=rtype,
        type_name=type_name,
        back_url=_back_url(rtype, obj),
        message=None,
    )


# --- the moderators' pages -------------------------------------------------------------------------


def _per_page() -> int:
    return current_app.config["PAGE_SIZE"]


@bp.get("/admin/moderation")
@require("moderation.manage")
def queue():
    page = queries.open_queue(page_number(), _per_page())
    return render("moderation/queue.html", "moderation/_queue.html", pagination=page, reason_labels=REASON_LABELS)


@bp.get("/admin/moderation/hidden")
@require("moderation.manage")
def hidden():
    page = queries.hidden_content(page_number(), _per_page())
    return render("moderation/hidden.html", "moderation/_hidden.html", pagination=page)


@bp.get("/admin/moderation/blocked")
@require("moderation.manage")
def blocked():
    page = queries.blocked_users(page_number(), _per_page())
    return render("moderation/blocked.html", pagination=page)


def _back(default_endpoint: str):
    target = request.form.get("next") or ""
    if not target.startswith("/admin/moderation"):
        target = url_for(default_endpoint)
    return redirect(target)


def _decide(action, obj, default_endpoint: str, done_message):
    form = DecisionForm()
    if not form.validate():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return _back(default_endpoint)
    try:
        action(current_user, obj, reason=form.reason.data)
    except ModerationError as error:
        flash(str(error.message), "error")
    else:
        flash(str(done_message), "success")
    return _back(default_endpoint)


def _content(type_name: str, resource_id: int):
    obj = services.load(type_name, resource_id)
    if obj is None:
        abort(404)
    return obj


@bp.post("/admin/moderation/<type_name>/<int:resource_id>/hide")
@require("moderation.manage")
def hide(type_name: str, resource_id: int):
    return _decide(services.hide, _content(type_name, resource_id), "moderation.queue", _l("The content is hidden."))


@bp.post("/admin/moderation/<type_name>/<int:resource_id>/restore")
@require("moderation.manage")
def restore(type_name: str, resource_id: int):
    obj = _content(type_name, resource_id)
    return _decide(services.restore, obj, "moderation.queue", _l("The content is public again."))


@bp.post("/admin/moderation/<type_name>/<int:resource_id>/dismiss")
@require("moderation.manage")
def dismiss(type_name: str, resource_id: int):
    obj = _content(type_name, resource_id)
    return _decide(services.dismiss, obj, "moderation.queue", _l("The reports have been dismissed."))


def _person(user_id: int) -> User:
    person = db.session.get(User, user_id)
    if person is None or person.deleted_at is not None:
        abort(404)
    return person


@bp.post("/admin/moderation/users/<int:user_id>/block")
@require("moderation.manage")
def block(user_id: int):
    return _decide(services.block_user, _person(user_id), "moderation.blocked", _l("The account is blocked."))


@bp.post("/admin/moderation/users/<int:user_id>/unblock")
@require("moderation.manage")
def unblock(user_id: int):
    return _decide(services.unblock_user, _person(user_id), "moderation.blocked", _l("The account is unblocked."))
