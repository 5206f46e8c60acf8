"""Form fields for the components' settings and stage switches (core/components.py), added to the
consultation and stage forms of whatever components the app has. Each value is checked by its own
declaration (``Setting.clean``), the same check the services make."""

from __future__ import annotations

from flask import current_app
from wtforms import BooleanField, Field, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation

from .components import Component, Setting, SettingRefused, StageSwitch, components, stage_switches

CACHE_KEY = "participation.component_forms"


def setting_field_name(component: Component, setting: Setting) -> str:
    return f"setting-{component.name}-{setting.key}"


def switch_field_name(switch: StageSwitch) -> str:
    return "switch-" + switch.name.replace(".", "-")


class _Checked:
    """Mixin: the value is whatever ``Setting.clean`` makes of the raw input."""

    setting: Setting

    def pre_validate(self, form):
        try:
            self.data = self.setting.clean(self.data)
        except SettingRefused as refused:
            raise StopValidation(refused.message) from None


class NumberSettingField(_Checked, StringField):
    """Kept as typed until validation, so "12a" is answered with a message rather than dropped."""

    def __init__(self, setting: Setting, **kwargs):
        super().__init__(setting.label, description=setting.help or "", **kwargs)
        self.setting = setting

    def _value(self) -> str:
        return "" if self.data is None else str(self.data)


class ChoiceSettingField(_Checked, SelectField):
    def __init__(self, setting: Setting, **kwargs):
        choices = [SelectChoice(str(value), label) for value, label in setting.choices]
        super().__init__(
            setting.label, description=setting.help or "", choices=choices, validate_choice=False, **kwargs
        )
        self.setting = setting


class BooleanSettingField(BooleanField):
    def __init__(self, setting: Setting, **kwargs):
        super().__init__(setting.label, description=setting.help or "", **kwargs)
        self.setting = setting


def _field(setting: Setting) -> Field:
    if setting.kind == "bool":
        return BooleanSettingField(setting, default=bool(setting.default))
    if setting.kind == "choice":
        return ChoiceSettingField(setting, default=setting.default)
    return NumberSettingField(setting, default=setting.default)


def _extended(form_cls: type, kind: str) -> type:
    """``form_cls`` with one field per registered setting (kind "settings") or stage switch
    ("switches"), built once per app."""
    cache = current_app.extensions.setdefault(CACHE_KEY, {})
    key = (form_cls, kind)
    if key not in cache:
        fields = {}
        if kind == "settings":
            for component in components():
                for setting in component.settings:
                    fields[setting_field_name(component, setting)] = _field(setting)
        else:
            for switch in stage_switches():
                fields[switch_field_name(switch)] = BooleanField(switch.label, default=switch.default)
        cache[key] = type(form_cls.__name__, (form_cls,), fields)
    return cache[key]


def with_settings(form_cls: type) -> type:
    return _extended(form_cls, "settings")


def with_switches(form_cls: type) -> type:
    return _extended(form_cls, "switches")


def settings_initial(process) -> dict:
    """Form data for the settings fields, from a consultation (or the defaults for a new one)."""
    data = {}
    for component in components():
        for setting in component.settings:
            value = process.setting(component.name, setting.key) if process is not None else setting.default
            data[setting_field_name(component, setting)] = value
    return data


def switches_initial(phase) -> dict:
    return {
        switch_field_name(switch): phase.allows(switch.name) if phase is not None else switch.default
        for switch in stage_switches()
    }


def settings_from(form) -> dict:
    """{component: {key: value}} as the form holds them after validation."""
    return {
        component.name: {
            setting.key: form[setting_field_name(component, setting)].data for setting in component.settings
        }
        for component in components()
        if component.settings
    }


def switches_from(form) -> dict:
    return {switch.name: bool(form[switch_field_name(switch)].data) for switch in stage_switches()}


def setting_groups(form) -> list[tuple[Component, list[Field]]]:
    """The settings fields grouped by component, for the consultation form."""
    return [
        (component, [form[setting_field_name(component, setting)] for setting in component.settings])
        for component in components()
        if component.settings
    ]


def switch_fields(form) -> list[Field]:
    return [form[switch_field_name(switch)] for switch in stage_switches()]
