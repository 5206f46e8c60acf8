from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..core.action_log import PUBLIC, RESTRICTED
from ..core.forms import clean_query
from ..core.htmx import render
from ..core.jobs import services as jobs_services
from ..core.models import ROLE_DESCRIPTIONS, ROLE_LABELS, ActionLog, Organization, Role, RoleGrant, User
from ..core.pagination import paginate
from ..core.permissions import authorize, require
from ..core.slots import render as render_partial
from ..core.users import RoleChangeRefused, grant_role, record_personal_data_view, revoke_role
from ..core.views import log_query, present_entries
from ..extensions import db
from . import services
from .forms import OrganizationForm, RoleChangeForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


def accounts_by_role(**_context):
    """The administration home's "accounts by role" table (the "admin.dashboard" slot), one query."""
    counts = dict(
        db.session.execute(
            db.select(RoleGrant.role, db.func.count(RoleGrant.id))
            .join(User, User.id == RoleGrant.user_id)
            .where(User.deleted_at.is_(None))
            .group_by(RoleGrant.role)
        ).all()
    )
    return render_partial("admin/_accounts_by_role.html", counts=counts, roles=list(Role), role_labels=ROLE_LABELS)


@bp.get("/users")
@require("users.view")
def users():
    q = clean_query(request.args.get("q"))
    role = request.args.get("role") or ""
    query = db.select(User).where(User.deleted_at.is_(None)).order_by(User.id.desc())
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(User.display_name.ilike(pattern, escape="\\") | User.email.ilike(pattern, escape="\\"))
    if role in {r.value for r in Role}:
        query = query.where(User.role_grants.any(RoleGrant.role == role))
    pagination = paginate(query)
    return render(
        "admin/users.html",
        "admin/_users_table.html",
        pagination=pagination,
        q=q,
        role=role,
        roles=list(Role),
        role_labels=ROLE_LABELS,
    )


@bp.get("/users/<int:user_id>")
@require("users.view")
def user(user_id: int):
    person = db.get_or_404(User, user_id)
    if person.deleted_at is not None:
        abort(404)
    record_personal_data_view(current_user, person)
    return _user_page(person)


def _user_page(person: User, status: int = 200):
    return render(
        "admin/user.html",
        person=person,
        roles=list(Role),
        role_labels=ROLE_LABELS,
        role_descriptions=ROLE_DESCRIPTIONS,
        form=RoleChangeForm(formdata=None),
        status=status,
    )


@bp.post("/users/<int:user_id>/roles")
def change_role(user_id: int):
    authorize("roles.manage")  # before loading, so outsiders learn nothing about which ids exist
    person = db.get_or_404(User, user_id)
    form = RoleChangeForm()
    form.role.choices = [SelectChoice(r.value, ROLE_LABELS[r]) for r in Role]
    if person.deleted_at is not None or not form.validate():
        flash(_("The role change could not be made. Choose a role and try again."), "error")
        return redirect(url_for("admin.user", user_id=user_id))
    role = Role(form.role.data)
    label = ROLE_LABELS[role]
    if form.change.data == "grant":
        if grant_role(current_user, person, role):
            flash(_("Granted the role “%(role)s” to %(name)s.", role=label, name=person.public_name), "success")
        else:
            flash(_("%(name)s already has the role “%(role)s”.", role=label, name=person.public_name), "info")
    else:
        try:
            removed = revoke_role(current_user, person, role)
        except RoleChangeRefused:
            flash(_("The last administrator cannot be removed. Grant the role to someone else first."), "error")
        else:
            if removed:
                flash(_("Removed the role “%(role)s” from %(name)s.", role=label, name=person.public_name), "success")
            else:
                flash(_("%(name)s does not have the role “%(role)s”.", role=label, name=person.public_name), "info")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.get("/log")
@require("log.read_restricted")
def log():
    visibility = request.args.get("visibility") or ""
    action = clean_query(request.args.get("action"), 64)
    query = log_query(visibility if visibility in (PUBLIC, RESTRICTED) else None)
    if action:
        query = query.where(ActionLog.action == action)
    pagination = paginate(query)
    actions = db.session.scalars(db.select(ActionLog.action).distinct().order_by(ActionLog.action)).all()
    return render(
        "admin/log.html",
        "admin/_log_table.html",
        pagination=pagination,
        entries=present_entries(pagination.items, public=False),
        visibility=visibility,
        action=action,
        actions=actions,
    )


@bp.route("/site", methods=["GET", "POST"])
@require("site.edit")
def site():
    organization = db.session.scalar(db.select(Organization).limit(1))
    form = OrganizationForm(obj=organization)
    if form.validate_on_submit():
        services.update_organization(
            current_user,
            name=form.name.data,
            description=form.description.data or None,
            contact_email=form.contact_email.data or None,
            contact_phone=form.contact_phone.data or None,
        )
        flash(_("The site settings have been saved."), "success")
        return redirect(url_for("admin.site"))
    return render("admin/site.html", form=form, status=422 if form.errors else 200)


@bp.get("/jobs")
@require("jobs.manage")
def jobs():
    state = request.args.get("state") or ""
    state = state if state in jobs_services.STATES else ""
    return render(
        "admin/jobs.html",
        "admin/_jobs_table.html",
        pagination=jobs_services.job_page(state or None),
        counts=jobs_services.backend().counts(),
        backend=jobs_services.backend().kind,
        state=state,
        states=jobs_services.STATES,
        state_labels=jobs_services.STATE_LABELS,
        job_label=jobs_services.job_label,
    )


@bp.post("/jobs/<int:job_id>/retry")
def retry_job(job_id: int):
    authorize("jobs.manage")
    try:
        job = jobs_services.retry_failed(current_user, job_id)
    except jobs_services.JobRefused as refusal:
        flash(refusal.message, "error")
    else:
        flash(_("The job “%(job)s” will run again shortly.", job=jobs_services.job_label(job.name)), "success")
    return redirect(url_for("admin.jobs", state=request.args.get("state") or None))
