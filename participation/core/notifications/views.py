"""/notifications (one's own, paged, mark read), follow/unfollow buttons, and the digest setting."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...extensions import db
from ..auth import account_url
from ..htmx import render, wants_fragment
from ..models import DIGEST_FREQUENCIES
from ..pagination import paginate
from ..resources import resource_type
from ..urls import safe_next
from . import services
from .models import Notification
from .render import prepare

bp = Blueprint("notifications", __name__)


def unread_notifications() -> int:
    """For the header bell: one count query per page for signed-in people, none for visitors."""
    if not current_user.is_authenticated:
        return 0
    if "unread_notifications" not in g:
        g.unread_notifications = services.unread_count(current_user)
    return g.unread_notifications


def follow_state(record) -> dict | None:
    """For the follow button: None when the record's type cannot be followed."""
    name = services.type_name_of(record)
    rtype = resource_type(name)
    if rtype is None or not rtype.followable:
        return None
    following = current_user.is_authenticated and services.is_following(current_user, record)
    return {"type": name, "id": record.id, "following": following}


def _page():
    query = (
        db.select(Notification)
        .where(Notification.user_id == current_user.id)
        .options(db.joinedload(Notification.actor))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    pagination = paginate(query)
    return pagination, prepare(pagination.items)


@bp.get("/notifications")
@login_required
def index():
    pagination, shown = _page()
    return render("notifications/index.html", "notifications/_list.html", pagination=pagination, shown=shown)


def _back() -> str:
    return safe_next(request.form.get("next"), url_for("notifications.index"))


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int):
    if not services.mark_read(current_user, notification_id):
        abort(404)  # someone else's notification does not exist for this person
    if wants_fragment():
        g.pop("unread_notifications", None)
        notification = db.session.get(Notification, notification_id)
        return render_template("notifications/_item.html", item=prepare([notification])[0], oob_bell=True)
    return redirect(_back())


@bp.post("/notifications/read-all")
@login_required
def mark_all_read():
    services.mark_all_read(current_user)
    if wants_fragment():
        g.pop("unread_notifications", None)
        pagination, shown = _page()
        return render_template("notifications/_list.html", pagination=pagination, shown=shown, oob_bell=True)
    flash(_("All notifications are marked as read."), "success")
    return redirect(_back())


@bp.post("/account/notifications")
@login_required
def email_digest():
    frequency = request.form.get("email_digest", "")
    if frequency not in DIGEST_FREQUENCIES:
        flash(_("Choose how often to receive notifications by e-mail from the list."), "error")
    else:
        services.set_email_digest(current_user, frequency)
        flash(_("Your e-mail notification setting has been saved."), "success")
    return redirect(account_url("notifications-heading") or url_for("notifications.index"))


# --- following ---------------------------------------------------------------------------------


def _followable(type_name: str, record_id: int):
    rtype = resource_type(type_name)
    if rtype is None or not rtype.followable:
        abort(404)
    record = db.session.get(rtype.model, record_id)
    if record is None or (rtype.is_public is not None and not rtype.is_public(record)):
        abort(404)
    return record


def _after_follow(record, message):
    if wants_fragment():
        return render_template("notifications/_follow.html", record=record, message=message)
    flash(str(message), "success")
    rtype = resource_type(services.type_name_of(record))
    return redirect(safe_next(request.form.get("next"), rtype.url(record) if rtype.url else url_for("core.home")))


@bp.post("/follow/<type_name>/<int:record_id>")
@login_required
def follow(type_name: str, record_id: int):
    record = _followable(type_name, record_id)
    services.follow(current_user, record)
    return _after_follow(record, _("You are following this. Updates appear in your notifications."))


@bp.post("/unfollow/<type_name>/<int:record_id>")
@login_required
def unfollow(type_name: str, record_id: int):
    record = _followable(type_name, record_id)
    services.unfollow(current_user, record)
    return _after_follow(record, _("You no longer follow this."))
