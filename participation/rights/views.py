from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.action_log import describe
from ..core.htmx import render
from ..core.i18n import current_locale
from ..core.models import ActionLog
from ..core.pagecache import personal
from ..core.pagination import paginate
from ..core.permissions import require
from ..core.resources import resource_type
from ..core.types import local_today
from ..core.users import record_personal_data_view, resume_use
from ..extensions import db, limiter
from . import mydata, services
from .forms import RequestForm, StaffActionForm
from .models import KIND_SHORT, PLATFORM, STATUS_LABELS, TOPIC_LABELS, Kind, RightsRequest, Status
from .statistics import quarters

bp = Blueprint("rights", __name__)

REFUSALS = {
    "about": lambda: _(
        "What the request is about could not be found. Choose the platform or open the form from the record's page."
    ),
    "topic": lambda: _("Choose the topic of your complaint."),
    "contact": lambda: _("Enter your e-mail address so that we can answer you."),
    "response": lambda: _("Write the answer or the reason before sending."),
    "state": lambda: _("This request has already been closed or changed. Reload the page."),
    "last_admin": lambda: _(
        "This person is the only administrator; grant the role to someone else before erasing the account."
    ),
}


def _context(about: str | None) -> dict:
    try:
        about_type, _about_id, record = services.resolve_about(about)
    except services.RequestRefused:
        return {"about_title": None, "about_label": None, "about_valid": False}
    if about_type == PLATFORM:
        return {"about_title": None, "about_label": None, "about_valid": True}
    rtype = resource_type(about_type)
    title = rtype.title(record) if rtype.title else str(record.id)
    return {"about_title": title, "about_label": rtype.label, "about_valid": True}


@bp.get("/rights/")
def index():
    mine = []
    if current_user.is_authenticated:
        mine = db.session.scalars(
            db.select(RightsRequest)
            .where(RightsRequest.requester_id == current_user.id)
            .order_by(RightsRequest.created_at.desc())
        ).all()
    return render("rights/index.html", mine=mine, kinds=KIND_SHORT, statuses=STATUS_LABELS)


@bp.route("/rights/new", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_RIGHTS_REQUEST"], methods=["POST"])
def new_request():
    form = RequestForm()
    if request.method == "GET":
        form.about.data = request.args.get("about") or PLATFORM
        if request.args.get("kind") in {k.value for k in Kind}:
            form.kind.data = request.args["kind"]
    signed_in = current_user.is_authenticated
    if form.validate_on_submit():
        if not signed_in and not form.contact_email.data:
            form.contact_email.errors.append(_("Enter your e-mail address so that we can answer you."))
        else:
            try:
                filed = services.file_request(
                    current_user._get_current_object() if signed_in else None,
                    kind=Kind(form.kind.data),
                    about=form.about.data,
                    details=form.details.data,
                    topic=form.topic.data or None,
                    contact_email=None if signed_in else form.contact_email.data,
                    locale=current_locale(),
                )
            except services.RequestRefused as refused:
                form.form_errors.append(REFUSALS[refused.args[0]]())
            else:
                if signed_in:
                    flash(_("Your request %(ref)s has been received.", ref=filed.reference), "success")
                    return redirect(url_for("rights.show", request_id=filed.id))
                flash(
                    _(
                        "Your request %(ref)s has been received. We have sent a link to follow it to your e-mail address.",
                        ref=filed.reference,
                    ),
                    "success",
                )
                return redirect(url_for("rights.index"))
    status = 422 if form.errors or form.form_errors else 200
    return render("rights/new.html", form=form, status=status, **_context(form.about.data))


def _own_request(request_id: int) -> RightsRequest:
    found = db.session.get(RightsRequest, request_id)
    # Someone else's request does not exist as far as this person can tell.
    if found is None or not current_user.is_authenticated or found.requester_id != current_user.id:
        abort(404)
    return found


@bp.get("/rights/<int:request_id>")
@login_required
def show(request_id: int):
    found = _own_request(request_id)
    return render("rights/show.html", item=found, **_item_context(found))


@bp.get("/rights/status/<token>")
@personal  # a secret link to one person's request: never in a shared cache
def status(token: str):
    found = services.request_for_token(token)
    if found is None:
        abort(404)
    return render("rights/show.html", item=found, **_item_context(found))


def _item_context(item: RightsRequest) -> dict:
    record = services.about_record(item)
    rtype = None if item.about_platform else resource_type(item.about_type)
    return {
        "kinds": KIND_SHORT,
        "statuses": STATUS_LABELS,
        "topics": TOPIC_LABELS,
        "about_record": record,
        "about_label": rtype.label if rtype else None,
        "about_title": (rtype.title(record) if rtype and rtype.title and record else None),
        "about_url": (rtype.url(record) if rtype and rtype.url and record else None),
    }


@bp.get("/rights/statistics")
def statistics():
    return render("rights/statistics.html", quarters=quarters(), kinds=KIND_SHORT, topics=TOPIC_LABELS)


# --- My data ---------------------------------------------------------------------------------------


@bp.get("/account/data")
@login_required
def my_data():
    person = current_user._get_current_object()
    links: dict[str, str] = {}
    sections = mydata.collect(person, links)
    body, status = render("rights/my_data.html", sections=sections, links=links, person=person)
    return body, status, {"Cache-Control": "no-store"}  # personal data stays out of shared caches


@bp.get("/account/data.json")
@login_required
def my_data_json():
    body = mydata.json_document(current_user._get_current_object())
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": "attachment; filename=my-data.json", "Cache-Control": "no-store"},
    )


@bp.get("/account/data.zip")
@login_required
def my_data_zip():
    body = mydata.zip_bytes(current_user._get_current_object())
    return Response(
        body,
        mimetype="application/zip",
        headers={"Content-Disposition": "attachment; filename=my-data.zip", "Cache-Control": "no-store"},
    )


@bp.post("/account/data/resume")
@login_required
def resume():
    person = current_user._get_current_object()
    if resume_use(person, person):
        flash(_("The use of your data has resumed."), "success")
    return redirect(url_for("rights.my_data"))


# --- the staff queue -------------------------------------------------------------------------------

QUEUE_VIEWS = ("open", "overdue", "closed")


@bp.get("/admin/rights")
@require("rights.manage")
def queue():
    view = request.args.get("view") if request.args.get("view") in QUEUE_VIEWS else "open"
    open_states = (Status.RECEIVED.value, Status.IN_PROGRESS.value)
    query = db.select(RightsRequest)
    if view == "closed":
        query = query.where(RightsRequest.status.not_in(open_states)).order_by(RightsRequest.closed_at.desc())
    else:
        query = query.where(RightsRequest.status.in_(open_states)).order_by(RightsRequest.due_on, RightsRequest.id)
        if view == "overdue":
            query = query.where(RightsRequest.due_on < local_today())
    query = query.options(db.joinedload(RightsRequest.requester))
    pagination = paginate(query)
    return render(
        "rights/queue.html",
        "rights/_queue_table.html",
        pagination=pagination,
        view=view,
        kinds=KIND_SHORT,
        statuses=STATUS_LABELS,
        today=local_today(),
    )


def _staff_page(item: RightsRequest, form: StaffActionForm | None = None, status: int = 200):
    history = db.session.scalars(
        db.select(ActionLog)
        .where(ActionLog.resource_type == "rights_request", ActionLog.resource_id == item.id)
        .order_by(ActionLog.created_at, ActionLog.id)
        .options(db.joinedload(ActionLog.actor))
    ).all()
    return render(
        "rights/manage.html",
        item=item,
        form=form or StaffActionForm(formdata=None),
        history=[(entry, describe(entry)) for entry in history],
        today=local_today(),
        status=status,
        **_item_context(item),
    )


@bp.get("/admin/rights/<int:request_id>")
@require("rights.manage")
def manage(request_id: int):
    item = db.get_or_404(RightsRequest, request_id)
    if item.requester is not None and item.requester.deleted_at is None:
        record_personal_data_view(current_user._get_current_object(), item.requester)
    return _staff_page(item)


@bp.post("/admin/rights/<int:request_id>")
@require("rights.manage")
def act(request_id: int):
    item = db.get_or_404(RightsRequest, request_id)
    form = StaffActionForm()
    action = request.form.get("action")
    if action not in ("start", "answer", "decline") or not form.validate():
        return _staff_page(item, form, 422)
    actor = current_user._get_current_object()
    try:
        if action == "start":
            services.start(actor, item)
        elif action == "answer":
            services.answer(actor, item, form.response.data)
        else:
            services.decline(actor, item, form.response.data)
    except services.RequestRefused as refused:
        db.session.rollback()
        form.form_errors.append(REFUSALS[refused.args[0]]())
        item = db.get_or_404(RightsRequest, request_id)
        return _staff_page(item, form, 422)
    flash(_("Request %(ref)s: %(status)s.", ref=item.reference, status=STATUS_LABELS[Status(item.status)]), "success")
    return redirect(url_for("rights.manage", request_id=item.id))
