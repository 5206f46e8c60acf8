"""Error pages in the reader's language. For htmx requests the message goes into the page's
status region instead of replacing the part of the page that asked."""

from __future__ import annotations

import logging
from contextlib import suppress

from flask import Flask, current_app, render_template, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError, TimeoutError
from werkzeug.exceptions import HTTPException

from ..extensions import htmx

log = logging.getLogger(__name__)

MESSAGES = {
    400: (
        _l("The request could not be understood"),
        _l("Something in the request was malformed. Go back and try again."),
    ),
    403: (
        _l("You do not have permission"),
        _l("Your account cannot do this. If you think it should, contact the site's staff."),
    ),
    404: (
        _l("Page not found"),
        _l("The page does not exist or was removed. Check the address or go back to the home page."),
    ),
    405: (_l("Not allowed"), _l("This page cannot be used that way.")),
    413: (_l("Too large"), _l("What you sent is too large. Make it smaller and try again.")),
    429: (_l("Too many attempts"), _l("You have tried this too often. Wait a while and try again.")),
    500: (
        _l("Something went wrong"),
        _l("An error on our side stopped this from working. Nothing was changed. Please try again later."),
    ),
    503: (
        _l("Temporarily unavailable"),
        _l(
            "The site cannot reach its database for a moment, so nothing was read or changed. "
            "Please try again in a minute."
        ),
    ),
}
# Errors that mean the database is down or unreachable (a restart, a failover, a full pool), not a bug.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, TimeoutError)
BLOCKED_MESSAGE = (
    _l("Your account has been blocked"),
    _l(
        "A moderator has blocked your account, so you cannot post, support or report. You can still read "
        "the site. If you think this is a mistake, contact the site's staff."
    ),
)
CSRF_MESSAGE = (
    _l("The form had expired"),
    _l("For your security the form could not be accepted. Reload the page and send it again."),
)


class Refused(Exception):
    """A change a service refuses for a reason the person can fix or understand. Each capability
    subclasses it (ProposalError, PolicyError...); ``message`` is in the reader's language."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _render(code: int, title, message):
    if htmx and not htmx.boosted:
        response = render_template("_flash_message.html", category="error", message=message)
        headers = {"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"}
        return response, code, headers
    return render_template("errors/error.html", code=code, title=title, message=message), code


def handle_http_error(error: HTTPException):
    if error.response is not None:  # e.g. a redirect to the login page raised with abort()
        return error.response
    code = error.code or 500
    title, message = MESSAGES.get(code, MESSAGES[400] if code < 500 else MESSAGES[500])
    if code == 403 and getattr(current_user, "blocked_at", None) is not None:
        title, message = BLOCKED_MESSAGE  # say why, rather than a generic refusal
    return _render(code, title, message)


def handle_csrf_error(_error: CSRFError):
    return _render(400, *CSRF_MESSAGE)


def handle_unexpected_error(error: Exception):
    log.exception("unhandled error on %s %s", request.method, request.path, exc_info=error)
    from ..extensions import db

    db.session.rollback()
    return _render(500, *MESSAGES[500])


def _locale_without_database() -> str:
    # The usual choice reads the signed-in person's language from the database, which is down.
    locales = current_app.config["LOCALES"]
    cookie = request.cookies.get(current_app.config["LOCALE_COOKIE_NAME"])
    if cookie in locales:
        return cookie
    return request.accept_languages.best_match(locales) or current_app.config["BABEL_DEFAULT_LOCALE"]


def handle_database_unavailable(error: Exception):
    """503 with a page that needs nothing from the database; the pool reconnects by itself
    (pool_pre_ping) once the database is back, so the app recovers without a restart."""
    log.error("database unavailable on %s %s: %s", request.method, request.path, error)
    from ..extensions import db

    with suppress(Exception):  # the connection is already gone; the pool discards it
        db.session.rollback()
    title, message = MESSAGES[503]
    # Rendered without the context processors: they read the signed-in account from the database.
    env = current_app.jinja_env
    with force_locale(_locale_without_database()):
        if htmx and not htmx.boosted:
            body = env.get_template("_flash_message.html").render(category="error", message=message)
            return body, 503, {"HX-Retarget": "#flash", "HX-Reswap": "innerHTML", "Retry-After": "30"}
        body = env.get_template("errors/unavailable.html").render(title=title, message=message, request=request)
    return body, 503, {"Retry-After": "30"}


def _release_session(_error) -> None:
    """Give the request's connection back even when the database dropped it: closing would raise
    after the answer was ready and turn it into a 500. Runs before Flask-SQLAlchemy's own removal."""
    from ..extensions import db

    try:
        db.session.remove()
    except DATABASE_UNAVAILABLE as exc:
        log.warning("database connection lost while ending a request: %s", exc)
        db.session.registry.clear()


def init_app(app: Flask) -> None:
    app.teardown_appcontext(_release_session)
    app.register_error_handler(CSRFError, handle_csrf_error)
    for error in DATABASE_UNAVAILABLE:
        app.register_error_handler(error, handle_database_unavailable)
    app.register_error_handler(HTTPException, handle_http_error)
    if not app.testing:  # tests should see the exception itself
        app.register_error_handler(Exception, handle_unexpected_error)
