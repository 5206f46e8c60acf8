"""Every change to a governance project's overview, stage, stakeholders and laws: one transaction
each, written to the action log. The stage gates say, in the reader's language, what is missing."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.action_log import PUBLIC, RESTRICTED, log_action
from ..core.db import transaction
from ..core.errors import Refused
from ..core.i18n import localize
from ..core.links import set_links, unlink_all
from ..core.types import LocalizedText, utcnow
from ..extensions import db
from .catalog import (
    DATA_TYPE_LABELS,
    INVOLVEMENT_LABELS,
    LEVELS,
    LIFECYCLE_LABELS,
    LOOP_TARGETS,
    RELATION_LABELS,
    STAGES,
    TRIGGER_LABELS,
    VIEWPOINT_LABELS,
)
from .models import OVERVIEW_FIELDS, OVERVIEW_REQUIRED, Law, Project, ProjectLaw, Stakeholder, Transition

MAX_STAKEHOLDERS = 100
SIGNER_MAX = 120


class GovernanceError(Refused):
    """A change refused for a reason staff can fix; ``problems`` lists what is missing."""

    def __init__(self, message, problems: list | None = None):
        super().__init__(message)
        self.problems = problems or []


TITLE_MISSING = _l("Enter the project's title in at least one language.")
UNKNOWN_DATA_TYPE = _l("Choose the data types from the list.")
SIGNER_MISSING = _l("Name the person who signs off this step (name or title).")
NOT_NEXT = _l("A project moves forward one stage at a time.")
GATE_REFUSED = _l("The project cannot move to the next stage yet:")
LOOP_NOT_ALLOWED = _l("A project returns to risk analysis or rule design only from a later stage.")
UNKNOWN_TRIGGER = _l("Choose what triggered the return from the list.")
REASON_MISSING = _l("Give the reason for the return: it is shown in the public history.")
CHOOSE_FROM_LIST = _l("Choose each value from the list.")
NAME_MISSING = _l("Enter the stakeholder's name in at least one language.")
TOO_MANY = _l("A project can have at most %(max)d stakeholders.", max=MAX_STAKEHOLDERS)
UNKNOWN_LAW = _l("Choose a law or guideline from the list.")


# --- the project and its overview ------------------------------------------------------------


def _apply_overview(project: Project, title: LocalizedText, data_types: list[str], fields: dict) -> None:
    if not title:
        raise GovernanceError(TITLE_MISSING)
    if any(code not in DATA_TYPE_LABELS for code in data_types):
        raise GovernanceError(UNKNOWN_DATA_TYPE)
    project.title = title
    project.data_types = [code for code in DATA_TYPE_LABELS if code in data_types]
    for name in OVERVIEW_FIELDS:
        setattr(project, name, fields.get(name) or None)


def create_project(actor, *, title: LocalizedText, data_types: list[str] = (), **fields) -> Project:
    with transaction():
        project = Project(stage="overview")
        _apply_overview(project, title, list(data_types), fields)
        db.session.add(project)
        db.session.flush()
        suggest_laws(project)
        log_action(actor, "governance.project_created", project)
    return project


def update_project(actor, project: Project, *, title: LocalizedText, data_types: list[str] = (), **fields) -> None:
    with transaction():
        _apply_overview(project, title, list(data_types), fields)
        suggest_laws(project)
        log_action(actor, "governance.project_updated", project, visibility=_visibility(project))


def publish_project(actor, project: Project) -> bool:
    if project.is_published:
        return False
    with transaction():
        project.published_at = utcnow()
        log_action(actor, "governance.project_published", project, visibility=PUBLIC)
    return True


def _visibility(project: Project) -> str:
    return PUBLIC if project.is_published else RESTRICTED


# --- stages ----------------------------------------------------------------------------------


def gate_problems(project: Project, to_stage: str) -> list:
    """What keeps ``project`` from entering ``to_stage`` from the stage before it."""
    problems: list = []
    if to_stage == "laws":
        for name in OVERVIEW_REQUIRED:
            if not getattr(project, name):
                problems.append(_l("The business overview lacks: %(field)s", field=str(FIELD_NAMES[name])))
        if not project.stakeholders:
            problems.append(_l("Record at least one stakeholder."))
    elif to_stage == "risk":
        if not project.laws:
            problems.append(_l("Record at least one applicable law or guideline."))
        for item in project.laws:
            if not item.note:
                problems.append(_l("Say how the project meets “%(law)s”.", law=_text(item.law.title)))
    elif to_stage == "rules":
        cells = project.risks
        for code, label in LIFECYCLE_LABELS.items():
            if not any(cell.lifecycle == code for cell in cells):
                problems.append(_l("The risk grid has no entry for the lifecycle stage “%(stage)s”.", stage=label))
        for code, label in VIEWPOINT_LABELS.items():
            if not any(cell.viewpoint == code for cell in cells):
                problems.append(_l("The risk grid has no entry from the viewpoint “%(viewpoint)s”.", viewpoint=label))
    elif to_stage == "operation":
        for cell in project.risks:
            if not cell.is_answered:
                problems.append(
                    _l(
                        "High risk without measures that lower it: %(stage)s × %(viewpoint)s.",
                        stage=LIFECYCLE_LABELS[cell.lifecycle],
                        viewpoint=VIEWPOINT_LABELS[cell.viewpoint],
                    )
                )
        if not project.rules:
            problems.append(_l("Design at least one rule."))
        latest = project.reviews[-1] if project.reviews else None
        if latest is None or not latest.approves:
            problems.append(_l("The data-governance board has not approved the rules."))
    return problems


def _text(value: LocalizedText | None) -> str:
    return localize(value).text


def _signer(signed_off_by: str) -> str:
    signer = " ".join((signed_off_by or "").split())[:SIGNER_MAX]
    if not signer:
        raise GovernanceError(SIGNER_MISSING)
    return signer


def advance(actor, project: Project, *, to_stage: str, signed_off_by: str) -> Transition:
    """Move to the next stage with a sign-off; refused with every missing item otherwise."""
    signer = _signer(signed_off_by)
    position = STAGES.index(project.stage)
    if to_stage not in STAGES or STAGES.index(to_stage) != position + 1:
        raise GovernanceError(NOT_NEXT)
    problems = gate_problems(project, to_stage)
    if problems:
        raise GovernanceError(GATE_REFUSED, problems)
    return _move(actor, project, to_stage, signer=signer)


def loop_back(actor, project: Project, *, to_stage: str, trigger: str, reason: LocalizedText, signed_off_by: str):
    """Return to risk analysis or rule design on a trigger (R10, R52), with a public reason."""
    signer = _signer(signed_off_by)
    if to_stage not in LOOP_TARGETS or STAGES.index(to_stage) >= STAGES.index(project.stage):
        raise GovernanceError(LOOP_NOT_ALLOWED)
    if trigger not in TRIGGER_LABELS:
        raise GovernanceError(UNKNOWN_TRIGGER)
    if not reason:
        raise GovernanceError(REASON_MISSING)
    return _move(actor, project, to_stage, signer=signer, trigger=trigger, reason=reason)


def _move(actor, project: Project, to_stage: str, *, signer: str, trigger=None, reason=None) -> Transition:
    with transaction():
        transition = Transition(
            project=project,
            from_stage=project.stage,
            to_stage=to_stage,
            loop_back=trigger is not None,
            trigger=trigger,
            reason=reason,
            signed_off_by=signer,
        )
        db.session.add(transition)
        project.stage = to_stage
        db.session.flush()
        action = "governance.looped_back" if trigger else "governance.advanced"
        log_action(
            actor, action, project, visibility=_visibility(project), data={"to": to_stage, "transition": transition.id}
        )
    return transition


# --- stakeholders ----------------------------------------------------------------------------


def add_stakeholder(
    actor,
    project: Project,
    *,
    name: LocalizedText,
    is_organisation: bool,
    relation: str,
    benefit: LocalizedText | None,
    impact: str,
    uncertainty: str,
    involvement: str,
) -> Stakeholder:
    if not name:
        raise GovernanceError(NAME_MISSING)
    if relation not in RELATION_LABELS or impact not in LEVELS or uncertainty not in LEVELS:
        raise GovernanceError(CHOOSE_FROM_LIST)
    if involvement not in INVOLVEMENT_LABELS:
        raise GovernanceError(CHOOSE_FROM_LIST)
    if len(project.stakeholders) >= MAX_STAKEHOLDERS:
        raise GovernanceError(TOO_MANY)
    with transaction():
        stakeholder = Stakeholder(
            project=project,
            name=name,
            is_organisation=is_organisation,
            relation=relation,
            benefit=benefit or None,
            impact=impact,
            uncertainty=uncertainty,
            involvement=involvement,
        )
        db.session.add(stakeholder)
        db.session.flush()
        log_action(actor, "governance.stakeholder_added", project, data={"stakeholder": stakeholder.id})
    return stakeholder


def remove_stakeholder(actor, stakeholder: Stakeholder) -> None:
    with transaction():
        project = stakeholder.project
        unlink_all(stakeholder)
        db.session.delete(stakeholder)
        log_action(actor, "governance.stakeholder_removed", project, data={"stakeholder": stakeholder.id})


def involve_through(actor, stakeholder: Stakeholder, targets: list) -> None:
    """Link the stakeholder to what the platform holds for its involvement (a consultation...)."""
    with transaction():
        set_links(stakeholder, "involved_through", targets)
        log_action(actor, "governance.stakeholder_linked", stakeholder.project, data={"stakeholder": stakeholder.id})


# --- laws and soft law -----------------------------------------------------------------------


def suggest_laws(project: Project) -> list[ProjectLaw]:
    """Add the laws that concern the project's data types (R23); runs inside the caller's
    transaction. Laws already on the project keep their note; none is removed."""
    declared = set(project.data_types or ())
    present = {item.law_id for item in project.laws}
    added = []
    for law in db.session.scalars(db.select(Law).order_by(Law.id)):
        if law.id not in present and declared & set(law.data_types or ()):
            item = ProjectLaw(law=law)
            project.laws.append(item)
            added.append(item)
    return added


def add_law(actor, project: Project, law_id: int | None) -> ProjectLaw:
    law = db.session.get(Law, law_id) if law_id else None
    if law is None:
        raise GovernanceError(UNKNOWN_LAW)
    existing = next((item for item in project.laws if item.law_id == law.id), None)
    if existing is not None:
        return existing
    with transaction():
        item = ProjectLaw(law=law)
        project.laws.append(item)
        db.session.flush()
        log_action(actor, "governance.law_added", project, data={"law": law.id})
    return item


def set_law_note(actor, item: ProjectLaw, note: LocalizedText | None) -> None:
    with transaction():
        item.note = note or None
        log_action(actor, "governance.law_noted", db.session.get(Project, item.project_id), data={"law": item.law_id})


def remove_law(actor, item: ProjectLaw) -> None:
    with transaction():
        project = db.session.get(Project, item.project_id)
        project.laws.remove(item)
        log_action(actor, "governance.law_removed", project, data={"law": item.law_id})


FIELD_NAMES = {
    "goals": _l("Goals"),
    "activities": _l("Activities"),
    "implementing_body": _l("Implementing body"),
    "stakeholder_summary": _l("Stakeholders and their roles"),
    "promotion_policy": _l("Promotion policy"),
    "schedule": _l("Schedule and roadmap"),
    "service_benefit": _l("Service and its benefit"),
    "architecture": _l("Architecture (layers)"),
    "business_model": _l("Business model (who gives what data to whom)"),
}
