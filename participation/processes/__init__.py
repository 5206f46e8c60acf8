"""Participatory processes (consultations): dated stages, categories, and what residents can do now."""

from flask import url_for
from flask_babel import lazy_gettext as _l

from ..core.action_log import fixed
from ..core.capability import Capability, NavEntry
from ..core.i18n import localize
from ..core.models import Role
from ..core.permissions import any_of, has_role
from ..core.resources import ResourceType
from ..core.slots import Fill
from . import seeds
from .home import open_now
from .models import Process
from .search import searchable
from .views import bp

manage = has_role(Role.STAFF, Role.ADMIN)


def _published(_user, process) -> bool:
    return process is not None and process.is_published


capability = Capability(
    name="processes",
    blueprints=(bp,),
    permissions={
        "processes.manage": manage,
        # Published processes are public; drafts are seen by the staff who prepare them.
        "processes.view": any_of(_published, manage),
    },
    nav=(
        NavEntry(
            _l("Consultations"),
            "processes.index",
            order=10,
            description=_l("See what the city is planning and give your views while a consultation is open."),
        ),
    ),
    slots={"home.open_now": Fill(open_now, order=10)},
    admin_nav=(NavEntry(_l("Consultations"), "processes.manage", "processes.manage", order=30),),
    resources=(
        ResourceType(
            "process",
            Process,
            _l("Consultation"),
            url=lambda process: url_for("processes.show", process_id=process.id),
            title=lambda process: localize(process.title).text,
            is_public=lambda process: process.is_published,
            followable=True,
            plural=_l("Consultations"),
            view_permission="processes.view",
        ),
    ),
    action_labels={
        "process.created": fixed(_l("Created a consultation")),
        "process.updated": fixed(_l("Edited a consultation")),
        "process.published": fixed(_l("Published a consultation")),
        "process.unpublished": fixed(_l("Withdrew a consultation to draft")),
        "process.phase_added": fixed(_l("Added a stage to a consultation's schedule")),
        "process.phase_updated": fixed(_l("Edited a stage of a consultation's schedule")),
        "process.phase_deleted": fixed(_l("Deleted a stage from a consultation's schedule")),
        "process.category_added": fixed(_l("Added a category to a consultation")),
        "process.category_updated": fixed(_l("Edited a category of a consultation")),
        "process.category_deleted": fixed(_l("Deleted a category from a consultation")),
    },
    searchable=searchable,
    seed=seeds.seed,
)
