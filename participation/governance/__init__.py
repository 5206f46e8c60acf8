"""Data governance that runs the loop of seed 000: a project's business overview, related laws,
risk analysis, rule design and operation with KPIs, and the explicit returns a trigger causes; every
step in a public history. Devices, policies and consultations are reached through core.links."""

from flask import url_for
from flask_babel import lazy_gettext as _l

from ..core.action_log import fixed
from ..core.capability import Capability, NavEntry
from ..core.i18n import localize
from ..core.models import Role
from ..core.permissions import any_of, has_role
from ..core.resources import ResourceType
from . import seeds
from .catalog import STAGE_LABELS
from .models import Project, Rule, Stakeholder
from .views import bp

manage = has_role(Role.STAFF, Role.ADMIN)


def _published(_user, record) -> bool:
    project = record if isinstance(record, Project) or record is None else record.project
    return project is not None and project.is_published


def _to_stage(entry) -> str:
    return str(STAGE_LABELS.get(entry.data.get("to"), "?"))


capability = Capability(
    name="governance",
    blueprints=(bp,),
    permissions={
        "governance.manage": manage,
        "governance.view": any_of(_published, manage),
    },
    nav=(NavEntry(_l("Data governance"), "governance.index", order=45),),
    admin_nav=(NavEntry(_l("Data governance"), "governance.manage", "governance.manage", order=57),),
    resources=(
        ResourceType(
            "governance_project",
            Project,
            _l("Data-governance project"),
            url=lambda project: url_for("governance.show", project_id=project.id),
            title=lambda project: localize(project.title).text,
            is_public=lambda project: project.is_published,
            plural=_l("Data-governance projects"),
            view_permission="governance.view",
        ),
        ResourceType(
            "governance_rule",
            Rule,
            _l("Rule of a data-governance project"),
            url=lambda rule: url_for("governance.show", project_id=rule.project_id, _anchor=f"rule-{rule.id}"),
            title=lambda rule: localize(rule.title).text,
            is_public=lambda rule: rule.project.is_published,
            plural=_l("Rules of data-governance projects"),
            view_permission="governance.view",
        ),
        ResourceType(
            "governance_stakeholder",
            Stakeholder,
            _l("Stakeholder of a data-governance project"),
            url=lambda holder: url_for("governance.show", project_id=holder.project_id, _anchor="stakeholders"),
            title=lambda holder: localize(holder.name).text,
            # people are never shown; organisations once the project is published
            is_public=lambda holder: holder.is_organisation and holder.project.is_published,
            plural=_l("Stakeholders of data-governance projects"),
            view_permission="governance.manage",
        ),
    ),
    action_labels={
        "governance.project_created": fixed(_l("Started a data-governance project")),
        "governance.project_updated": fixed(_l("Edited the business overview of a data-governance project")),
        "governance.project_published": fixed(_l("Published a data-governance project")),
        "governance.advanced": lambda e: _l("Moved a data-governance project to “%(stage)s”", stage=_to_stage(e)),
        "governance.looped_back": lambda e: _l("Returned a data-governance project to “%(stage)s”", stage=_to_stage(e)),
        "governance.stakeholder_added": fixed(_l("Added a stakeholder to a data-governance project")),
        "governance.stakeholder_removed": fixed(_l("Removed a stakeholder from a data-governance project")),
        "governance.stakeholder_linked": fixed(_l("Linked a stakeholder to how it is involved")),
        "governance.law_added": fixed(_l("Added an applicable law to a data-governance project")),
        "governance.law_noted": fixed(_l("Noted how a data-governance project meets a law")),
        "governance.law_removed": fixed(_l("Removed an applicable law from a data-governance project")),
        "governance.risk_assessed": fixed(_l("Assessed a risk of a data-governance project")),
        "governance.rule_added": fixed(_l("Added a rule to a data-governance project")),
        "governance.rule_linked": fixed(_l("Changed the policies and devices a rule governs")),
        "governance.board_decided": fixed(_l("Recorded the board's decision on a data-governance project")),
        "governance.kpi_added": fixed(_l("Added a KPI to a data-governance project")),
        "governance.kpi_measured": fixed(_l("Recorded a KPI measurement")),
    },
    seed=seeds.seed,
)
