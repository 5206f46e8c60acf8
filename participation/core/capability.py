"""The capability registry.

A capability (proposals, sensors, policies...) describes itself to the core in one ``Capability``
object; ``create_app`` registers the ones listed in the CAPABILITIES setting, in order. Nothing
registers itself by import side effect, and the core knows no capability by name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import click
from flask import Blueprint, Flask

from . import action_log, permissions, registry, resources
from .permissions import Rule
from .resources import ResourceType
from .searchable import Searchable


@dataclass(frozen=True)
class NavEntry:
    """A link in the main or admin navigation, shown when ``permission`` (if any) is granted."""

    label: object  # a lazy_gettext string
    endpoint: str
    permission: str | None = None
    order: int = 100


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
    # anything else a capability must wire into the app (template filters, signal handlers)
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
    registry.add(app, EXTENSION_KEY, {capability.name: capability}, "capability")
    for blueprint in capability.blueprints:
        app.register_blueprint(blueprint)
    permissions.register_rules(app, capability.permissions)
    resources.register_types(app, capability.resources)
    action_log.register_labels(app, capability.action_labels)
    registry.add(app, NOTIFICATION_KINDS_KEY, capability.notification_kinds, "notification kind")
    for command in capability.cli:
        app.cli.add_command(command)
    if capability.init_app:
        capability.init_app(app)


def capabilities(app: Flask | None = None) -> list[Capability]:
    return list(registry.get(EXTENSION_KEY, app).values())
