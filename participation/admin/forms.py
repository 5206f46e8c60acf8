from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, Length, Optional

from ..core.forms import LocalizedTextField, single_line, strip


class RoleChangeForm(FlaskForm):
    role = SelectField(_l("Role"))
    change = SelectField(
        _l("Change"), choices=[SelectChoice("grant", _l("Grant")), SelectChoice("revoke", _l("Remove"))]
    )


class OrganizationForm(FlaskForm):
    name = LocalizedTextField(_l("Name of the city or organisation"), max_length=100)
    description = LocalizedTextField(
        _l("Introduction shown on the home page (optional)"), required=False, multiline=True, max_length=2000
    )
    contact_email = EmailField(
        _l("Contact e-mail address (optional)"),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=254),
            Email(_l("Enter an e-mail address like name@example.jp."), check_deliverability=False),
        ],
    )
    contact_phone = StringField(
        _l("Contact telephone number (optional)"),
        filters=[strip],
        validators=[Optional(), Length(max=40, message=_l("At most %(max)d characters.", max=40)), single_line],
    )
