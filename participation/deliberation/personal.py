"""What deliberation holds about a person: the discussions they opened. On account deletion the
threads stay with the emptied account as author ("Former participant"), like proposals."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.i18n import localize
from ..extensions import db
from .models import Thread


def personal_data(user) -> dict:
    threads = db.session.scalars(db.select(Thread).where(Thread.author_id == user.id).order_by(Thread.id)).all()
    return {
        _l("Discussions you opened"): [
            {
                _l("Number"): t.id,
                _l("Title"): localize(t.title).text,
                _l("Text"): localize(t.body).text,
                _l("Opened at"): t.created_at,
                _l("Closed at"): t.closed_at,
                _l("Hidden by a moderator at"): t.hidden_at,
            }
            for t in threads
        ]
    }
