"""The capability registry.

A capability (proposals, sensors, policies...) describes itself to the core in one ``Capability``
object; ``create_app`` registers the ones listed in the CAPABILITIES setting, in order. Nothing
registers itself by import side effect, and the core knows no capability by name.

What a capability offers to the others it declares here too: components it plugs into a consultation
(``components``, core/components.py), partials or functions it puts into the pages of others
(``slots``, core/slots.py), what it does when the core signals a change (``receivers``,
core/signals.py), and the capabilities it cannot work without (``requires``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import click
from flask import Blueprint, Flask

from . import action_log, components, permissions, registry, resources, signals, slots
from .permissions import Rule
from .resources import ResourceType
from .searchable import Searchable


class CapabilityError(RuntimeError):
    """The CAPABILITIES setting cannot be built as it is (a missing or misplaced requirement)."""


@dataclass(frozen=True)
class NavEntry:
    """A link in the main or admin navigation, shown when ``permission`` (if any) is granted."""

    label: object  # a lazy_gettext string
    endpoint: str
    permission: str | None = None
    order: int = 100
    description: object = None  # a lazy_gettext sentence: what a resident finds there (home page cards)


@dataclass(frozen=True)
class Capability:
    name: str
    blueprints: tuple[Blueprint, ...] = ()
    permissions: Mapping[str, Rule] = field(default_factory=dict)
    nav: tuple[NavEntry, ...] = ()
    admin_nav: tuple[NavEntry, ...] = ()
    resources: tuple[ResourceType, ...] = ()
    # action key -> function(ActionLog) -> str, for showing log entries in the reader's language
    action_labels: Mapping[str, Callable] = field(default_factory=dict)
    cli: tuple[click.Command, ...] = ()
    # what the capability puts in the search index (see core.searchable), read by the search capability
    searchable: tuple[Searchable, ...] = ()
    # loads the capability's demo data from seeds/ (idempotent); called by `flask seed demo`
    seed: Callable[[], None] | None = None
    # anything else a capability must wire into the app (template filters and globals of its own)
    init_app: Callable[[Flask], None] | None = None
    # function(user) -> {section title: list of row dicts}: what this capability holds about a person
    personal_data: Callable | None = None
    # retention categories this capability keeps, core.retention.RetentionCategory
    retention: tuple = ()
    # kind -> lazy label, for notification settings and rendering
    notification_kinds: Mapping[str, object] = field(default_factory=dict)
    # background work (core.jobs.Job) and when to run some of it (core.jobs.Periodic)
    jobs: tuple = ()
    periodic: tuple = ()
    # what it plugs into a consultation: a panel on its page, settings and stage switches
    components: tuple[components.Component, ...] = ()
    # slot name -> a partial's path, a function(**context) or core.slots.Fill (or a tuple of them)
    slots: Mapping[str, object] = field(default_factory=dict)
    # core signal -> function(sender, **kwargs), run only in apps where this capability is registered
    receivers: Mapping[object, Callable] = field(default_factory=dict)
    # names of capabilities registered before this one that it cannot work without
    requires: tuple[str, ...] = ()


@dataclass(frozen=True)
class DataSection:
    """A section title in ``personal_data`` that also names the page where the person manages that
    data (My data links to it); it reads as its title everywhere else."""

    title: object  # lazy_gettext
    endpoint: str

    def __str__(self) -> str:
        return str(self.title)


EXTENSION_KEY = "participation.capabilities"
NOTIFICATION_KINDS_KEY = "participation.notification_kinds"  # read by core.notifications.render


def register(app: Flask, capability: Capability) -> None:
    present = registry.get(EXTENSION_KEY, app)
    missing = [name for name in capability.requires if name not in present]
    if missing:
        raise CapabilityError(
            f"capability {capability.name!r} requires {', '.join(map(repr, missing))}: list "
            f"{'it' if len(missing) == 1 else 'them'} in CAPABILITIES before {capability.name!r}, "
            f"or leave {capability.name!r} out too"
        )
    registry.add(app, EXTENSION_KEY, {capability.name: capability}, "capability")
    for blueprint in capability.blueprints:
        app.register_blueprint(blueprint)
    permissions.register_rules(app, capability.permissions)
    resources.register_types(app, capability.resources)
    action_log.register_labels(app, capability.action_labels)
    registry.add(app, NOTIFICATION_KINDS_KEY, capability.notification_kinds, "notification kind")
    components.register(app, capability.components)
    slots.register(app, capability.slots)
    signals.register(app, capability.receivers)
    for command in capability.cli:
        app.cli.add_command(command)
    if capability.init_app:
        capability.init_app(app)


def capabilities(app: Flask | None = None) -> list[Capability]:
    return list(registry.get(EXTENSION_KEY, app).values())


def registered(name: str, app: Flask | None = None) -> bool:
    """Whether the capability ``name`` is part of this app (for code that offers more when it is)."""
    return name in registry.get(EXTENSION_KEY, app)
