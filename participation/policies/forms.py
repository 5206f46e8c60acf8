from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from ..core.forms import LocalDateField, LocalizedTextField, OptionalCountField, multi_line, single_line, strip
from .models import BASIS_LABELS, CONSENT_KIND_LABELS, FIELD_LABELS, SCOPE_LABELS, TRIGGER_LABELS

CHOOSE = _l("Choose an option from the list.")


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(key, label) for key, label in labels.items()]


def _text(name: str, **kwargs) -> LocalizedTextField:
    return LocalizedTextField(FIELD_LABELS[name], required=False, multiline=True, max_length=5000, **kwargs)


class VersionForm(FlaskForm):
    title = LocalizedTextField(FIELD_LABELS["title"], max_length=200)
    purposes = _text("purposes", description=_l("In plain words: what the data is used for, and why."))
    data_items = _text("data_items", description=_l("Each item and where it comes from."))
    legal_basis = _text("legal_basis")
    retention = _text("retention", description=_l("How long each item is kept, and what happens after."))
    recipients = _text("recipients")
    transfers_abroad = _text("transfers_abroad", description=_l("Where data goes outside Japan, or “none”."))
    security = _text("security")
    contact = _text("contact")
    complaints = _text("complaints")


class PolicyForm(VersionForm):
    scope = SelectField(
        _l("Scope"),
        choices=_choices(SCOPE_LABELS),
        validators=[InputRequired(CHOOSE)],
    )


class CoverageForm(FlaskForm):
    resources = SelectMultipleField(
        _l("Devices and consultations this policy covers"), choices=[], validate_choice=False
    )


class ConsultationForm(FlaskForm):
    until = LocalDateField(_l("Comments accepted until"))


class AdoptForm(FlaskForm):
    trigger = SelectField(
        _l("What triggered this revision"),
        choices=[SelectChoice("", _l("Choose…"))] + _choices(TRIGGER_LABELS),
        validators=[Optional()],
    )
    summary = LocalizedTextField(FIELD_LABELS["summary"], required=False, multiline=True, max_length=2000)


class ConsentItemForm(FlaskForm):
    purpose_key = StringField(
        _l("Purpose key"),
        filters=[strip],
        validators=[InputRequired(_l("Enter the key.")), Length(max=60), single_line],
        description=_l("A short code such as “mobility.lab-logs”, kept across versions."),
    )
    kind = SelectField(_l("Why consent is needed"), choices=_choices(CONSENT_KIND_LABELS))
    label = LocalizedTextField(_l("Purpose"), max_length=200)
    description = LocalizedTextField(_l("Explanation"), required=False, multiline=True, max_length=2000)
    recipient = StringField(
        _l("Recipient key (optional)"),
        filters=[strip],
        validators=[Optional(), Length(max=60), single_line],
        description=_l("Only when consent is asked for one recipient, e.g. “midori-university”."),
    )
    recipient_name = LocalizedTextField(_l("Recipient name"), required=False, max_length=200)
    widens = BooleanField(_l("This version widens the purpose: ask everyone again"))


class ProvisionForm(FlaskForm):
    recipient = StringField(
        _l("Recipient"),
        filters=[strip],
        validators=[InputRequired(_l("Enter the recipient of the data.")), Length(max=200), single_line],
    )
    data_items = TextAreaField(
        _l("Data items provided"),
        filters=[strip],
        validators=[InputRequired(_l("List the data items provided.")), Length(max=5000), multi_line],
    )
    provided_on = LocalDateField(_l("Date of provision"))
    basis = SelectField(_l("Basis"), choices=_choices(BASIS_LABELS))
    basis_note = TextAreaField(
        _l("Note on the basis (optional)"), filters=[strip], validators=[Length(max=2000), multi_line]
    )
    subjects = OptionalCountField(_l("Number of people whose data was provided (optional)"))
    policy_id = SelectField(_l("Policy (optional)"), choices=[], coerce=int, validate_choice=False)
