from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField

from ..core.forms import LocalizedTextField
from .models import BODY_MAX, CONCLUSION_MAX, TITLE_MAX


class ThreadForm(FlaskForm):
    title = LocalizedTextField(
        _l("Question"), max_length=TITLE_MAX, description=_l("The question to discuss, in one sentence.")
    )
    body = LocalizedTextField(
        _l("Background"),
        multiline=True,
        max_length=BODY_MAX,
        description=_l("What participants need to know to discuss it. You can use Markdown."),
    )
    asks_stance = BooleanField(_l("Ask commenters whether they are for, against or neutral"))


class CloseForm(FlaskForm):
    conclusion = LocalizedTextField(
        _l("Conclusion"),
        multiline=True,
        max_length=CONCLUSION_MAX,
        description=_l("What the discussion concluded, shown at the top of the thread. You can use Markdown."),
    )
