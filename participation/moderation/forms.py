from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from ..core.forms import multi_line, strip
from ..core.moderation.models import DETAILS_MAX, REASON_LABELS, REASON_MAX


class ReportForm(FlaskForm):
    reason = RadioField(
        _l("Why are you reporting this?"),
        choices=[SelectChoice(reason.value, label) for reason, label in REASON_LABELS.items()],
        validators=[
            DataRequired(_l("Choose a reason from the list.")),
            AnyOf([reason.value for reason in REASON_LABELS], message=_l("Choose a reason from the list.")),
        ],
        validate_choice=False,  # AnyOf says it in the reader's language
    )
    details = TextAreaField(
        _l("Details (optional)"),
        filters=[strip],
        validators=[Optional(), Length(max=DETAILS_MAX, message=_l("The details are too long.")), multi_line],
        description=_l("What should the moderators know? Do not repeat the personal information itself."),
    )


class DecisionForm(FlaskForm):
    """Hide, restore, block, unblock: the reason is required (dismiss uses it optionally)."""

    reason = TextAreaField(
        _l("Reason"),
        filters=[strip],
        validators=[Optional(), Length(max=REASON_MAX, message=_l("The reason is too long.")), multi_line],
    )
