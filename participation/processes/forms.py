from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import ValidationError

from ..core.forms import CHOOSE_DISTRICT, DistrictField, LocalDateField, LocalizedTextField


class ProcessForm(FlaskForm):
    """The consultation's own fields; the views add every component's settings
    (core.component_fields.with_settings)."""

    title = LocalizedTextField(_l("Title"), max_length=150)
    summary = LocalizedTextField(
        _l("Summary"),
        description=_l("One or two sentences shown in the list of consultations."),
        multiline=True,
        max_length=500,
    )
    description = LocalizedTextField(
        _l("Description (optional)"),
        description=_l("Background, what the city wants to hear about, and how the results will be used. Markdown."),
        required=False,
        multiline=True,
        max_length=10000,
    )
    district_id = DistrictField(_l("District"), coerce=int, validate_choice=False, default=0)

    def validate_district_id(self, field):
        if not field.process_errors and field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(CHOOSE_DISTRICT)


class PhaseForm(FlaskForm):
    """The stage's own fields; the views add every component's stage switches
    (core.component_fields.with_switches)."""

    title = LocalizedTextField(_l("Name of the stage"), max_length=100)
    starts_on = LocalDateField(_l("First day"))
    ends_on = LocalDateField(_l("Last day"), description=_l("The stage includes this day."))

    def validate_ends_on(self, field):
        if isinstance(self.starts_on.data, date) and field.data is not None and field.data < self.starts_on.data:
            raise ValidationError(_l("The end date must be on or after the start date."))


class CategoryForm(FlaskForm):
    name = LocalizedTextField(_l("Category name"), max_length=100)
