"""Side-by-side differences between two policy versions, field by field, in the reader's language.

Texts are compared as plain text (not rendered HTML), escaped piece by piece, so markup in a
policy stays inert. Japanese has no spaces, so it is compared character by character; other
languages word by word.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from ..core.i18n import localize
from .models import FIELD_LABELS, VERSION_FIELDS, PolicyVersion

_WORDS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


@dataclass
class FieldDiff:
    name: str
    label: object
    before: Markup
    after: Markup
    changed: bool


def _tokens(text: str, locale: str) -> list[str]:
    if locale in ("ja", "zh", "ko"):
        return list(text)
    return _WORDS.findall(text)


def diff_text(old: str, new: str, locale: str) -> tuple[Markup, Markup]:
    """(old with removals in <del>, new with additions in <ins>), both escaped."""
    a, b = _tokens(old, locale), _tokens(new, locale)
    left: list[str] = []
    right: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        removed = escape("".join(a[i1:i2]))
        added = escape("".join(b[j1:j2]))
        if op == "equal":
            left.append(removed)
            right.append(added)
            continue
        if removed:
            left.append(Markup("<del>%s</del>") % removed)
        if added:
            right.append(Markup("<ins>%s</ins>") % added)
    return Markup("").join(left), Markup("").join(right)


def _text(value, locale: str) -> str:
    if not value:
        return ""
    return localize(value, locale).text


def diff_versions(old: PolicyVersion, new: PolicyVersion, locale: str) -> list[FieldDiff]:
    rows = []
    for name in ("title", *VERSION_FIELDS):
        before_text = _text(getattr(old, name), locale)
        after_text = _text(getattr(new, name), locale)
        before, after = diff_text(before_text, after_text, locale)
        rows.append(FieldDiff(name, FIELD_LABELS[name], before, after, before_text != after_text))
    return rows
