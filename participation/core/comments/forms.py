"""Forms for comments. The templates render the fields by hand (one form per comment for replies
and edits), so these only parse and validate what was posted."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..forms import multi_line, strip
from .models import BODY_MAX, STANCE_LABELS


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Comment"),
        filters=[strip],
        validators=[
            DataRequired(_l("Write your comment.")),
            Length(max=BODY_MAX, message=_l("Keep your comment within %(max)d characters.", max=BODY_MAX)),
            multi_line,
        ],
    )
    stance = RadioField(
        _l("Your position"),
        choices=[SelectChoice(stance.value, label) for stance, label in STANCE_LABELS.items()],
        validate_choice=False,
    )
    parent_id = HiddenField()


class VoteForm(FlaskForm):
    value = HiddenField()
