"""Linkable resources: how the core (action log, cross-links, notifications) refers to a record of
any capability without importing it. A capability declares each of its record types once."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Flask

from . import registry


@dataclass(frozen=True)
class ResourceType:
    name: str  # stored in ActionLog.resource_type and link tables, e.g. "proposal"
    model: type
    label: object  # lazy_gettext, e.g. _l("Proposal")
    url: Callable[[object], str] | None = None  # public page of one record
    title: Callable[[object], str] | None = None  # short title in the reader's language
    is_public: Callable[[object], bool] | None = None  # None: every record is public
    comments: object | None = None  # a core.comments.Commentable: the records take comments
    moderatable: bool = False  # reports and hiding; the model has author_id, hidden_at, hidden_reason
    followable: bool = False  # residents can follow it and are notified of its news
    # loader options applied by load_many, so lists calling ``title``/``is_public`` on many records
    # do not lazy-load a related row per record, e.g. (joinedload(Proposal.process),)
    load_options: tuple = ()
    # lazy plural, e.g. _l("Proposals"), heading the records of this type in lists (default: label)
    plural: object = None
    # the permission (user, record) that lets a reader see a record that is not public (a draft, for
    # staff), e.g. "sensors.view": lists of related records show it to them, marked
    view_permission: str | None = None
    # the space (consultation) a record sits in, as (type name, id), or None; and, given a space's
    # (type name, id), a select() of the ids of this type's records inside it (None: none can be).
    # Mechanisms over many types (comments' search entries) follow spaces through these.
    space: Callable[[object], tuple[str, int] | None] | None = None
    in_space: Callable[[str, int], object | None] | None = None


EXTENSION_KEY = "participation.resources"


def register_types(app: Flask, types: Iterable[ResourceType]) -> None:
    registry.add(app, EXTENSION_KEY, {t.name: t for t in types}, "resource type")


def resource_type(name: str) -> ResourceType | None:
    return registry.get(EXTENSION_KEY).get(name)


def resource_types() -> dict[str, ResourceType]:
    return dict(registry.get(EXTENSION_KEY))


def type_name_of(obj: object) -> str:
    for name, resource_type in registry.get(EXTENSION_KEY).items():
        if isinstance(obj, resource_type.model):
            return name
    raise LookupError(f"{type(obj).__name__} is not a registered resource type")


def is_public(type_name: str, record) -> bool:
    """Whether ``record`` is public: its type says so and moderation has not hidden it."""
    rtype = resource_type(type_name)
    if rtype is None:
        return False
    if rtype.moderatable and getattr(record, "hidden_at", None) is not None:
        return False
    return rtype.is_public is None or bool(rtype.is_public(record))


def load_many(refs: Iterable[tuple[str, int]]) -> dict[tuple[str, int], object]:
    """Load records for (type, id) pairs with one query per type, for lists such as the action log."""
    from ..extensions import db

    by_type: dict[str, set[int]] = {}
    for name, ident in refs:
        if name and ident is not None:
            by_type.setdefault(name, set()).add(ident)
    found: dict[tuple[str, int], object] = {}
    for name, ids in by_type.items():
        rtype = resource_type(name)
        if rtype is None:
            continue
        model = rtype.model
        query = db.select(model).where(model.id.in_(ids)).options(*rtype.load_options)
        for obj in db.session.scalars(query):
            found[(name, obj.id)] = obj
    return found
