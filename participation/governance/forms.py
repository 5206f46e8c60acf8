from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FloatField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.forms import LocalDateField, LocalizedTextField, single_line, strip
from .catalog import (
    BOARD_DECISION_LABELS,
    DATA_TYPE_LABELS,
    DIRECTION_LABELS,
    FREQUENCY_LABELS,
    INVOLVEMENT_LABELS,
    KPI_KIND_LABELS,
    KPI_LEVEL_LABELS,
    LEVEL_LABELS,
    LIFECYCLE_LABELS,
    LOOP_TARGETS,
    RELATION_LABELS,
    STAGE_LABELS,
    TRIGGER_LABELS,
    VIEWPOINT_LABELS,
)
from .services import FIELD_NAMES

CHOOSE = _l("Choose an option from the list.")
NUMBER = _l("Enter a number.")


def _choices(labels: dict, blank: bool = False) -> list[SelectChoice]:
    return ([SelectChoice("", "—")] if blank else []) + [SelectChoice(k, v) for k, v in labels.items()]


def _select(label, labels: dict, blank: bool = False) -> SelectField:
    return SelectField(label, choices=_choices(labels, blank), validators=[InputRequired(CHOOSE)] if not blank else [])


def _long(label, required=False, **kwargs) -> LocalizedTextField:
    return LocalizedTextField(label, required=required, multiline=True, max_length=3000, **kwargs)


class Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProjectForm(FlaskForm):
    title = LocalizedTextField(_l("Title"), max_length=200)
    goals = _long(FIELD_NAMES["goals"])
    activities = _long(FIELD_NAMES["activities"])
    implementing_body = LocalizedTextField(FIELD_NAMES["implementing_body"], required=False, max_length=200)
    stakeholder_summary = _long(FIELD_NAMES["stakeholder_summary"])
    promotion_policy = _long(FIELD_NAMES["promotion_policy"])
    schedule = _long(FIELD_NAMES["schedule"])
    service_benefit = _long(FIELD_NAMES["service_benefit"])
    architecture = _long(FIELD_NAMES["architecture"])
    business_model = _long(FIELD_NAMES["business_model"])
    data_types = Checkboxes(
        _l("Data the project uses"),
        choices=_choices(DATA_TYPE_LABELS),
        description=_l("The laws and guidelines that concern these data are added to the project for a note."),
    )


def _signer_field() -> StringField:
    return StringField(
        _l("Signed off by (name or title)"),
        filters=[strip],
        validators=[InputRequired(_l("Name the person who signs off this step (name or title).")), Length(max=120)],
    )


class AdvanceForm(FlaskForm):
    to_stage = SelectField(_l("Next stage"), choices=_choices(STAGE_LABELS), validators=[InputRequired(CHOOSE)])
    signed_off_by = _signer_field()


class LoopBackForm(FlaskForm):
    to_stage = SelectField(
        _l("Return to"),
        choices=[SelectChoice(code, STAGE_LABELS[code]) for code in LOOP_TARGETS],
        validators=[InputRequired(CHOOSE)],
    )
    trigger = _select(_l("Trigger"), TRIGGER_LABELS)
    reason = _long(_l("Reason"), required=True)
    signed_off_by = _signer_field()


class StakeholderForm(FlaskForm):
    name = LocalizedTextField(_l("Name"), max_length=200)
    is_organisation = BooleanField(_l("An organisation (shown to the public; people are never shown)"), default=True)
    relation = _select(_l("Relationship"), RELATION_LABELS)
    benefit = _long(_l("Benefit and uncertainty for this stakeholder"))
    impact = _select(_l("Impact on the business"), LEVEL_LABELS)
    uncertainty = _select(_l("Uncertainty (possible negative effect on them)"), LEVEL_LABELS)
    involvement = _select(_l("Involvement method"), INVOLVEMENT_LABELS)
    involved_through = SelectMultipleField(_l("Involved through (optional)"), choices=[], validate_choice=False)


class LawForm(FlaskForm):
    law_id = SelectField(_l("Law or guideline"), choices=[], coerce=int, validate_choice=False)


class LawNoteForm(FlaskForm):
    note = _long(_l("How the project meets it"))


class RiskForm(FlaskForm):
    lifecycle = _select(_l("Lifecycle stage"), LIFECYCLE_LABELS)
    viewpoint = _select(_l("Viewpoint"), VIEWPOINT_LABELS)
    likelihood = _select(_l("Likelihood"), LEVEL_LABELS)
    severity = _select(_l("Severity"), LEVEL_LABELS)
    measures = _long(_l("Measures"))
    residual = SelectField(_l("Residual risk (optional)"), choices=_choices(LEVEL_LABELS, blank=True))


class RuleForm(FlaskForm):
    title = LocalizedTextField(_l("Title"), max_length=200)
    body = _long(_l("Rule"), required=True)
    burden = _long(
        _l("Burden"),
        required=True,
        description=_l("The effort the rule asks of residents, operators and staff: a rule must not be excessive."),
    )
    targets = SelectMultipleField(_l("Policies and devices it governs (optional)"), choices=[], validate_choice=False)


class BoardForm(FlaskForm):
    reviewers = TextAreaField(
        _l("Reviewers (one per line)"),
        filters=[strip],
        validators=[InputRequired(_l("Name the board members who reviewed the rules (one per line).")), Length(2000)],
    )
    decision = _select(_l("Decision"), BOARD_DECISION_LABELS)
    opinion = _long(_l("Opinion"), required=True)
    decided_on = LocalDateField(_l("Date of the decision"))


class KpiForm(FlaskForm):
    kind = _select(_l("Kind"), KPI_KIND_LABELS)
    indicator = LocalizedTextField(_l("Indicator"), max_length=200)
    level = _select(_l("Outcome or output"), KPI_LEVEL_LABELS)
    unit = StringField(
        _l("Unit"), filters=[strip], validators=[InputRequired(_l("Enter the unit.")), Length(max=40), single_line]
    )
    direction = _select(_l("Direction"), DIRECTION_LABELS)
    baseline_value = FloatField(_l("Baseline value"), validators=[InputRequired(NUMBER)])
    baseline_on = LocalDateField(_l("Baseline date"))
    target_value = FloatField(_l("Target value"), validators=[InputRequired(NUMBER)])
    target_on = LocalDateField(_l("Target date"))
    source = LocalizedTextField(_l("Source of the figures"), max_length=300)
    frequency = _select(_l("Frequency"), FREQUENCY_LABELS)
    framework_ref = StringField(
        _l("Reference in an indicator framework (optional)"),
        filters=[strip],
        validators=[Optional(), Length(max=120), single_line],
        description=_l("For example a Liveable Well-Being City indicator."),
    )


class MeasurementForm(FlaskForm):
    measured_on = LocalDateField(_l("Date"))
    value = FloatField(_l("Value"), validators=[InputRequired(NUMBER)])


class NoteForm(FlaskForm):
    """Only the CSRF token: for buttons (publish, remove)."""
