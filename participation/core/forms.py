"""Form pieces every capability uses: the per-locale text field and common validators."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import DateField, Field, IntegerField, SelectField
from wtforms.validators import NumberRange, Optional, StopValidation, ValidationError
from wtforms.widgets import html_params

from .types import LocalizedText


def strip(value):
    return value.strip() if isinstance(value, str) else value


def has_invisible_characters(value: str, *, multiline: bool = False) -> bool:
    """Control and format characters (NUL, escape codes, bidi overrides, zero-width spaces);
    long texts may keep their line breaks and tabs."""
    allowed = "\n\r\t" if multiline else ""
    return any(unicodedata.category(ch) in ("Cc", "Cf") and ch not in allowed for ch in value)


def single_line(_form, field) -> None:
    """For names, titles and other one-line fields."""
    if isinstance(field.data, str) and has_invisible_characters(field.data):
        raise ValidationError(_l("Remove the line breaks and invisible characters from this text."))


def multi_line(_form, field) -> None:
    """For long texts: line breaks and tabs are fine, other invisible characters are not."""
    if isinstance(field.data, str) and has_invisible_characters(field.data, multiline=True):
        raise ValidationError(_l("Remove the invisible characters from this text."))


def clean_query(value: str | None, max_length: int = 100) -> str:
    """A search or filter value from the address bar, without invisible characters."""
    value = (value or "").strip()[:max_length]
    return "".join(ch for ch in value if unicodedata.category(ch) not in ("Cc", "Cf"))


class LocalizedTextField(Field):
    """One text per site locale (``<name>-ja``, ``<name>-en``...) held as a LocalizedText.

    ``required`` means at least one locale must be filled in; the first filled locale in the site's
    order becomes the original, which readers of other languages see marked as such.
    """

    def __init__(self, label=None, validators=None, *, required=True, multiline=False, max_length=200, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.required = required
        self.multiline = multiline
        self.max_length = max_length
        self.data: LocalizedText = LocalizedText()
        self.raw: dict[str, str] = {}

    @property
    def locales(self) -> list[str]:
        return list(current_app.config["LOCALES"])

    def process(self, formdata, data=None, extra_filters=None):
        self.process_errors = []
        if isinstance(data, LocalizedText):
            self.data = data
        elif isinstance(data, dict):
            self.data = LocalizedText(data)
        else:
            self.data = LocalizedText()
        self.raw = {locale: self.data.get(locale, "") for locale in self.locales}
        if formdata is not None and any(self.input_name(loc) in formdata for loc in self.locales):
            self.raw = {loc: formdata.get(self.input_name(loc), "") for loc in self.locales}
            previous = self.data.original if self.data else None
            self.data = LocalizedText(self.raw, previous)

    def input_name(self, locale: str) -> str:
        return f"{self.name}-{locale}"

    def input_id(self, locale: str) -> str:
        return f"{self.id}-{locale}"

    def pre_validate(self, form):
        if self.required and not self.data:
            raise StopValidation(_l("Enter this in at least one language."))
        for value in self.raw.values():
            if len(value.strip()) > self.max_length:
                raise StopValidation(_l("Keep each language version within %(max)d characters.", max=self.max_length))
            if has_invisible_characters(value, multiline=self.multiline):
                raise StopValidation(_l("Remove the line breaks and invisible characters from this text."))

    def input_params(self, locale: str, **extra) -> str:
        params = {"id": self.input_id(locale), "name": self.input_name(locale), "lang": locale}
        described = [f"{self.id}-hint"] if self.description else []
        if self.errors:
            described.append(f"{self.id}-error")
            params["aria-invalid"] = "true"
        if described:
            params["aria-describedby"] = " ".join(described)
        if not self.multiline:
            params["type"] = "text"
            params["value"] = self.raw.get(locale, "")
        params["maxlength"] = self.max_length
        params.update(extra)
        return html_params(**params)


# --- fields shared by the capabilities' forms ------------------------------------------------


class LocalDateField(DateField):
    """A date in the city's calendar (YYYY-MM-DD, as browsers send it), with messages in the
    reader's language."""

    def process_formdata(self, valuelist):
        value = " ".join(valuelist).strip()
        self.data = None
        if not value:
            raise ValueError(_l("Enter the date."))
        try:
            self.data = datetime.strptime(value, "%Y-%m-%d").date()  # noqa: DTZ007 (a calendar date)
        except ValueError:
            raise ValueError(_l("Enter a date like 2026-11-22.")) from None


class DistrictField(SelectField):
    """A district id, 0 meaning the whole city."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = int(valuelist[0])
        except ValueError:
            self.data = None
            raise ValueError(CHOOSE_DISTRICT) from None


CHOOSE_DISTRICT = _l("Choose a district from the list.")


class OptionalCountField(IntegerField):
    """A whole number of 1 or more, or empty for "no limit"; messages in the reader's language."""

    def __init__(self, label=None, **kwargs):
        validators = [Optional(), NumberRange(min=1, max=1_000_000, message=_l("Enter a whole number of 1 or more."))]
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        value = " ".join(valuelist).strip() if valuelist else ""
        self.data = None
        if value:
            try:
                self.data = int(value)
            except ValueError:
                raise ValueError(_l("Enter a whole number of 1 or more.")) from None
