"""Consultations for everyone (/processes) and their management for staff (/admin/processes)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..core import component_fields, components
from ..core.components import panels
from ..core.htmx import render
from ..core.i18n import localize
from ..core.models import District
from ..core.pagination import paginate
from ..core.permissions import can, require
from ..core.types import local_today
from ..extensions import db
from . import services
from .forms import CategoryForm, PhaseForm, ProcessForm
from .models import OPEN, STATE_LABELS, STATES, UPCOMING, Phase, Process, ProcessCategory

bp = Blueprint("processes", __name__)


# --- public pages ------------------------------------------------------------------------------


def _listing(state: str, today):
    """Published processes in ``state`` on ``today``, with what the list shows loaded in the same
    few queries whatever their number."""
    bounds = (
        db.select(
            Phase.process_id.label("process_id"),
            db.func.min(Phase.starts_on).label("starts_on"),
            db.func.max(Phase.ends_on).label("ends_on"),
        )
        .group_by(Phase.process_id)
        .subquery()
    )
    query = (
        db.select(Process)
        .join(bounds, bounds.c.process_id == Process.id)
        .where(Process.published_at.is_not(None))
        .options(db.selectinload(Process.phases), db.joinedload(Process.district))
    )
    if state == OPEN:
        query = query.where(bounds.c.starts_on <= today, bounds.c.ends_on >= today)
        query = query.order_by(bounds.c.ends_on, Process.id)
    elif state == UPCOMING:
        query = query.where(bounds.c.starts_on > today).order_by(bounds.c.starts_on, Process.id)
    else:
        query = query.where(bounds.c.ends_on < today).order_by(bounds.c.ends_on.desc(), Process.id.desc())
    return query


@bp.get("/processes")
def index():
    state = request.args.get("state") or OPEN
    if state not in STATES:
        abort(404)
    today = local_today()
    pagination = paginate(_listing(state, today))
    return render(
        "processes/index.html",
        "processes/_list.html",
        pagination=pagination,
        state=state,
        states=STATES,
        state_labels=STATE_LABELS,
        today=today,
    )


def _load_process(process_id: int) -> Process:
    process = db.get_or_404(Process, process_id)
    if not can("processes.view", process):
        abort(404)  # drafts do not exist for the public
    return process


@bp.get("/processes/<int:process_id>")
def show(process_id: int):
    process = _load_process(process_id)
    today = local_today()
    return render(
        "processes/show.html",
        process=process,
        today=today,
        state=process.state(today),
        state_labels=STATE_LABELS,
        current=process.current_phase(today),
        panels=panels(process, today),
        stage_switches=components.stage_switches(),
    )


# --- management --------------------------------------------------------------------------------


def _process_for_staff(process_id: int) -> Process:
    return db.get_or_404(Process, process_id)


def _process_form(formdata=None, process: Process | None = None) -> ProcessForm:
    form_cls = component_fields.with_settings(ProcessForm)
    initial = component_fields.settings_initial(process) if formdata is None else {}
    form = form_cls(formdata=formdata, obj=process, data=initial)
    districts = db.session.scalars(db.select(District).order_by(District.position, District.id)).all()
    form.district_id.choices = [SelectChoice(0, _("The whole city"))] + [
        SelectChoice(d.id, localize(d.name).text) for d in districts
    ]
    if formdata is None:
        form.district_id.data = (process.district_id if process else None) or 0
    return form


def _process_fields(form: ProcessForm) -> dict:
    return {
        "title": form.title.data,
        "summary": form.summary.data,
        "description": form.description.data or None,
        "district_id": form.district_id.data or None,
        "settings": component_fields.settings_from(form),
    }


@bp.get("/admin/processes")
@require("processes.manage")
def manage():
    query = (
        db.select(Process)
        .options(db.selectinload(Process.phases), db.joinedload(Process.district))
        .order_by(Process.published_at.is_(None).desc(), Process.updated_at.desc(), Process.id.desc())
    )
    pagination = paginate(query)
    return render(
        "processes/manage.html",
        "processes/_manage_table.html",
        pagination=pagination,
        today=local_today(),
        state_labels=STATE_LABELS,
    )


@bp.route("/admin/processes/new", methods=["GET", "POST"])
@require("processes.manage")
def new():
    form = _process_form(request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        try:
            process = services.create_process(current_user, **_process_fields(form))
        except services.ProcessError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("The consultation has been created as a draft. Add its schedule, then publish it."), "success")
            return redirect(url_for("processes.edit", process_id=process.id))
    return render(
        "processes/process_form.html",
        form=form,
        process=None,
        setting_groups=component_fields.setting_groups(form),
        status=422 if request.method == "POST" else 200,
    )


@bp.route("/admin/processes/<int:process_id>", methods=["GET", "POST"])
@require("processes.manage")
def edit(process_id: int):
    process = _process_for_staff(process_id)
    form = _process_form(request.form if request.method == "POST" else None, process)
    if request.method == "POST" and form.validate():
        try:
            services.update_process(current_user, process, **_process_fields(form))
        except services.ProcessError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("The consultation has been saved."), "success")
            return redirect(url_for("processes.edit", process_id=process.id))
    return render(
        "processes/process_form.html",
        form=form,
        process=process,
        setting_groups=component_fields.setting_groups(form),
        stage_switches=components.stage_switches(),
        today=local_today(),
        state_labels=STATE_LABELS,
        status=422 if request.method == "POST" else 200,
    )


@bp.post("/admin/processes/<int:process_id>/publish")
@require("processes.manage")
def publish(process_id: int):
    process = _process_for_staff(process_id)
    try:
        if services.publish(current_user, process):
            flash(_("The consultation is now public."), "success")
    except services.ProcessError as error:
        flash(str(error.message), "error")
    return redirect(url_for("processes.edit", process_id=process.id))


@bp.post("/admin/processes/<int:process_id>/unpublish")
@require("processes.manage")
def unpublish(process_id: int):
    process = _process_for_staff(process_id)
    if services.unpublish(current_user, process):
        flash(_("The consultation is a draft again and is hidden from residents."), "success")
    return redirect(url_for("processes.edit", process_id=process.id))


# --- phases ------------------------------------------------------------------------------------


def _phase_of(process: Process, phase_id: int) -> Phase:
    phase = db.get_or_404(Phase, phase_id)
    if phase.process_id != process.id:
        abort(404)
    return phase


def _phase_form(phase: Phase | None = None) -> PhaseForm:
    form_cls = component_fields.with_switches(PhaseForm)
    if request.method == "POST":
        return form_cls(formdata=request.form)
    return form_cls(formdata=None, obj=phase, data=component_fields.switches_initial(phase))


def _phase_fields(form: PhaseForm) -> dict:
    fields = {name: getattr(form, name).data for name in services.PHASE_FIELDS}
    return {**fields, "switches": component_fields.switches_from(form)}


def _phase_page(form: PhaseForm, process: Process, phase: Phase | None):
    status = 422 if request.method == "POST" else 200
    return render(
        "processes/phase_form.html",
        form=form,
        process=process,
        phase=phase,
        switch_fields=component_fields.switch_fields(form),
        status=status,
    )


@bp.route("/admin/processes/<int:process_id>/phases/new", methods=["GET", "POST"])
@require("processes.manage")
def new_phase(process_id: int):
    process = _process_for_staff(process_id)
    form = _phase_form()
    if request.method == "POST" and form.validate():
        try:
            services.add_phase(current_user, process, **_phase_fields(form))
        except services.ProcessError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("The stage has been added."), "success")
            return redirect(url_for("processes.edit", process_id=process.id))
    return _phase_page(form, process, None)


@bp.route("/admin/processes/<int:process_id>/phases/<int:phase_id>", methods=["GET", "POST"])
@require("processes.manage")
def edit_phase(process_id: int, phase_id: int):
    process = _process_for_staff(process_id)
    phase = _phase_of(process, phase_id)
    form = _phase_form(phase)
    if request.method == "POST" and form.validate():
        try:
            services.update_phase(current_user, phase, **_phase_fields(form))
        except services.ProcessError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("The stage has been saved."), "success")
            return redirect(url_for("processes.edit", process_id=process.id))
    return _phase_page(form, process, phase)


@bp.post("/admin/processes/<int:process_id>/phases/<int:phase_id>/delete")
@require("processes.manage")
def delete_phase(process_id: int, phase_id: int):
    process = _process_for_staff(process_id)
    phase = _phase_of(process, phase_id)
    try:
        services.delete_phase(current_user, phase)
    except services.ProcessError as error:
        flash(str(error.message), "error")
    else:
        flash(_("The stage has been deleted."), "success")
    return redirect(url_for("processes.edit", process_id=process.id))


# --- categories --------------------------------------------------------------------------------


def _category_of(process: Process, category_id: int) -> ProcessCategory:
    category = db.get_or_404(ProcessCategory, category_id)
    if category.process_id != process.id:
        abort(404)
    return category


@bp.route("/admin/processes/<int:process_id>/categories/new", methods=["GET", "POST"])
@require("processes.manage")
def new_category(process_id: int):
    process = _process_for_staff(process_id)
    form = CategoryForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        services.add_category(current_user, process, name=form.name.data)
        flash(_("The category has been added."), "success")
        return redirect(url_for("processes.edit", process_id=process.id))
    status = 422 if request.method == "POST" else 200
    return render("processes/category_form.html", form=form, process=process, category=None, status=status)


@bp.route("/admin/processes/<int:process_id>/categories/<int:category_id>", methods=["GET", "POST"])
@require("processes.manage")
def edit_category(process_id: int, category_id: int):
    process = _process_for_staff(process_id)
    category = _category_of(process, category_id)
    form = CategoryForm(formdata=request.form if request.method == "POST" else None, obj=category)
    if request.method == "POST" and form.validate():
        services.update_category(current_user, category, name=form.name.data)
        flash(_("The category has been saved."), "success")
        return redirect(url_for("processes.edit", process_id=process.id))
    status = 422 if request.method == "POST" else 200
    return render("processes/category_form.html", form=form, process=process, category=category, status=status)


@bp.post("/admin/processes/<int:process_id>/categories/<int:category_id>/delete")
@require("processes.manage")
def delete_category(process_id: int, category_id: int):
    process = _process_for_staff(process_id)
    category = _category_of(process, category_id)
    services.delete_category(current_user, category)
    flash(_("The category has been deleted."), "success")
    return redirect(url_for("processes.edit", process_id=process.id))
