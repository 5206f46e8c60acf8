from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, ValidationError

from ..core.forms import single_line, strip

PASSWORD_MIN = 8
PASSWORD_MAX = 128

# Passwords so common that attackers try them first; refusing them costs a resident little.
COMMON_PASSWORDS = frozenset(
    {
        "password",
        "password1",
        "12345678",
        "123456789",
        "1234567890",
        "qwertyui",
        "qwerty123",
        "11111111",
        "00000000",
        "abcd1234",
        "iloveyou",
        "passw0rd",
        "sunshine",
        "princess",
        "football",
        "baseball",
        "welcome1",
        "admin123",
        "letmein1",
        "asdfghjk",
        "zxcvbnm1",
    }
)


def normalise_email(value):
    # Full-width letters reach the same mailbox (ａ@example.jp is a@example.jp): compare one form.
    return unicodedata.normalize("NFKC", value).strip().lower() if isinstance(value, str) else value


def _email_field(label=None):
    return EmailField(
        label or _l("E-mail address"),
        filters=[normalise_email],
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Length(max=254, message=_l("An e-mail address has at most 254 characters.")),
            Email(_l("Enter an e-mail address like name@example.jp."), check_deliverability=False),
        ],
    )


def _display_name_field():
    return StringField(
        _l("Display name"),
        description=_l("Shown next to what you post. You can use a nickname."),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter a display name.")),
            Length(max=50, message=_l("A display name has at most %(max)d characters.", max=50)),
            single_line,
        ],
    )


def _new_password_fields(label=None, again=None):
    """The new password and its confirmation, declared where each form wants them in its order."""
    password = PasswordField(
        label or _l("Password"),
        description=_l("At least %(min)d characters. A few words you can remember work well.", min=PASSWORD_MIN),
        validators=[
            InputRequired(_l("Enter a password.")),
            Length(
                min=PASSWORD_MIN,
                max=PASSWORD_MAX,
                message=_l("Use between %(min)d and %(max)d characters.", min=PASSWORD_MIN, max=PASSWORD_MAX),
            ),
        ],
    )
    confirm = PasswordField(
        again or _l("Password (again)"),
        validators=[
            InputRequired(_l("Enter the password again.")),
            EqualTo("password", _l("The two passwords do not match.")),
        ],
    )
    return password, confirm


class NewPasswordChecks:
    def validate_password(self, field):
        if field.errors:  # too short or too long already: one message is enough
            return
        value = field.data or ""
        email = getattr(getattr(self, "email", None), "data", None) or ""
        if value.lower() in COMMON_PASSWORDS or len(set(value)) < 3:
            raise ValidationError(_l("This password is too easy to guess. Choose another."))
        if email and value.lower() == email.lower():
            raise ValidationError(_l("Do not use your e-mail address as your password."))


class RegisterForm(NewPasswordChecks, FlaskForm):
    display_name = _display_name_field()
    email = _email_field()
    password, password_confirm = _new_password_fields()
    accept_terms = BooleanField(
        _l("I have read and accept the terms of use"),
        validators=[DataRequired(_l("You can register only after accepting the terms of use."))],
    )


class LoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField(_l("Password"), validators=[InputRequired(_l("Enter your password."))])


class ForgotPasswordForm(FlaskForm):
    email = _email_field()


class ResetPasswordForm(NewPasswordChecks, FlaskForm):
    password, password_confirm = _new_password_fields(_l("New password"), _l("New password (again)"))


class ProfileForm(FlaskForm):
    display_name = _display_name_field()
    locale = SelectField(
        _l("Language"),
        description=_l("The language of pages and of the e-mail we send you."),
    )
    district_id = SelectField(
        _l("District you live in (optional)"),
        description=_l(
            "Used to show your district's consultations first and, only as totals, to see which "
            "districts take part. Never shown to other people."
        ),
        coerce=int,
    )
    age_group = SelectField(
        _l("Age group (optional)"),
        description=_l("Used only as totals, to see whether every generation takes part. Never shown to other people."),
    )


class ChangeEmailForm(FlaskForm):
    email = _email_field(_l("New e-mail address"))
    current_password = PasswordField(
        _l("Current password"), validators=[InputRequired(_l("Enter your current password."))]
    )


class ChangePasswordForm(NewPasswordChecks, FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[InputRequired(_l("Enter your current password."))]
    )
    password, password_confirm = _new_password_fields(_l("New password"), _l("New password (again)"))


class DeleteAccountForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[InputRequired(_l("Enter your current password."))]
    )
    confirm = BooleanField(
        _l("I understand that my account and personal data will be deleted and cannot be restored"),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )
