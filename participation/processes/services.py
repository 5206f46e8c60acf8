"""Every change to processes, phases and categories: one transaction each, written to the action log
(public when a process is published, restricted otherwise)."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core import components
from ..core.action_log import PUBLIC, log_action
from ..core.db import transaction
from ..core.errors import Refused
from ..core.i18n import localize
from ..core.models import District, User
from ..core.types import LocalizedText, utcnow
from ..extensions import db
from .models import Phase, Process, ProcessCategory


class ProcessError(Refused):
    """A change refused for a reason the person can fix; ``message`` is in the reader's language."""


MISSING_TITLE = _l("Enter this in at least one language.")
DATES_REVERSED = _l("The end date must be on or after the start date.")
NO_PHASES = _l("Add at least one stage to the schedule before publishing.")
LAST_PHASE = _l("A published consultation needs at least one stage. Unpublish it first, or add another stage.")
UNKNOWN_DISTRICT = _l("Choose a district from the list.")


def _require_text(value: LocalizedText | None) -> None:
    if not value:
        raise ProcessError(MISSING_TITLE)


def _check_district(district_id: int | None) -> None:
    if district_id is not None and db.session.get(District, district_id) is None:
        raise ProcessError(UNKNOWN_DISTRICT)


def _checked(clean, stored, given):
    try:
        return clean(stored, given or {})
    except components.SettingRefused as refused:
        raise ProcessError(refused.message) from None


# --- processes -------------------------------------------------------------------------------


def _apply(
    process: Process,
    *,
    title: LocalizedText,
    summary: LocalizedText,
    description: LocalizedText | None = None,
    district_id: int | None = None,
    settings: dict | None = None,
) -> None:
    """Check and set the fields staff edit, the same way on creation and on every edit.
    ``settings``: {component: {key: value}} for the registered components (core.components);
    settings of components this app does not have are kept."""
    _require_text(title)
    _require_text(summary)
    _check_district(district_id)
    cleaned = _checked(components.clean_settings, process.settings, settings)
    process.title = title
    process.summary = summary
    process.description = description or None
    process.district_id = district_id
    if cleaned != (process.settings or {}):
        process.settings = cleaned


def create_process(actor: User, **fields) -> Process:
    """A new draft process (not visible to residents until published). ``fields``: see ``_apply``."""
    with transaction():
        process = Process()
        _apply(process, **fields)
        db.session.add(process)
        db.session.flush()
        log_action(actor, "process.created", process)
    return process


def update_process(actor: User, process: Process, **fields) -> Process:
    with transaction():
        _apply(process, **fields)
        process.updated_at = utcnow()
        log_action(actor, "process.updated", process)
    return process


def publish(actor: User, process: Process) -> bool:
    """Make the process public; False if it already was. Refused while it has no stages."""
    with transaction():
        if process.is_published:
            return False
        if not process.phases:
            raise ProcessError(NO_PHASES)
        process.published_at = utcnow()
        log_action(actor, "process.published", process, visibility=PUBLIC)
    return True


def unpublish(actor: User, process: Process) -> bool:
    """Back to draft; False if it was not published."""
    with transaction():
        if not process.is_published:
            return False
        process.published_at = None
        log_action(actor, "process.unpublished", process)
    return True


# --- phases ----------------------------------------------------------------------------------


def _check_dates(process: Process, starts_on: date, ends_on: date, phase: Phase | None = None) -> None:
    if ends_on < starts_on:
        raise ProcessError(DATES_REVERSED)
    for other in process.phases:
        if other is not phase and other.overlaps(starts_on, ends_on):
            raise ProcessError(
                _(
                    "The dates overlap with the stage “%(title)s”. Stages of a consultation must not overlap.",
                    title=localize(other.title).text,
                )
            )


def _renumber(process: Process) -> None:
    for position, phase in enumerate(sorted(process.phases, key=lambda p: p.starts_on)):
        phase.position = position


def add_phase(
    actor: User,
    process: Process,
    *,
    title: LocalizedText,
    starts_on: date,
    ends_on: date,
    switches: dict | None = None,
) -> Phase:
    """A new stage; ``switches``: {stage switch name: bool} (core.components)."""
    with transaction():
        _require_text(title)
        _check_dates(process, starts_on, ends_on)
        phase = Phase(
            title=title,
            starts_on=starts_on,
            ends_on=ends_on,
            switches=_checked(components.clean_switches, {}, switches),
        )
        process.phases.append(phase)
        _renumber(process)
        process.updated_at = utcnow()
        db.session.flush()
        log_action(actor, "process.phase_added", process, data={"phase_id": phase.id})
    return phase


def update_phase(
    actor: User,
    phase: Phase,
    *,
    title: LocalizedText,
    starts_on: date,
    ends_on: date,
    switches: dict | None = None,
) -> Phase:
    """Change a stage; switches of components this app does not have are kept."""
    with transaction():
        process = phase.process
        _require_text(title)
        _check_dates(process, starts_on, ends_on, phase)
        cleaned = _checked(components.clean_switches, phase.switches, switches)
        phase.title = title
        phase.starts_on = starts_on
        phase.ends_on = ends_on
        if cleaned != (phase.switches or {}):
            phase.switches = cleaned
        _renumber(process)
        process.updated_at = utcnow()
        log_action(actor, "process.phase_updated", process, data={"phase_id": phase.id})
    return phase


def delete_phase(actor: User, phase: Phase) -> None:
    with transaction():
        process = phase.process
        if process.is_published and len(process.phases) <= 1:
            raise ProcessError(LAST_PHASE)
        phase_id = phase.id
        process.phases.remove(phase)
        _renumber(process)
        process.updated_at = utcnow()
        log_action(actor, "process.phase_deleted", process, data={"phase_id": phase_id})


# --- categories ------------------------------------------------------------------------------


def add_category(actor: User, process: Process, *, name: LocalizedText) -> ProcessCategory:
    with transaction():
        _require_text(name)
        position = max((c.position for c in process.categories), default=-1) + 1
        category = ProcessCategory(name=name, position=position)
        process.categories.append(category)
        process.updated_at = utcnow()
        db.session.flush()
        log_action(actor, "process.category_added", process, data={"category_id": category.id})
    return category


def update_category(actor: User, category: ProcessCategory, *, name: LocalizedText) -> ProcessCategory:
    with transaction():
        _require_text(name)
        category.name = name
        category.process.updated_at = utcnow()
        log_action(actor, "process.category_updated", category.process, data={"category_id": category.id})
    return category


def delete_category(actor: User, category: ProcessCategory) -> None:
    with transaction():
        process = category.process
        category_id = category.id
        process.categories.remove(category)
        process.updated_at = utcnow()
        log_action(actor, "process.category_deleted", process, data={"category_id": category_id})


PHASE_FIELDS = ("title", "starts_on", "ends_on")
