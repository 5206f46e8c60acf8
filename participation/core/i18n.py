"""Locale choice, per-locale content, and the message catalogs.

The reader's locale is, in order: their account setting, the locale cookie, the browser's
Accept-Language, the site default (Japanese). Times are stored in UTC and shown in the configured zone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup, escape

from .types import LocalizedText

log = logging.getLogger(__name__)

# Each language named in itself, so a reader can find their own in the switcher.
LOCALE_NAMES = {"ja": "日本語", "en": "English"}


def supported_locales() -> list[str]:
    return list(current_app.config["LOCALES"])


def select_locale() -> str:
    locales = supported_locales()
    if not has_request_context():  # e.g. a CLI command; mail sets its locale explicitly
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in locales:
        return user_locale
    cookie = request.cookies.get(current_app.config["LOCALE_COOKIE_NAME"])
    if cookie in locales:
        return cookie
    return request.accept_languages.best_match(locales) or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_locale() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


@dataclass(frozen=True)
class Localized:
    """A LocalizedText resolved for the reader."""

    text: str
    locale: str  # the language of ``text``
    requested: str  # the reader's language

    @property
    def is_fallback(self) -> bool:
        return bool(self.text) and self.locale != self.requested

    def __str__(self) -> str:
        return self.text


def localize(value: LocalizedText | None, locale: str | None = None) -> Localized:
    locale = locale or current_locale()
    if not value:
        return Localized("", locale, locale)
    text, shown = value.resolve(locale)
    return Localized(text, shown, locale)


def l10n_filter(value: LocalizedText | None) -> str:
    """Jinja filter: the plain text in the reader's language (falls back to the original)."""
    return localize(value).text


def lang_attr(value: LocalizedText | None) -> Markup:
    """Jinja filter: a ``lang`` attribute when the text shown is not in the page's language."""
    resolved = localize(value)
    if resolved.is_fallback:
        return Markup(' lang="%s"') % escape(resolved.locale)
    return Markup("")


# --- catalogs -------------------------------------------------------------------------------


def compile_catalogs(directory: Path, *, force: bool = False) -> list[Path]:
    """Compile every messages.po under ``directory`` whose .mo is missing or older. Returns the
    compiled paths. Fuzzy entries are not used (they are not reviewed translations)."""
    compiled = []
    for po_path in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        tmp = mo_path.with_suffix(".mo.tmp")
        with tmp.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)
        tmp.replace(mo_path)
        compiled.append(mo_path)
    return compiled


def ensure_catalogs(app: Flask) -> None:
    """Compile stale catalogs at start-up so a fresh checkout shows translated pages; a read-only
    deployment that compiled them at build time is left alone."""
    directory = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    try:
        compile_catalogs(directory)
    except OSError as exc:  # e.g. a read-only file system
        log.warning("could not compile message catalogs in %s: %s", directory, exc)
