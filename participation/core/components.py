"""Components: what a capability plugs into a consultation (Decidim's model).

A consultation (the ``processes`` capability) is a *space*; proposals, discussions, surveys,
meetings... are *components* that a capability declares in its Capability object::

    Component(name="surveys", label=_l("Surveys"),
              panel="surveys/_process_panel.html",        # partial on the consultation page
              panel_context=lambda process, today: {...}, # None hides the panel
              settings=(Setting("max_answers", _l("Answers per resident"), kind="int", default=1),),
              stage_switches=(StageSwitch("surveys.answer", _l("Residents can answer surveys")),),
              order=40)

The consultation page renders each component's panel with ``process``, ``today`` and the context
as ``panel``; ``panel_context`` runs a fixed number of queries whatever the data. The consultation
and stage forms show every component's settings and switches; their values are stored generically
with the consultation (a JSON object per consultation and per stage), read back with
``process.setting("surveys", "max_answers")`` and ``phase.allows("surveys.answer")``. Values of a
component missing from an app are kept untouched when staff edit the consultation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from flask import Flask
from flask_babel import lazy_gettext as _l

from . import registry
from .errors import Refused

EXTENSION_KEY = "participation.components"
KINDS = ("int", "bool", "choice")
INT_LIMIT = 1_000_000_000  # what any "int" setting may hold, whatever its own bounds

NOT_A_NUMBER = _l("Enter a whole number.")
NOT_A_CHOICE = _l("Choose one of the options in the list.")


class SettingRefused(Refused):
    """A setting value that cannot be stored; ``message`` says why in the reader's language."""


@dataclass(frozen=True)
class Setting:
    """One per-consultation setting of a component.

    ``kind`` "int": a whole number within ``minimum``/``maximum``; with ``default=None`` the field may
    be left empty, meaning "not set" (no limit, no threshold). "bool": a checkbox. "choice": one of
    ``choices``, pairs of (stored value, lazy label)."""

    key: str
    label: object
    kind: str = "int"
    default: object = None
    help: object = None
    choices: tuple[tuple[str, object], ...] = ()
    minimum: int | None = None
    maximum: int | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"setting {self.key!r}: kind must be one of {KINDS}, not {self.kind!r}")
        if self.kind == "choice" and not self.choices:
            raise ValueError(f"setting {self.key!r}: a choice needs choices")

    @property
    def optional(self) -> bool:
        return self.kind == "int" and self.default is None

    def clean(self, value):
        """The value as stored, or SettingRefused. Accepts what forms send (strings) and Python values."""
        if self.kind == "bool":
            if isinstance(value, str):
                return value.strip().lower() in {"y", "yes", "on", "true", "1"}
            return bool(value)
        if self.kind == "choice":
            allowed = {str(v): v for v, _label in self.choices}
            if value is None or str(value) not in allowed:
                raise SettingRefused(NOT_A_CHOICE)
            return allowed[str(value)]
        return self._clean_int(value)

    def _clean_int(self, value):
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            if self.optional:
                return None
            raise SettingRefused(self._range_message())
        if isinstance(value, bool):
            raise SettingRefused(self._range_message())
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise SettingRefused(self._range_message()) from None
        if isinstance(value, float) and number != value:
            raise SettingRefused(self._range_message())
        low = self.minimum if self.minimum is not None else -INT_LIMIT
        high = self.maximum if self.maximum is not None else INT_LIMIT
        if not low <= number <= high:
            raise SettingRefused(self._range_message())
        return number

    def _range_message(self):
        if self.minimum is not None and self.maximum is not None:
            return _l("Enter a whole number from %(min)s to %(max)s.", min=self.minimum, max=self.maximum)
        if self.minimum is not None:
            return _l("Enter a whole number of %(min)s or more.", min=self.minimum)
        if self.maximum is not None:
            return _l("Enter a whole number of %(max)s or less.", max=self.maximum)
        return NOT_A_NUMBER


@dataclass(frozen=True)
class StageSwitch:
    """Something residents can do or not during a stage, switched per stage by staff.

    ``label`` is the stage form's checkbox ("Residents can submit proposals"); ``short`` names it in
    the schedule ("Proposal submissions" → "Proposal submissions: open"), ``label`` if not given."""

    name: str  # "<component>.<action>", e.g. "proposals.create"
    label: object
    short: object = None
    default: bool = False


@dataclass(frozen=True)
class Component:
    name: str
    label: object
    panel: str | None = None
    # (process, today) -> dict for the panel, or None to hide it
    panel_context: Callable[[object, date], Mapping | None] | None = None
    settings: tuple[Setting, ...] = ()
    stage_switches: tuple[StageSwitch, ...] = ()
    order: int = 100

    def setting(self, key: str) -> Setting | None:
        return next((s for s in self.settings if s.key == key), None)


@dataclass(frozen=True)
class Panel:
    component: Component
    template: str
    context: Mapping


def register(app: Flask, declared: Iterable[Component]) -> None:
    declared = tuple(declared)
    registry.add(app, EXTENSION_KEY, {c.name: c for c in declared}, "component")
    switches = app.extensions.setdefault(EXTENSION_KEY + ".switches", {})
    for component in declared:
        for switch in component.stage_switches:
            if switch.name in switches:
                raise RuntimeError(f"stage switch {switch.name!r} declared twice")
            switches[switch.name] = switch


def components() -> list[Component]:
    """The registered components, in their order."""
    return sorted(registry.get(EXTENSION_KEY).values(), key=lambda c: (c.order, c.name))


def component(name: str) -> Component | None:
    return registry.get(EXTENSION_KEY).get(name)


def stage_switches() -> list[StageSwitch]:
    return [switch for c in components() for switch in c.stage_switches]


def stage_switch(name: str) -> StageSwitch | None:
    return registry.get(EXTENSION_KEY + ".switches").get(name)


# --- reading values (Process.setting and Phase.allows call these) ------------------------------


def setting_value(stored: Mapping | None, component_name: str, key: str):
    values = (stored or {}).get(component_name) or {}
    if key in values:
        return values[key]
    declared = component(component_name)
    setting = declared.setting(key) if declared else None
    return setting.default if setting else None


def switch_value(stored: Mapping | None, name: str) -> bool:
    if stored and name in stored:
        return bool(stored[name])
    switch = stage_switch(name)
    return bool(switch and switch.default)


# --- changing values (the consultation's services call these) ----------------------------------


def clean_settings(stored: Mapping | None, given: Mapping[str, Mapping]) -> dict:
    """The stored settings updated with ``given`` ({component: {key: value}}), every given value
    checked against its declaration; values of components not registered here stay as they were.
    Raises SettingRefused for a bad value or a setting no component declares."""
    result = {name: dict(values) for name, values in (stored or {}).items()}
    for name, values in given.items():
        declared = component(name)
        for key, value in values.items():
            setting = declared.setting(key) if declared else None
            if setting is None:
                raise SettingRefused(_l("This setting is not available on this site."))
            result.setdefault(name, {})[key] = setting.clean(value)
    return {name: values for name, values in result.items() if values}


def clean_switches(stored: Mapping | None, given: Mapping[str, object]) -> dict:
    """The stored switches of a stage updated with ``given`` ({switch name: bool})."""
    result = dict(stored or {})
    for name, value in given.items():
        if stage_switch(name) is None:
            raise SettingRefused(_l("This setting is not available on this site."))
        result[name] = bool(value)
    return result


# --- the consultation page ----------------------------------------------------------------------


def panels(process, today: date) -> list[Panel]:
    """The panels the registered components add to ``process``'s page, in their order."""
    shown = []
    for declared in components():
        if not declared.panel:
            continue
        context = declared.panel_context(process, today) if declared.panel_context else {}
        if context is not None:
            shown.append(Panel(declared, declared.panel, context))
    return shown
