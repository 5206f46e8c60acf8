from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..core.forms import LocalDateField, LocalizedTextField, multi_line, single_line, strip
from .models import ANSWER_LABELS, ANSWER_MAX, BODY_MAX, COST_MAX, PLACE_MAX, TITLE_MAX, UPDATE_MAX, AnswerState


class ChoiceIdField(SelectField):
    """An id from a list, 0 meaning none; anything else is refused with a message, not an error page."""

    def __init__(self, label=None, message=None, **kwargs):
        super().__init__(label, coerce=int, validate_choice=False, default=0, **kwargs)
        self.message = message

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = int(valuelist[0] or 0)
        except ValueError:
            self.data = None
            raise ValueError(self.message) from None

    def pre_validate(self, form):
        if not self.process_errors and self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(self.message)


def _too_long(limit: int):
    return Length(max=limit, message=_l("Keep this within %(max)d characters.", max=limit))


class ProposalForm(FlaskForm):
    title = StringField(
        _l("Title"),
        filters=[strip],
        validators=[DataRequired(_l("Enter a title.")), _too_long(TITLE_MAX), single_line],
        description=_l("A short sentence that says what you propose."),
    )
    body = TextAreaField(
        _l("Your proposal"),
        filters=[strip],
        validators=[DataRequired(_l("Describe your proposal.")), _too_long(BODY_MAX), multi_line],
        description=_l("What should change, why, and who would benefit. You can use Markdown."),
    )
    category_id = ChoiceIdField(_l("Category (optional)"), message=_l("Choose a category from the list."))
    district_id = ChoiceIdField(_l("District (optional)"), message=_l("Choose a district from the list."))
    place = StringField(
        _l("Place (optional)"),
        filters=[strip],
        validators=[Optional(), _too_long(PLACE_MAX), single_line],
        description=_l("An address or a landmark, e.g. the north entrance of Sakuradai Park."),
    )


class WholeNumberField(IntegerField):
    """A whole number typed by staff (commas and full-width digits accepted), with the field's
    message in the reader's language when it is not one."""

    def __init__(self, label=None, validators=None, message=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.message = message

    def process_formdata(self, valuelist):
        value = " ".join(valuelist).strip() if valuelist else ""
        value = value.translate(str.maketrans("０１２３４５６７８９", "0123456789")).replace(",", "").replace("，", "")
        self.data = None
        if value:
            try:
                self.data = int(value)
            except ValueError:
                raise ValueError(self.message) from None


COST_MESSAGE = _l("Enter the cost in yen as a whole number of 0 or more.")
PROGRESS_MESSAGE = _l("Enter the progress as a whole number from 0 to 100.")


class AnswerForm(FlaskForm):
    state = SelectField(
        _l("State"),
        choices=[SelectChoice(state.value, label) for state, label in ANSWER_LABELS.items()],
        validate_choice=False,
    )
    text = LocalizedTextField(
        _l("Answer"),
        multiline=True,
        max_length=ANSWER_MAX,
        description=_l("The city's answer, published as written. You can use Markdown."),
    )
    cost = WholeNumberField(
        _l("Estimated cost in yen (optional)"),
        validators=[Optional(), NumberRange(min=0, max=COST_MAX, message=COST_MESSAGE)],
        message=COST_MESSAGE,
    )

    def validate_state(self, field):
        if field.data not in {state.value for state in AnswerState}:
            raise ValidationError(_l("Choose a state from the list."))


class ProgressForm(FlaskForm):
    on = LocalDateField(_l("Date"))
    progress = WholeNumberField(
        _l("Progress after this update (%)"),
        validators=[NumberRange(min=0, max=100, message=PROGRESS_MESSAGE)],
        message=PROGRESS_MESSAGE,
    )
    text = LocalizedTextField(
        _l("What was done"),
        multiline=True,
        max_length=UPDATE_MAX,
        description=_l("Published in the proposal's implementation record. You can use Markdown."),
    )
