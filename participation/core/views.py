"""Pages every site has: home, language switch, terms of use, public activity."""

from __future__ import annotations

from flask import Blueprint, current_app, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import csrf, db
from .action_log import PUBLIC, describe
from .htmx import render
from .models import ActionLog, District, Organization
from .pagination import paginate
from .permissions import require
from .resources import load_many, resource_type
from .urls import safe_next
from .users import set_locale

bp = Blueprint("core", __name__)


@bp.get("/")
def home():
    organization = db.session.scalar(db.select(Organization).limit(1))
    districts = db.session.scalars(db.select(District).order_by(District.position, District.id)).all()
    # ?district=<code> narrows what capabilities show in the home slots; an unknown code shows all
    code = request.args.get("district", "")[:40]
    district = next((d for d in districts if d.code == code), None)
    recent = _public_entries(limit=5)
    return render("core/home.html", organization=organization, districts=districts, district=district, recent=recent)


@bp.post("/locale")
@csrf.exempt
def switch_locale():
    # Signed in, the choice is saved to the account: a cross-site request is refused. For anyone else
    # the only effect is the cookie picking the display language, so the form needs no token and the
    # pages carrying it can be cached whole (core/pagecache.py).
    if current_user.is_authenticated and current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect()
    locale = request.form.get("locale", "")
    target = safe_next(request.form.get("next"), url_for("core.home"))
    if locale not in current_app.config["LOCALES"]:
        return redirect(target)
    if current_user.is_authenticated:
        set_locale(current_user, locale)
    response = make_response(redirect(target))
    response.set_cookie(
        current_app.config["LOCALE_COOKIE_NAME"],
        locale,
        max_age=current_app.config["LOCALE_COOKIE_MAX_AGE"],
        samesite="Lax",
        httponly=True,
        secure=request.is_secure,
    )
    return response


@bp.get("/terms")
def terms():
    organization = db.session.scalar(db.select(Organization).limit(1))
    return render("core/terms.html", organization=organization)


@bp.get("/activity")
def activity():
    pagination = paginate(log_query(visibility=PUBLIC))
    return render(
        "core/activity.html",
        "core/_activity_list.html",
        pagination=pagination,
        entries=present_entries(pagination.items),
    )


@bp.get("/admin/")
@require("admin.access")
def dashboard():
    """The administration home: its menu is every capability's admin navigation; the page holds
    what they put in the "admin.dashboard" slot."""
    return render("admin/dashboard.html")


@bp.get("/healthz")
def healthz():
    db.session.execute(db.select(1))
    return {"status": "ok"}


def _public_entries(limit: int) -> list[dict]:
    entries = db.session.scalars(log_query(visibility=PUBLIC).limit(limit)).all()
    return present_entries(entries)


def log_query(visibility: str | None = None):
    """Newest first, with the actor loaded in the same query."""
    query = (
        db.select(ActionLog)
        .options(db.joinedload(ActionLog.actor))
        .order_by(ActionLog.created_at.desc(), ActionLog.id.desc())
    )
    if visibility:
        query = query.where(ActionLog.visibility == visibility)
    return query


def present_entries(entries, *, public: bool = True) -> list[dict]:
    """Log entries with their description, actor and resource; resources load in one query per type
    (build the query with ``log_query`` so actors come with the entries)."""
    entries = list(entries)
    resources = load_many((e.resource_type, e.resource_id) for e in entries)
    presented = []
    for entry in entries:
        obj = resources.get((entry.resource_type, entry.resource_id))
        rtype = resource_type(entry.resource_type) if entry.resource_type else None
        if public and obj is not None and rtype and rtype.is_public and not rtype.is_public(obj):
            obj = None  # withdrawn since: the public record keeps the action, not the title
        if public and obj is not None and rtype and rtype.moderatable and obj.hidden_at is not None:
            obj = None  # hidden by moderation: its title is not repeated here
        presented.append(
            {
                "entry": entry,
                "text": describe(entry),
                "actor": entry.actor.public_name if entry.actor else _("The system"),
                "resource_label": rtype.label if rtype else None,
                "resource_title": rtype.title(obj) if rtype and rtype.title and obj is not None else None,
                "resource_url": rtype.url(obj) if rtype and rtype.url and obj is not None else None,
            }
        )
    return presented
