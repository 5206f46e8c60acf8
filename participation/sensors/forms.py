from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, Field, FileField, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from ..core.forms import CHOOSE_DISTRICT, DistrictField, LocalizedTextField, OptionalCountField
from . import dtpr
from .models import GROUND_LABELS, IDENTIFIABILITY_LABELS, KIND_LABELS, RECIPIENT_LABELS


class OptionalDateField(DateField):
    """A date in the city's calendar (YYYY-MM-DD) or empty."""

    def process_formdata(self, valuelist):
        value = " ".join(valuelist).strip() if valuelist else ""
        self.data = None
        if value:
            try:
                self.data = datetime.strptime(value, "%Y-%m-%d").date()  # noqa: DTZ007 (a calendar date)
            except ValueError:
                raise ValueError(_l("Enter a date like 2026-11-22.")) from None


class CoordinateField(Field):
    """A decimal degree between -``limit`` and ``limit``, or empty; messages in the reader's language."""

    widget = TextInput()

    def __init__(self, label=None, *, limit: float, message, **kwargs):
        super().__init__(label, **kwargs)
        self.limit = limit
        self.message = message

    def _value(self):
        return self.raw_data[0] if self.raw_data else ("" if self.data is None else f"{self.data:.6f}")

    def process_formdata(self, valuelist):
        value = " ".join(valuelist).strip() if valuelist else ""
        self.data = None
        if value:
            try:
                self.data = float(value)
            except ValueError:
                raise ValueError(self.message) from None
            if not -self.limit <= self.data <= self.limit:
                raise ValueError(self.message)


LATITUDE_MESSAGE = _l("The latitude must be a number between -90 and 90.")
LONGITUDE_MESSAGE = _l("The longitude must be a number between -180 and 180.")


def _optional(label, **kwargs) -> LocalizedTextField:
    return LocalizedTextField(label, required=False, **kwargs)


class DeviceForm(FlaskForm):
    name = LocalizedTextField(
        _l("Name"), max_length=150, description=_l("For example “Camera at the station's north exit”.")
    )
    kind = SelectField(
        _l("Kind of device"),
        choices=[SelectChoice("", "—")] + [SelectChoice(k, v) for k, v in KIND_LABELS.items()],
        validate_choice=False,
    )
    district_id = DistrictField(_l("District"), coerce=int, validate_choice=False, default=0)
    mobile = BooleanField(_l("Mobile device (no fixed place: describe the area instead)"))
    latitude = CoordinateField(_l("Latitude (optional for a draft)"), limit=90, message=LATITUDE_MESSAGE)
    longitude = CoordinateField(_l("Longitude (optional for a draft)"), limit=180, message=LONGITUDE_MESSAGE)
    address = _optional(_l("Address (optional for a draft)"), max_length=200)
    place = _optional(_l("Description of the place (optional for a draft)"), max_length=300)
    area = _optional(_l("Area covered by a mobile device (optional for a draft)"), max_length=300)
    organisation = _optional(_l("Accountable organisation (optional for a draft)"), max_length=200)
    contact = _optional(_l("Contact point (optional for a draft)"), max_length=300)
    purposes = _optional(
        _l("Purposes (optional for a draft)"),
        description=_l(
            "Specific purposes: what the device is for and what problem it addresses. A generic word is not enough."
        ),
        multiline=True,
        max_length=2000,
    )
    legal_basis = _optional(_l("Legal basis (optional for a draft)"), multiline=True, max_length=1000)
    captured = _optional(_l("What is captured (optional for a draft)"), multiline=True, max_length=1000)
    face_recognition = BooleanField(_l("Face recognition is used"))
    feature_extraction = BooleanField(_l("Features of people are extracted (for example age, gender, clothing)"))
    identifiability = SelectField(
        _l("Identifiability"),
        choices=[SelectChoice("", "—")] + [SelectChoice(k, v) for k, v in IDENTIFIABILITY_LABELS.items()],
        validate_choice=False,
    )
    kept = _optional(
        _l("What is kept (optional for a draft)"),
        description=_l("For example “images deleted at once, only counts and attributes kept”."),
        multiline=True,
        max_length=1000,
    )
    retention_days = OptionalCountField(
        _l("Retention period in days (optional for a draft)"),
        description=_l("Required for publication, unless the data is deleted at once."),
    )
    deleted_at_once = BooleanField(_l("Deleted at once (nothing is stored)"))
    access = _optional(_l("Who may access the data (optional for a draft)"), multiline=True, max_length=1000)
    third_party = BooleanField(_l("Data is provided to third parties, including the police"))
    third_party_grounds = _optional(
        _l("Grounds for provision to third parties (required when data is provided)"), multiline=True, max_length=1000
    )
    live_monitoring = BooleanField(_l("The images are watched live"))
    privacy_measures = _optional(
        _l("Privacy measures (optional for a draft)"),
        description=_l("For example masking of entrances, windows and balconies."),
        multiline=True,
        max_length=1000,
    )
    storage_location = _optional(_l("Storage location (optional for a draft)"), max_length=300)
    signage_on = OptionalDateField(_l("Signage installed on (optional)"))
    briefing_on = OptionalDateField(_l("Resident briefing held on (optional)"))
    active_since = OptionalDateField(_l("Active since (optional for a draft)"))
    active_until = OptionalDateField(_l("Active until (optional)"))
    rules = _optional(
        _l("Applicable rules (optional)"),
        description=_l("An ordinance, the camera-image guidebook, internal rules."),
        multiline=True,
        max_length=1000,
    )
    reason = _optional(
        _l("Reason for the change"),
        description=_l("Required once the device is published: shown to the public in the change history."),
        multiline=True,
        max_length=1000,
    )

    def validate_district_id(self, field):
        if not field.process_errors and field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(CHOOSE_DISTRICT)

    def validate_kind(self, field):
        if field.data not in KIND_LABELS:
            raise ValidationError(_l("Choose the kind of device from the list."))

    def validate_identifiability(self, field):
        if field.data and field.data not in IDENTIFIABILITY_LABELS:
            raise ValidationError(_l("Choose whether people can be identified from the list."))

    def validate_active_until(self, field):
        since = self.active_since.data
        if since is not None and field.data is not None and field.data < since:
            raise ValidationError(_l("“Active until” must be on or after “active since”."))

    def validate_deleted_at_once(self, field):
        if field.data and self.retention_days.data is not None:
            raise ValidationError(_l("Give either a number of days or “deleted at once”, not both."))


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (usable without JavaScript)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _dtpr_field(category: str) -> CheckboxesField:
    return CheckboxesField(
        dtpr.CATEGORY_LABELS[category],
        choices=[SelectChoice(key, label) for key, label in dtpr.VALUES[category].items()],
        validate_choice=True,
    )


for _category in dtpr.CHOSEN:
    setattr(DeviceForm, f"dtpr_{_category}", _dtpr_field(_category))
DTPR_FORM_FIELDS = tuple(f"dtpr_{category}" for category in dtpr.CHOSEN)


class ReleaseForm(FlaskForm):
    """One entry in the footage-release ledger; nothing personal."""

    released_on = OptionalDateField(_l("Date of the release"))
    devices = CheckboxesField(_l("Devices the footage came from"), coerce=int, validate_choice=False)
    ground = SelectField(
        _l("Ground"),
        choices=[SelectChoice("", "—")] + [SelectChoice(k, v) for k, v in GROUND_LABELS.items()],
        validate_choice=False,
    )
    recipient_type = SelectField(
        _l("Type of recipient"),
        choices=[SelectChoice("", "—")] + [SelectChoice(k, v) for k, v in RECIPIENT_LABELS.items()],
        validate_choice=False,
    )
    items = OptionalCountField(_l("Number of items (recordings) released"))
    correction_note = _optional(
        _l("What the correction changes (required for a correction; nothing personal)"),
        multiline=True,
        max_length=500,
    )


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"))
    publish = BooleanField(_l("Publish the imported devices at once"), default=True)
