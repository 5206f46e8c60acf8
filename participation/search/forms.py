from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..core.forms import strip
from .synonyms import MAX_EXPRESSIONS, MAX_LENGTH


class SynonymForm(FlaskForm):
    terms = TextAreaField(
        _l("Expressions that mean the same thing, one per line"),
        description=_l("For example 防犯カメラ, 監視カメラ and 街頭カメラ, or プライバシー and privacy."),
        filters=[strip],
        validators=[DataRequired(_l("Enter at least two expressions.")), Length(max=3000)],
    )
    note = StringField(_l("Note for staff (optional)"), filters=[strip], validators=[Optional(), Length(max=500)])

    def validate_terms(self, field):
        lines = [line.strip() for line in (field.data or "").splitlines() if line.strip()]
        if len(set(lines)) < 2:
            raise ValidationError(_l("Enter at least two different expressions, one per line."))
        if len(lines) > MAX_EXPRESSIONS:
            raise ValidationError(_l("Enter at most %(max)s expressions.", max=MAX_EXPRESSIONS))
        if any(len(line) > MAX_LENGTH for line in lines):
            raise ValidationError(_l("Each expression can have at most %(max)s characters.", max=MAX_LENGTH))
        from .synonyms import _terms

        if sum(1 for line in set(lines) if _terms(line)) < 2:
            raise ValidationError(_l("At least two expressions must contain words or numbers."))
        field.data = "\n".join(dict.fromkeys(lines))
