from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from ..core.forms import multi_line, strip
from .models import DETAILS_MAX, KIND_LABELS, RESPONSE_MAX, TOPIC_LABELS, Kind


def normalise_email(value):
    return unicodedata.normalize("NFKC", value).strip().lower() if isinstance(value, str) else value


class RequestForm(FlaskForm):
    kind = RadioField(
        _l("What do you ask for?"),
        choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
        validators=[DataRequired(_l("Choose what you ask for."))],
    )
    topic = SelectField(
        _l("Topic of the complaint"),
        description=_l("Only for complaints."),
        choices=[SelectChoice("", _l("Choose a topic"))] + [SelectChoice(k, v) for k, v in TOPIC_LABELS.items()],
        validators=[Optional()],
    )
    about = HiddenField()
    details = TextAreaField(
        _l("Your request in detail"),
        description=_l("What data, which records or what happened. Do not include other people's personal data."),
        filters=[strip],
        validators=[
            DataRequired(_l("Describe your request.")),
            Length(max=DETAILS_MAX, message=_l("Use at most %(max)d characters.", max=DETAILS_MAX)),
            multi_line,
        ],
    )
    contact_email = EmailField(
        _l("Your e-mail address"),
        description=_l("We send the answer and a link to follow your request here. Needed only without an account."),
        filters=[normalise_email],
        validators=[
            Optional(),
            Length(max=254, message=_l("An e-mail address has at most 254 characters.")),
            Email(_l("Enter an e-mail address like name@example.jp."), check_deliverability=False),
        ],
    )

    def validate_topic(self, field):
        if self.kind.data == Kind.COMPLAINT.value and not field.data:
            raise ValidationError(_l("Choose the topic of your complaint."))
        if field.data and field.data not in TOPIC_LABELS:
            raise ValidationError(_l("Choose a topic from the list."))


class StaffActionForm(FlaskForm):
    response = TextAreaField(
        _l("Answer or reason"),
        description=_l("Sent to the requester. A decline must say why and how to object."),
        filters=[strip],
        validators=[
            Length(max=RESPONSE_MAX, message=_l("Use at most %(max)d characters.", max=RESPONSE_MAX)),
            multi_line,
        ],
    )
