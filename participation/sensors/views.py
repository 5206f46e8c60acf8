"""The register for everyone (/sensors) and its keeping by staff (/admin/sensors)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..core.forms import clean_query
from ..core.htmx import render
from ..core.i18n import localize
from ..core.models import District
from ..core.pagination import paginate
from ..core.permissions import can, require
from ..core.types import local_today
from ..extensions import db
from . import services
from .forms import DeviceForm
from .models import DISCLOSURE_FIELDS, FIELD_LABELS, IDENTIFIABILITY_LABELS, KIND_LABELS, Device, DeviceVersion

bp = Blueprint("sensors", __name__)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


def _districts() -> list[District]:
    return db.session.scalars(db.select(District).order_by(District.position, District.id)).all()


# --- public pages ------------------------------------------------------------------------------


def _listing(*, kind: str, organisation: str, district_id: int | None, text: str):
    """Published devices matching the filters, with their district loaded in the same query."""
    query = db.select(Device).where(Device.published_at.is_not(None)).options(db.joinedload(Device.district))
    if kind:
        query = query.where(Device.kind == kind)
    if organisation:
        query = query.where(Device.organisation_key == organisation)
    if district_id is not None:
        query = query.where(Device.district_id == district_id)
    if text:
        query = query.where(Device.search_text.like(f"%{_escape_like(text.lower())}%", escape="\\"))
    return query.order_by(Device.kind, Device.id)


@bp.get("/sensors")
def index():
    kind = request.args.get("kind", "")
    if kind and kind not in KIND_LABELS:
        kind = ""
    filters = {
        "kind": kind,
        "organisation": clean_query(request.args.get("organisation"), 200),
        "district_id": _int_arg("district"),
        "text": clean_query(request.args.get("q")),
    }
    pagination = paginate(_listing(**filters))
    organisations = db.session.scalars(
        db.select(Device.organisation_key)
        .where(Device.published_at.is_not(None), Device.organisation_key.is_not(None))
        .distinct()
        .order_by(Device.organisation_key)
    ).all()
    return render(
        "sensors/index.html",
        "sensors/_list.html",
        pagination=pagination,
        filters=filters,
        kinds=KIND_LABELS,
        organisations=organisations,
        districts=_districts(),
        today=local_today(),
    )


def _load_device(device_id: int) -> Device:
    device = db.get_or_404(Device, device_id)
    if not can("sensors.view", device):
        abort(404)  # drafts do not exist for the public
    return device


@bp.get("/sensors/<int:device_id>")
def show(device_id: int):
    device = _load_device(device_id)
    versions = db.session.scalars(
        db.select(DeviceVersion).where(DeviceVersion.device_id == device.id).order_by(DeviceVersion.number.desc())
    ).all()
    return render(
        "sensors/show.html",
        device=device,
        versions=versions,
        today=local_today(),
        kinds=KIND_LABELS,
        identifiability=IDENTIFIABILITY_LABELS,
        labels=FIELD_LABELS,
    )


# --- management --------------------------------------------------------------------------------


def _device_form(formdata=None, device: Device | None = None) -> DeviceForm:
    form = DeviceForm(formdata=formdata, obj=device)
    form.district_id.choices = [SelectChoice(0, _("The whole city"))] + [
        SelectChoice(d.id, localize(d.name).text) for d in _districts()
    ]
    if formdata is None:
        form.district_id.data = (device.district_id if device else None) or 0
        form.reason.process(None)
    return form


def _device_fields(form: DeviceForm) -> dict:
    fields = {name: getattr(form, name).data for name in DISCLOSURE_FIELDS}
    fields["district_id"] = fields["district_id"] or None
    fields["identifiability"] = fields["identifiability"] or None
    return fields


def _problem_lines(error: services.SensorError) -> list[str]:
    lines = [str(error.message)]
    lines += [f"{FIELD_LABELS[name]}: {message}" for name, message in error.problems]
    return lines


@bp.get("/admin/sensors")
@require("sensors.manage")
def manage():
    today = local_today()
    query = (
        db.select(Device)
        .options(db.joinedload(Device.district))
        .order_by(Device.published_at.is_(None).desc(), Device.updated_at.desc(), Device.id.desc())
    )
    pagination = paginate(query)
    renewal = db.session.scalars(
        db.select(Device)
        .where(Device.published_at.is_not(None), Device.active_until < today)
        .order_by(Device.active_until, Device.id)
    ).all()
    return render(
        "sensors/manage.html",
        "sensors/_manage_table.html",
        pagination=pagination,
        renewal=renewal,
        today=today,
    )


def _form_page(form: DeviceForm, device: Device | None, problems: list[str] | None = None, status: int | None = None):
    if status is None:
        status = 422 if request.method == "POST" else 200
    return render(
        "sensors/form.html",
        form=form,
        device=device,
        problems=problems or [],
        today=local_today(),
        status=status,
    )


@bp.route("/admin/sensors/new", methods=["GET", "POST"])
@require("sensors.manage")
def new():
    form = _device_form(request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        try:
            device = services.create_device(current_user, **_device_fields(form))
        except services.SensorError as error:
            form.form_errors.extend(_problem_lines(error))
        else:
            flash(_("The device has been saved as a draft. Complete it, then publish it."), "success")
            return redirect(url_for("sensors.edit", device_id=device.id))
    return _form_page(form, None)


@bp.route("/admin/sensors/<int:device_id>", methods=["GET", "POST"])
@require("sensors.manage")
def edit(device_id: int):
    device = db.get_or_404(Device, device_id)
    form = _device_form(request.form if request.method == "POST" else None, device)
    if request.method == "POST" and form.validate():
        try:
            services.update_device(current_user, device, reason=form.reason.data or None, **_device_fields(form))
        except services.SensorError as error:
            form.form_errors.extend(_problem_lines(error))
        else:
            if device.is_published:
                flash(_("The change has been published as a new version."), "success")
            else:
                flash(_("The draft has been saved."), "success")
            return redirect(url_for("sensors.edit", device_id=device.id))
    return _form_page(form, device)


@bp.post("/admin/sensors/<int:device_id>/publish")
@require("sensors.manage")
def publish(device_id: int):
    device = db.get_or_404(Device, device_id)
    try:
        if services.publish(current_user, device):
            flash(_("The device is now in the public register."), "success")
    except services.SensorError as error:
        return _form_page(_device_form(None, device), device, _problem_lines(error), status=422)
    return redirect(url_for("sensors.edit", device_id=device.id))
