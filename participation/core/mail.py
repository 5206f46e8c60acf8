"""Sending mail in the recipient's language. SMTP when configured; in development the messages are
written to instance/mail so a person can open the link; in tests they collect in memory."""

from __future__ import annotations

import logging

from flask import current_app, render_template
from flask_babel import force_locale
from flask_mailman import EmailMessage

log = logging.getLogger(__name__)


def send_mail(to: str, template: str, *, locale: str | None = None, **context) -> bool:
    """Render ``mail/<template>.txt`` (first line: subject) in ``locale`` and send it.

    Returns False when delivery failed; the failure is logged, and callers decide whether the person
    is told (a password reset must not reveal whether an account exists, so it is not).
    """
    locale = locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        rendered = render_template(f"mail/{template}.txt", **context)
    subject, _, body = rendered.strip().partition("\n")
    message = EmailMessage(subject=subject.strip(), body=body.strip() + "\n", to=[to])
    try:
        message.send()
    except OSError as exc:  # SMTP and socket errors
        log.error("mail %s to a recipient could not be sent: %s", template, exc)
        return False
    return True
