"""Writing and reading the action log. Service functions call ``log_action`` inside their
transaction, so the entry commits (or rolls back) with the change it records."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from flask import Flask
from flask_babel import gettext as _

from ..extensions import db
from . import registry
from .models import ActionLog, User
from .resources import type_name_of

PUBLIC = "public"
RESTRICTED = "restricted"

EXTENSION_KEY = "participation.action_labels"


def log_action(
    actor: User | None,
    action: str,
    resource: object = None,
    *,
    visibility: str = RESTRICTED,
    data: Mapping | None = None,
) -> ActionLog:
    """Record ``action`` by ``actor`` on ``resource``. ``data`` must hold ids and codes only."""
    if visibility not in (PUBLIC, RESTRICTED):
        raise ValueError(f"unknown visibility {visibility!r}")
    entry = ActionLog(
        actor_id=getattr(actor, "id", None),
        action=action,
        resource_type=type_name_of(resource) if resource is not None else None,
        resource_id=getattr(resource, "id", None),
        visibility=visibility,
        data=dict(data or {}),
    )
    db.session.add(entry)
    return entry


def register_labels(app: Flask, labels: Mapping[str, Callable]) -> None:
    registry.add(app, EXTENSION_KEY, labels, "action label")


def describe(entry: ActionLog) -> str:
    """The entry in the reader's language, from the label its capability declared."""
    label = registry.get(EXTENSION_KEY).get(entry.action)
    if label is None:
        return entry.action
    try:
        return str(label(entry))
    except (KeyError, TypeError, ValueError):
        # An entry written by an older version may lack a field the label now expects.
        return _("%(action)s (details unavailable)", action=entry.action)


def fixed(text) -> Callable:
    """A label that does not depend on the entry's data."""
    return lambda _entry: text
