"""Sending mail in the recipient's language. SMTP when configured; in development the messages are
written to instance/mail so a person can open the link; in tests they collect in memory.

``send_mail`` renders the message at once (with the caller's data and links) and hands it to the
"mail.send" job, enqueued in the caller's transaction: a change that rolls back sends nothing, one
that commits is delivered even if this process dies, and a mail server that is slow or down never
holds a page (its speed must not reveal, say, which addresses have an account). Failed deliveries
are retried with backoff (core/jobs).
"""

from __future__ import annotations

import uuid

from flask import current_app, render_template
from flask_babel import force_locale
from flask_mailman import EmailMessage

from .jobs import enqueue


def send_mail(to: str, template: str, *, locale: str | None = None, background: bool | None = None, **context) -> None:
    """Render ``mail/<template>.txt`` (first line: subject) in ``locale`` and queue its delivery.
    ``background`` is accepted for older callers: delivery is always a job now."""
    locale = locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        rendered = render_template(f"mail/{template}.txt", **context)
    subject, _, body = rendered.strip().partition("\n")
    message_id = uuid.uuid4().hex  # chosen now, so every delivery attempt carries the same one
    enqueue(
        "mail.send", to=to, subject=subject.strip(), body=body.strip() + "\n", template=template, message_id=message_id
    )


def deliver(to: str, subject: str, body: str, template: str = "", message_id: str = "") -> None:
    """The "mail.send" job. Raises on SMTP and socket errors, so the queue retries it. Every
    attempt carries the same Message-ID, so a retry after a lost acknowledgement reads as the same
    message to the receiving side."""
    headers = {}
    if message_id:
        domain = (current_app.config["MAIL_DEFAULT_SENDER"] or "").rpartition("@")[2].rstrip(">") or "localhost"
        headers["Message-ID"] = f"<{message_id}@{domain}>"
    EmailMessage(subject=subject, body=body, to=[to], headers=headers).send()
