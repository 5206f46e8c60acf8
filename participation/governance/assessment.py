"""The risk grid, the rules and the board's review, and the KPIs with their measurements: one
transaction each, written to the action log."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from ..core.action_log import log_action
from ..core.db import transaction
from ..core.links import set_links
from ..core.types import LocalizedText, local_today
from ..extensions import db
from .catalog import (
    BOARD_DECISION_LABELS,
    DIRECTION_LABELS,
    FREQUENCY_LABELS,
    KPI_KIND_LABELS,
    KPI_LEVEL_LABELS,
    LEVELS,
    LIFECYCLE_LABELS,
    VIEWPOINT_LABELS,
)
from .models import BoardReview, Kpi, Measurement, Project, RiskCell, Rule
from .services import CHOOSE_FROM_LIST, GovernanceError, _visibility

MAX_RULES = 100
MAX_REVIEWERS = 20
MAX_KPIS = 30
MAX_MEASUREMENTS = 400
VALUE_LIMIT = 1e12

RULE_INCOMPLETE = _l("Give the rule's title, its text and the burden it puts on people and operators.")
TOO_MANY_RULES = _l("A project can have at most %(max)d rules.", max=MAX_RULES)
REVIEWERS_MISSING = _l("Name the board members who reviewed the rules (one per line).")
TOO_MANY_REVIEWERS = _l("Name at most %(max)d reviewers.", max=MAX_REVIEWERS)
OPINION_MISSING = _l("Record the board's opinion.")
DATE_FUTURE = _l("The date cannot be in the future.")
KPI_INCOMPLETE = _l("Give the indicator, its unit and its source.")
TARGET_BEFORE_BASELINE = _l("The target date must come after the baseline date.")
VALUE_RANGE = _l("Enter a number.")
TOO_MANY_KPIS = _l("A project can have at most %(max)d KPIs.", max=MAX_KPIS)
TOO_MANY_MEASUREMENTS = _l("A KPI can have at most %(max)d measurements.", max=MAX_MEASUREMENTS)


def set_risk(
    actor,
    project: Project,
    *,
    lifecycle: str,
    viewpoint: str,
    likelihood: str,
    severity: str,
    measures: LocalizedText | None,
    residual: str | None,
) -> RiskCell:
    """Assess one cell of the grid (created or replaced)."""
    if lifecycle not in LIFECYCLE_LABELS or viewpoint not in VIEWPOINT_LABELS:
        raise GovernanceError(CHOOSE_FROM_LIST)
    if likelihood not in LEVELS or severity not in LEVELS or (residual and residual not in LEVELS):
        raise GovernanceError(CHOOSE_FROM_LIST)
    with transaction():
        cell = next((c for c in project.risks if (c.lifecycle, c.viewpoint) == (lifecycle, viewpoint)), None)
        if cell is None:
            cell = RiskCell(lifecycle=lifecycle, viewpoint=viewpoint)
            project.risks.append(cell)
        cell.likelihood, cell.severity = likelihood, severity
        cell.measures = measures or None
        cell.residual = residual or None
        db.session.flush()
        log_action(actor, "governance.risk_assessed", project, data={"cell": cell.id})
    return cell


def add_rule(
    actor, project: Project, *, title: LocalizedText, body: LocalizedText, burden: LocalizedText, targets: list = ()
) -> Rule:
    """A rule with its burden (R13), linked to the policies and devices it governs."""
    if not title or not body or not burden:
        raise GovernanceError(RULE_INCOMPLETE)
    if len(project.rules) >= MAX_RULES:
        raise GovernanceError(TOO_MANY_RULES)
    with transaction():
        rule = Rule(project=project, title=title, body=body, burden=burden)
        db.session.add(rule)
        db.session.flush()
        set_links(rule, "governs", list(targets))
        log_action(actor, "governance.rule_added", project, visibility=_visibility(project), data={"rule": rule.id})
    return rule


def set_rule_links(actor, rule: Rule, targets: list) -> None:
    with transaction():
        set_links(rule, "governs", list(targets))
        log_action(actor, "governance.rule_linked", rule.project, data={"rule": rule.id})


def record_board_review(
    actor, project: Project, *, reviewers: list[str], decision: str, opinion: LocalizedText, decided_on: date
) -> BoardReview:
    """The board's decision on the rules: the gate before operation (seed 001)."""
    names = [" ".join(name.split())[:120] for name in reviewers if name and name.strip()]
    if not names:
        raise GovernanceError(REVIEWERS_MISSING)
    if len(names) > MAX_REVIEWERS:
        raise GovernanceError(TOO_MANY_REVIEWERS)
    if decision not in BOARD_DECISION_LABELS:
        raise GovernanceError(CHOOSE_FROM_LIST)
    if not opinion:
        raise GovernanceError(OPINION_MISSING)
    if decided_on > local_today():
        raise GovernanceError(DATE_FUTURE)
    with transaction():
        review = BoardReview(
            project_id=project.id, reviewers=names, decision=decision, opinion=opinion, decided_on=decided_on
        )
        project.reviews.append(review)
        db.session.flush()
        log_action(
            actor, "governance.board_decided", project, visibility=_visibility(project), data={"review": review.id}
        )
    return review


def _number(value) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise GovernanceError(VALUE_RANGE) from None
    if number != number or abs(number) > VALUE_LIMIT:  # NaN or absurd
        raise GovernanceError(VALUE_RANGE)
    return number


def add_kpi(
    actor,
    project: Project,
    *,
    kind: str,
    indicator: LocalizedText,
    level: str,
    unit: str,
    direction: str,
    baseline_value,
    baseline_on: date,
    target_value,
    target_on: date,
    source: LocalizedText,
    frequency: str,
    framework_ref: str | None = None,
) -> Kpi:
    unit = (unit or "").strip()[:40]
    if not indicator or not unit or not source:
        raise GovernanceError(KPI_INCOMPLETE)
    if kind not in KPI_KIND_LABELS or level not in KPI_LEVEL_LABELS:
        raise GovernanceError(CHOOSE_FROM_LIST)
    if direction not in DIRECTION_LABELS or frequency not in FREQUENCY_LABELS:
        raise GovernanceError(CHOOSE_FROM_LIST)
    if target_on <= baseline_on:
        raise GovernanceError(TARGET_BEFORE_BASELINE)
    if len(project.kpis) >= MAX_KPIS:
        raise GovernanceError(TOO_MANY_KPIS)
    with transaction():
        kpi = Kpi(
            kind=kind,
            indicator=indicator,
            level=level,
            unit=unit,
            direction=direction,
            baseline_value=_number(baseline_value),
            baseline_on=baseline_on,
            target_value=_number(target_value),
            target_on=target_on,
            source=source,
            frequency=frequency,
            framework_ref=(framework_ref or "").strip()[:120] or None,
        )
        project.kpis.append(kpi)
        db.session.flush()
        log_action(actor, "governance.kpi_added", project, visibility=_visibility(project), data={"kpi": kpi.id})
    return kpi


def record_measurement(actor, kpi: Kpi, *, measured_on: date, value) -> Measurement:
    """A value on a date; a second value for the same date replaces the first."""
    number = _number(value)
    if measured_on > local_today():
        raise GovernanceError(DATE_FUTURE)
    existing = next((m for m in kpi.measurements if m.measured_on == measured_on), None)
    if existing is None and len(kpi.measurements) >= MAX_MEASUREMENTS:
        raise GovernanceError(TOO_MANY_MEASUREMENTS)
    with transaction():
        measurement = existing or Measurement(measured_on=measured_on)
        measurement.value = number
        if existing is None:
            kpi.measurements.append(measurement)
            kpi.measurements.sort(key=lambda m: m.measured_on)
        db.session.flush()
        project = db.session.get(Project, kpi.project_id)
        log_action(actor, "governance.kpi_measured", project, data={"kpi": kpi.id, "measurement": measurement.id})
    return measurement
