"""What every template can use: permissions, navigation, locale helpers, formatting, markup."""

from __future__ import annotations

from babel.lists import format_list
from flask import Flask, g, request
from flask_babel import format_date, format_datetime, format_decimal, format_number, format_time
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from .capability import capabilities
from .i18n import LOCALE_NAMES, current_locale, l10n_filter, lang_attr, localize, supported_locales
from .markup import render_markdown
from .models import ROLE_LABELS, Organization, Role
from .moderation.services import hidden_reason_text
from .permissions import can
from .resources import type_name_of
from .slots import slot


def _visible(entries):
    shown = [e for e in entries if e.permission is None or can(e.permission)]
    return sorted(shown, key=lambda e: e.order)


def navigation() -> list:
    return _visible(entry for cap in capabilities() for entry in cap.nav)


def admin_navigation() -> list:
    return _visible(entry for cap in capabilities() for entry in cap.admin_nav)


def site() -> Organization | None:
    """The organisation running the site, loaded once per request."""
    if "organization" not in g:
        try:
            g.organization = db.session.scalar(db.select(Organization).limit(1))
        except SQLAlchemyError:  # e.g. while rendering the error page for a database failure
            db.session.rollback()
            g.organization = None
    return g.organization


def site_name() -> str:
    organization = site()
    return localize(organization.name).text if organization and organization.name else _("Participation")


def list_text(items) -> str:
    """Items joined the way the reader's language joins a list: 「A、B」 / "A, B"."""
    items = [str(item) for item in items]
    return format_list(items, locale=current_locale()) if items else ""


def format_moment(value, fmt: str | None = None) -> str:
    """A date and time in the reader's locale and the site's time zone: 2026年11月22日 15:00 /
    November 22, 2026 3:00 PM. ``fmt`` picks one of Babel's named formats instead."""
    if not value:
        return ""
    if fmt:
        return format_datetime(value, fmt)
    return f"{format_date(value, 'long')} {format_time(value, 'short')}"


def init_app(app: Flask) -> None:
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.globals.update(
        can=can,
        navigation=navigation,
        admin_navigation=admin_navigation,
        locale_names=LOCALE_NAMES,
        supported_locales=supported_locales,
        current_locale=current_locale,
        localize=localize,
        site_name=site_name,
        site=site,
        # hidden by moderation (core.moderation); templates show moderation/_macros.html's placeholder
        is_hidden=lambda obj: getattr(obj, "hidden_at", None) is not None,
        hidden_reason_text=hidden_reason_text,
        resource_type_of=type_name_of,
        # what capabilities put into a named place of a page (core/slots.py)
        slot=slot,
    )
    app.jinja_env.filters.update(
        l10n=l10n_filter,
        lang_attr=lang_attr,
        markdown=render_markdown,
        datetime=format_moment,
        date=lambda value, fmt="long": format_date(value, fmt) if value else "",
        number=format_number,
        decimal=format_decimal,
        list_text=list_text,
        role_label=lambda role: str(ROLE_LABELS[Role(role)]),
    )

    @app.context_processor
    def _request_context():
        return {"current_path": request.full_path.rstrip("?") if request else "/"}
