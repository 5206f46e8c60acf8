"""Putting notifications into words in the reader's language, from what each capability declared
in ``Capability.notification_kinds``: a lazy string formatted with ``%(title)s`` (the record's
title), ``%(actor)s`` (who did it) and the notification's params, or a function(values) -> str."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _

from .. import registry
from ..capability import NOTIFICATION_KINDS_KEY
from ..resources import load_many, resource_type
from .models import Notification


def kind_label(kind: str):
    return registry.get(NOTIFICATION_KINDS_KEY).get(kind)


@dataclass(frozen=True)
class Shown:
    """A notification ready for a page or a mail: its sentence and, if the record is public, its link."""

    notification: Notification
    text: str
    title: str
    path: str | None  # site-relative URL of the record, when it can be shown


def _values(notification: Notification, record) -> dict:
    title = _("(no longer available)") if notification.resource_type else ""
    rtype = resource_type(notification.resource_type) if notification.resource_type else None
    if record is not None and rtype is not None and rtype.title is not None:
        title = str(rtype.title(record))
    actor = notification.actor.public_name if notification.actor else _("Former participant")
    return {**(notification.params or {}), "title": title, "actor": actor}


def describe(notification: Notification, record=None) -> str:
    label = kind_label(notification.kind)
    if label is None:
        return notification.kind
    values = _values(notification, record)
    try:
        return str(label(values)) if callable(label) else str(label) % values
    except (KeyError, TypeError, ValueError):
        # written by an older version whose params the label no longer matches
        return _("%(action)s (details unavailable)", action=notification.kind)


def _public(record, rtype) -> bool:
    return rtype is not None and (rtype.is_public is None or bool(rtype.is_public(record)))


def prepare(notifications: Iterable[Notification]) -> list[Shown]:
    """Words and links for a list of notifications, loading their records with one query per type."""
    notifications = list(notifications)
    records = load_many((n.resource_type, n.resource_id) for n in notifications)
    shown = []
    for n in notifications:
        record = records.get((n.resource_type, n.resource_id))
        rtype = resource_type(n.resource_type) if n.resource_type else None
        visible = record is not None and _public(record, rtype)
        path = rtype.url(record) if visible and rtype.url else None
        text = describe(n, record if visible else None)
        title = str(rtype.title(record)) if visible and rtype.title else ""
        shown.append(Shown(n, text, title, path))
    return shown
