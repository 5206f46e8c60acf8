"""The register for everyone (/sensors) and its keeping by staff (/admin/sensors)."""

from __future__ import annotations

import json

import segno
from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from ..core import csvfile
from ..core.forms import clean_query
from ..core.htmx import render
from ..core.i18n import localize
from ..core.models import District
from ..core.pagination import paginate
from ..core.permissions import can, require
from ..core.searchable import matching_ids
from ..core.types import local_today
from ..extensions import db
from . import dtpr, ledger, opendata, services
from .forms import DTPR_FORM_FIELDS, DeviceForm, ImportForm, ReleaseForm
from .models import (
    DISCLOSURE_FIELDS,
    FIELD_LABELS,
    GROUND_LABELS,
    IDENTIFIABILITY_LABELS,
    KIND_LABELS,
    RECIPIENT_LABELS,
    Device,
    DeviceVersion,
    FootageRelease,
)

bp = Blueprint("sensors", __name__)


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


def _districts() -> list[District]:
    return db.session.scalars(db.select(District).order_by(District.position, District.id)).all()


# --- public pages ------------------------------------------------------------------------------


def _listing(*, kind: str, purpose: str, organisation: str, district_id: int | None, text: str, columns=None):
    """Published devices matching the filters, with their district loaded in the same query; or
    only the given ``columns`` (the GeoJSON needs no objects)."""
    query = db.select(Device).options(db.joinedload(Device.district)) if columns is None else db.select(*columns)
    query = query.where(Device.published_at.is_not(None))
    if purpose:
        query = query.where(Device.purpose_keys.like(f"% {purpose} %"))
    if kind:
        query = query.where(Device.kind == kind)
    if organisation:
        query = query.where(Device.organisation_key == organisation)
    if district_id is not None:
        query = query.where(Device.district_id == district_id)
    if text:  # the site's search (variants, readings, synonyms); ignored if search is left out
        ids = matching_ids("sensor", text)
        if ids is not None:
            query = query.where(Device.id.in_(ids))
    return query.order_by(Device.kind, Device.id)


def _filters() -> dict:
    kind = request.args.get("kind", "")
    purpose = request.args.get("purpose", "")
    return {
        "kind": kind if kind in KIND_LABELS else "",
        "purpose": purpose if purpose in dtpr.VALUES["purpose"] else "",
        "organisation": clean_query(request.args.get("organisation"), 200),
        "district_id": _int_arg("district"),
        "text": clean_query(request.args.get("q")),
    }


@bp.get("/sensors")
def index():
    filters = _filters()
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
        purposes=dtpr.VALUES["purpose"],
        today=local_today(),
        tile_url=current_app.config["SENSORS_TILE_URL"],
        tile_attribution=current_app.config["SENSORS_TILE_ATTRIBUTION"],
    )


@bp.get("/sensors.geojson")
def geojson():
    """Published fixed devices as GeoJSON, with the list's filters; one query whatever the size."""
    rows = db.session.execute(
        _listing(**_filters(), columns=opendata.GEOJSON_COLUMNS).where(
            Device.latitude.is_not(None), Device.longitude.is_not(None)
        )
    ).all()
    # One url_for, not one per device: thousands of calls would dominate the response time.
    prefix = url_for("sensors.show", device_id=0)[:-1]
    body = opendata.geojson(rows, lambda row: f"{prefix}{row.id}")
    response = current_app.response_class(json.dumps(body, ensure_ascii=False), mimetype="application/geo+json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/sensors.csv")
def export_csv():
    header, rows = opendata.csv_table(opendata.published_query())
    return csvfile.response("sensors.csv", header, rows, headers={"Access-Control-Allow-Origin": "*"})


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
        dtpr_rows=dtpr.labelled(device),
    )


def _qr_svg(url: str) -> Markup:
    # segno writes an <svg> with presentation attributes only (no inline style), so the CSP holds.
    return Markup(segno.make(url, error="m").svg_inline(scale=4, dark="#000", omitsize=True))  # noqa: S704


@bp.get("/sensors/<int:device_id>/signage")
def signage(device_id: int):
    """A printable A4 notice and a small sticker, each with a QR code to the device page."""
    device = _load_device(device_id)
    page_url = url_for("sensors.show", device_id=device.id, _external=True)
    return render(
        "sensors/signage.html",
        device=device,
        page_url=page_url,
        qr=_qr_svg(page_url),
        dtpr_rows=dtpr.labelled(device),
        identifiability=IDENTIFIABILITY_LABELS,
        today=local_today(),
    )


# --- footage-release ledger and yearly report ---------------------------------------------------


@bp.get("/sensors/releases")
def releases():
    pagination = paginate(ledger.ledger_query())
    corrections = ledger.corrected_ids([release.id for release in pagination.items])
    return render(
        "sensors/releases.html",
        pagination=pagination,
        corrections=corrections,
        current_year=ledger.fiscal_year_of(local_today()),
    )


@bp.get("/sensors/reports")
def reports():
    return redirect(url_for("sensors.report", year=ledger.fiscal_year_of(local_today())))


@bp.get("/sensors/reports/<int:year>")
def report(year: int):
    if not 2000 <= year <= 2100:
        abort(404)
    figures = ledger.yearly_report(year)
    districts = {d.id: d for d in _districts()}
    return render(
        "sensors/report.html",
        figures=figures,
        districts=districts,
        kinds=KIND_LABELS,
        grounds=GROUND_LABELS,
        recipients=RECIPIENT_LABELS,
        current_year=ledger.fiscal_year_of(local_today()),
    )


# --- management --------------------------------------------------------------------------------


def _device_form(formdata=None, device: Device | None = None) -> DeviceForm:
    form = DeviceForm(formdata=formdata, obj=device)
    form.district_id.choices = [SelectChoice(0, _("The whole city"))] + [
        SelectChoice(d.id, localize(d.name).text) for d in _districts()
    ]
    if formdata is None:
        form.district_id.data = (device.district_id if device else None) or 0
        for category in dtpr.CHOSEN:
            getattr(form, f"dtpr_{category}").data = list(((device.dtpr or {}) if device else {}).get(category, []))
        form.reason.process(None)
    return form


def _device_fields(form: DeviceForm) -> dict:
    fields = {name: getattr(form, name).data for name in DISCLOSURE_FIELDS if name != "dtpr"}
    fields["dtpr"] = {category: getattr(form, f"dtpr_{category}").data or [] for category in dtpr.CHOSEN}
    fields["district_id"] = fields["district_id"] or None
    fields["identifiability"] = fields["identifiability"] or None
    return fields


def _problem_lines(error: services.SensorError) -> list[str]:
    lines = [str(error.message)]
    lines += [f"{FIELD_LABELS.get(name, name)}: {message}" for name, message in error.problems]
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
        dtpr_fields=DTPR_FORM_FIELDS,
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


def _release_form(formdata=None) -> ReleaseForm:
    form = ReleaseForm(formdata=formdata)
    devices = db.session.execute(
        db.select(Device.id, Device.name).where(Device.published_at.is_not(None)).order_by(Device.id)
    ).all()
    form.devices.choices = [
        SelectChoice(device_id, f"#{device_id} {localize(name).text}") for device_id, name in devices
    ]
    return form


@bp.route("/admin/sensors/releases/new", methods=["GET", "POST"])
@require("sensors.manage")
def new_release():
    corrects = None
    corrects_id = _int_arg("corrects") or (
        int(request.form["corrects"]) if request.form.get("corrects", "").isdigit() else None
    )
    if corrects_id is not None:
        corrects = db.get_or_404(FootageRelease, corrects_id)
    form = _release_form(request.form if request.method == "POST" else None)
    if request.method == "GET" and corrects is not None:
        form.released_on.data = corrects.released_on
        form.devices.data = [device.id for device in corrects.devices]
        form.ground.data = corrects.ground
        form.recipient_type.data = corrects.recipient_type
        form.items.data = corrects.items
    if request.method == "POST" and form.validate():
        try:
            ledger.record_release(
                current_user,
                released_on=form.released_on.data,
                device_ids=form.devices.data or [],
                ground=form.ground.data,
                recipient_type=form.recipient_type.data,
                items=form.items.data,
                corrects=corrects,
                correction_note=form.correction_note.data or None,
            )
        except services.SensorError as error:
            form.form_errors.append(str(error.message))
        else:
            flash(_("The release has been recorded in the public ledger."), "success")
            return redirect(url_for("sensors.releases"))
    return render(
        "sensors/release_form.html",
        form=form,
        corrects=corrects,
        status=422 if request.method == "POST" else 200,
    )


@bp.route("/admin/sensors/import", methods=["GET", "POST"])
@require("sensors.manage")
def import_devices():
    form = ImportForm()
    problems = []
    if request.method == "POST" and form.validate():
        upload = request.files.get("file")
        data = upload.read() if upload else b""
        try:
            devices = opendata.import_csv(current_user, data, publish=form.publish.data)
        except opendata.ImportRefused as refused:
            problems = refused.problems
        else:
            flash(
                ngettext("%(num)s device has been imported.", "%(num)s devices have been imported.", len(devices)),
                "success",
            )
            return redirect(url_for("sensors.manage"))
    return render(
        "sensors/import.html",
        form=form,
        problems=problems,
        columns=opendata.columns(),
        status=422 if request.method == "POST" else 200,
    )
