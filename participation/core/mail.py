"""Sending mail in the recipient's language. SMTP when configured; in development the messages are
written to instance/mail so a person can open the link; in tests they collect in memory.

Delivery runs in a background thread (MAIL_IN_BACKGROUND), so a page answers as fast whether or not
it sent mail: a slow SMTP server must not reveal, say, which addresses have an account.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask, current_app, render_template
from flask_babel import force_locale
from flask_mailman import EmailMessage

log = logging.getLogger(__name__)


def send_mail(to: str, template: str, *, locale: str | None = None, background: bool | None = None, **context) -> None:
    """Render ``mail/<template>.txt`` (first line: subject) in ``locale`` and deliver it.
    ``background=False`` delivers before returning (command-line jobs, which would otherwise exit
    before the thread has sent anything); by default MAIL_IN_BACKGROUND decides.

    Failures are logged, never shown: callers such as the password reset must answer the same
    whatever happens to the mail.
    """
    locale = locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        rendered = render_template(f"mail/{template}.txt", **context)
    subject, _, body = rendered.strip().partition("\n")
    message = EmailMessage(subject=subject.strip(), body=body.strip() + "\n", to=[to])
    app = current_app._get_current_object()
    if app.config["MAIL_IN_BACKGROUND"] if background is None else background:
        threading.Thread(target=_deliver, args=(app, message, template), daemon=True).start()
    else:
        _deliver(app, message, template)


def _deliver(app: Flask, message: EmailMessage, template: str) -> None:
    with app.app_context():
        try:
            message.send()
        except OSError as exc:  # SMTP and socket errors
            log.error("mail %s to a recipient could not be sent: %s", template, exc)
