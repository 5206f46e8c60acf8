from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..core.forms import multi_line, single_line, strip
from .models import BODY_MAX, PLACE_MAX, TITLE_MAX


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
