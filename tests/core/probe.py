"""A capability made for the tests, plugged in as a colleague's would be: a consultation component
with settings, a stage switch and a panel, a slot filler and a receiver. Add it to an app with
``make_app(CAPABILITIES=[*DEFAULTS["CAPABILITIES"], "tests.core.probe:capability"])``."""

from flask import Blueprint, g

from participation.core.capability import Capability
from participation.core.components import Component, Setting, StageSwitch
from participation.core.signals import account_deleting

bp = Blueprint("probe", __name__, template_folder="templates")


def _panel(process, today):
    if not process.setting("probe", "shown"):
        return None
    phase = process.current_phase(today)
    return {"limit": process.setting("probe", "limit"), "answering": bool(phase and phase.allows("probe.answer"))}


def _seen_deletion(user, **_kwargs):
    g.probe_deleted = [*g.get("probe_deleted", []), user.id]


COMPONENT = Component(
    name="probe",
    label="Probe",
    panel="probe/_panel.html",
    panel_context=_panel,
    settings=(
        Setting("limit", "Answers per resident", kind="int", default=3, minimum=1, maximum=9),
        Setting("mode", "Mode", kind="choice", default="open", choices=(("open", "Open"), ("closed", "Closed"))),
        Setting("shown", "Show the probe panel", kind="bool", default=True),
    ),
    stage_switches=(StageSwitch("probe.answer", "Residents can answer the probe", "Probe answers"),),
    order=90,
)

capability = Capability(
    name="probe",
    requires=("processes",),
    blueprints=(bp,),
    components=(COMPONENT,),
    slots={"resource.related": "probe/_related.html"},
    receivers={account_deleting: _seen_deletion},
)
